/** The time sources a node uses, their state and reliability. */
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDuration, formatPercent } from "@/lib/format";
import type { NodeSource } from "../api/types";

const VARIANT: Record<string, "success" | "secondary" | "destructive" | "warning"> = {
  selected: "success",
  candidate: "secondary",
  falseticker: "destructive",
  unreachable: "warning",
};

export function NodeSourcesTable({ sources }: { sources: readonly NodeSource[] }) {
  if (sources.length === 0)
    return (
      <p className="text-muted-foreground">
        This node reports no sources yet. Add sources in the agent's configuration, or let it detect them.
      </p>
    );
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead scope="col">Source</TableHead>
          <TableHead scope="col">State</TableHead>
          <TableHead scope="col">Reliability</TableHead>
          <TableHead scope="col">Stratum</TableHead>
          <TableHead scope="col">Offset</TableHead>
          <TableHead scope="col">Delay</TableHead>
          <TableHead scope="col">Jitter</TableHead>
          <TableHead scope="col">Falseticker events</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {sources.map((s) => (
          <TableRow key={s.id}>
            <TableCell className="font-mono text-xs">{s.url}</TableCell>
            <TableCell>
              <Badge variant={VARIANT[s.state] ?? (s.reachable ? "secondary" : "warning")}>{s.state}</Badge>
            </TableCell>
            <TableCell className="tabular-nums">{formatPercent(s.score ?? undefined)}</TableCell>
            <TableCell>{s.stratum ?? "—"}</TableCell>
            <TableCell className="tabular-nums">{formatDuration(s.lastOffsetNs)}</TableCell>
            <TableCell className="tabular-nums">{formatDuration(s.delayNs)}</TableCell>
            <TableCell className="tabular-nums">{formatDuration(s.jitterNs)}</TableCell>
            <TableCell className="tabular-nums">{s.falsetickers}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
