/** API clients of enrolled nodes; an admin can revoke one (with a confirmation dialog). */
import { useState } from "react";
import { ErrorState, LoadingRows } from "@/components/states";
import { Time } from "@/components/time";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type ApiClient, useClients } from "../api/get-clients";
import { useRevokeClient } from "../api/revoke-client";

export function ClientsCard() {
  const clients = useClients();
  const revoke = useRevokeClient();
  const [confirm, setConfirm] = useState<ApiClient | undefined>(undefined);
  return (
    <Card>
      <CardHeader>
        <CardTitle>API clients</CardTitle>
        <CardDescription>One per enrolled node; revoking one stops that node's reports.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {revoke.isError && <ErrorState error={revoke.error} />}
        {clients.isPending ? (
          <LoadingRows rows={3} label="Loading clients…" />
        ) : clients.isError ? (
          <ErrorState error={clients.error} onRetry={() => void clients.refetch()} />
        ) : clients.data.length === 0 ? (
          <p className="text-muted-foreground">No clients yet: each node gets one when it enrolls.</p>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Node</TableHead>
                <TableHead scope="col">Client</TableHead>
                <TableHead scope="col">Last used</TableHead>
                <TableHead scope="col">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {clients.data.map((c) => (
                <TableRow key={c.clientId}>
                  <TableCell>{c.hostname}</TableCell>
                  <TableCell className="font-mono text-xs">{c.clientId}</TableCell>
                  <TableCell>
                    <Time value={c.lastUsedAt} />
                  </TableCell>
                  <TableCell>
                    {c.revokedAt !== null ? (
                      <Badge variant="secondary">revoked</Badge>
                    ) : (
                      <Button variant="outline" size="sm" onClick={() => setConfirm(c)}>
                        Revoke<span className="sr-only"> {c.hostname}</span>
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Dialog open={confirm !== undefined} onOpenChange={(open) => !open && setConfirm(undefined)}>
          <DialogContent>
            <DialogTitle>Revoke {confirm?.hostname}'s client?</DialogTitle>
            <DialogDescription>
              The node's token requests and reports are refused from now on. To bring it back, enroll it again
              with a new token.
            </DialogDescription>
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button
                variant="destructive"
                onClick={() => {
                  if (confirm !== undefined) revoke.mutate(confirm.clientId);
                  setConfirm(undefined);
                }}
              >
                Revoke
              </Button>
            </div>
          </DialogContent>
        </Dialog>
      </CardContent>
    </Card>
  );
}
