/**
 * Log: the signed checkpoints (newest pages on demand) and a lookup of any entry's
 * receipt by sequence number.
 */
import { type FormEvent, useId, useState } from "react";
import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Time } from "@/components/time";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useCheckpoints } from "../api/get-checkpoints";
import { useEntry } from "../api/get-entry";

function EntryLookup() {
  const id = useId();
  const [seq, setSeq] = useState("");
  const [asked, setAsked] = useState<string | undefined>(undefined);
  const entry = useEntry(asked);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (/^\d+$/.test(seq.trim())) setAsked(seq.trim());
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Look up an entry</CardTitle>
        <CardDescription>
          Its receipt: the entry, its hash, the signed checkpoint and the inclusion proof.
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
          <div className="space-y-1">
            <Label htmlFor={`${id}-seq`}>Sequence number</Label>
            <Input
              id={`${id}-seq`}
              inputMode="numeric"
              value={seq}
              onChange={(e) => setSeq(e.target.value)}
              className="w-48"
            />
          </div>
          <Button type="submit">Show receipt</Button>
        </form>
        {asked !== undefined &&
          (entry.isPending ? (
            <LoadingRows rows={3} label="Loading receipt…" />
          ) : entry.isError ? (
            <ErrorState error={entry.error} />
          ) : (
            <section
              aria-label={`Receipt of entry ${asked}`}
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-scrollable
              tabIndex={0}
              className="max-h-96 overflow-auto rounded-md bg-muted p-3"
            >
              <pre className="text-xs">{JSON.stringify(entry.data, null, 2)}</pre>
            </section>
          ))}
      </CardContent>
    </Card>
  );
}

export function LogPage() {
  const pages = useCheckpoints();
  const rows = pages.data?.pages.flatMap((p) => p.checkpoints) ?? [];
  return (
    <>
      <PageHeader
        title="Log"
        description="The signed, append-only log: every normalized timestamp and audit event, sealed in checkpoints."
      />
      <div className="space-y-6">
        <Card>
          <CardHeader>
            <CardTitle>Checkpoints</CardTitle>
            <CardDescription>
              Each seals a range of entries in a Merkle tree and is signed with Ed25519.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {pages.isPending ? (
              <LoadingRows label="Loading checkpoints…" />
            ) : pages.isError ? (
              <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />
            ) : rows.length === 0 ? (
              <EmptyState title="The log is empty">
                Sign-ins, normalized timestamps and configuration changes are recorded here.
              </EmptyState>
            ) : (
              <>
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead scope="col">#</TableHead>
                      <TableHead scope="col">Entries</TableHead>
                      <TableHead scope="col">Sealed</TableHead>
                      <TableHead scope="col">Root hash</TableHead>
                      <TableHead scope="col">Key</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {rows.map((c) => (
                      <TableRow key={c.index}>
                        <TableCell>{c.index}</TableCell>
                        <TableCell className="tabular-nums">
                          {c.checkpoint.firstSeq}–{c.checkpoint.lastSeq}
                        </TableCell>
                        <TableCell>
                          <Time value={c.checkpoint.time} />
                        </TableCell>
                        <TableCell className="font-mono text-xs" title={c.checkpoint.rootHash}>
                          {c.checkpoint.rootHash.slice(0, 16)}…
                        </TableCell>
                        <TableCell className="font-mono text-xs">{c.checkpoint.keyId}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                {pages.hasNextPage && (
                  <Button
                    variant="outline"
                    className="mt-3"
                    onClick={() => void pages.fetchNextPage()}
                    disabled={pages.isFetchingNextPage}
                  >
                    {pages.isFetchingNextPage ? "Loading…" : "Load more"}
                  </Button>
                )}
              </>
            )}
          </CardContent>
        </Card>
        <EntryLookup />
      </div>
    </>
  );
}
