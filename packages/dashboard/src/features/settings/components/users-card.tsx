/** Accounts and roles (admin only): add users, change role, disable, reset a password, delete. */
import { useState } from "react";
import { ErrorState, LoadingRows } from "@/components/states";
import { Time } from "@/components/time";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useSession } from "@/lib/session";
import { useUsers } from "../api/get-users";
import { UserCreateForm } from "./user-create-form";
import { UserEditDialog } from "./user-edit-dialog";

export function UsersCard() {
  const users = useUsers(true);
  const me = useSession((s) => s.user?.username);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  // The dialog shows the list's current row, so it follows every saved change.
  const current = users.data?.find((u) => u.id === editing);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Users</CardTitle>
        <CardDescription>
          Viewers read, operators also normalize timestamps, admins manage everything here.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-6">
        {users.isPending ? (
          <LoadingRows rows={3} label="Loading users…" />
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Username</TableHead>
                <TableHead scope="col">Role</TableHead>
                <TableHead scope="col">Created</TableHead>
                <TableHead scope="col">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.data.map((u) => (
                <TableRow key={u.id}>
                  <TableCell>
                    {u.username}
                    {u.username === me && <span className="text-muted-foreground"> (you)</span>}
                  </TableCell>
                  <TableCell className="space-x-1">
                    <Badge variant="secondary">{u.role}</Badge>
                    {u.disabled && <Badge variant="destructive">disabled</Badge>}
                    {u.mustChangePassword && <Badge variant="warning">must change password</Badge>}
                    {u.lockedUntil !== null && <Badge variant="warning">locked</Badge>}
                  </TableCell>
                  <TableCell>
                    <Time value={u.createdAt} />
                  </TableCell>
                  <TableCell>
                    <Button variant="outline" size="sm" onClick={() => setEditing(u.id)}>
                      Edit<span className="sr-only"> {u.username}</span>
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <UserCreateForm />
        <UserEditDialog
          user={current}
          isSelf={current?.username === me}
          onClose={() => setEditing(undefined)}
        />
      </CardContent>
    </Card>
  );
}
