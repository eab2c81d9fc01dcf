/** Sources: reliability, state, falseticker history and the nodes using each source. */
import { useRef, useState } from "react";
import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDuration, formatPercent } from "@/lib/format";
import { useSources } from "../api/get-sources";
import { FalsetickerHistoryCard } from "./falseticker-history-card";

const VARIANT: Record<string, "success" | "secondary" | "destructive" | "warning"> = {
  selected: "success",
  candidate: "secondary",
  falseticker: "destructive",
  unreachable: "warning",
};

export function SourcesPage() {
  const sources = useSources();
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const historyHeading = useRef<HTMLHeadingElement>(null);
  // The source shown in the history: the one picked, else the one most often rejected.
  const sourceId =
    picked ??
    (sources.data === undefined || sources.data.length === 0
      ? undefined
      : [...sources.data].sort((a, b) => b.falsetickers - a.falsetickers)[0]?.id);
  const showHistory = (id: string) => {
    setPicked(id);
    historyHeading.current?.scrollIntoView({ block: "start" });
    historyHeading.current?.focus({ preventScroll: true });
  };
  return (
    <>
      <PageHeader
        title="Sources"
        description="The time sources your agents measure against, and how far to trust each."
      />
      {sources.isPending ? (
        <LoadingRows label="Loading sources…" />
      ) : sources.isError ? (
        <ErrorState error={sources.error} onRetry={() => void sources.refetch()} />
      ) : sources.data.length === 0 ? (
        <EmptyState title="No sources reported yet">
          Sources appear once an agent reports. Enroll a node from Settings, or check that your agents can
          reach the server.
        </EmptyState>
      ) : (
        <Table>
          <caption className="sr-only">Time sources across the fleet</caption>
          <TableHeader>
            <TableRow>
              <TableHead scope="col">Source</TableHead>
              <TableHead scope="col">State</TableHead>
              <TableHead scope="col">Reliability</TableHead>
              <TableHead scope="col">Stratum</TableHead>
              <TableHead scope="col">Last offset</TableHead>
              <TableHead scope="col">Delay</TableHead>
              <TableHead scope="col">Falseticker events</TableHead>
              <TableHead scope="col">Nodes</TableHead>
              <TableHead scope="col">
                <span className="sr-only">History</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {sources.data.map((s) => (
              <TableRow key={s.id}>
                <TableCell className="font-mono text-xs">{s.url}</TableCell>
                <TableCell>
                  <Badge variant={VARIANT[s.state] ?? "secondary"}>{s.state}</Badge>
                </TableCell>
                <TableCell className="tabular-nums">{formatPercent(s.score ?? undefined)}</TableCell>
                <TableCell>{s.stratum ?? "—"}</TableCell>
                <TableCell className="tabular-nums">{formatDuration(s.lastOffsetNs)}</TableCell>
                <TableCell className="tabular-nums">{formatDuration(s.delayNs)}</TableCell>
                <TableCell className="tabular-nums">{s.falsetickers}</TableCell>
                <TableCell>
                  {s.nodes
                    .slice(0, 3)
                    .map((n) => n.hostname)
                    .join(", ")}
                  {s.nodes.length > 3 && ` and ${s.nodes.length - 3} more`}
                </TableCell>
                <TableCell>
                  <Button variant="outline" size="sm" onClick={() => showHistory(s.id)}>
                    History<span className="sr-only"> of {s.url}</span>
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {sources.data !== undefined && sources.data.length > 0 && (
        <div className="mt-6">
          <FalsetickerHistoryCard
            ref={historyHeading}
            sources={sources.data}
            sourceId={sourceId}
            onSourceChange={setPicked}
          />
        </div>
      )}
    </>
  );
}
