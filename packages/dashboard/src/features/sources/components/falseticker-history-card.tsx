/**
 * A source's falseticker history: pick a source and a range; a chart of nodes reporting
 * the source and nodes rejecting it per bucket (table alternative one click away), and
 * the periods per node as a table.
 */
import { forwardRef, useId, useState } from "react";
import { CountChart } from "@/components/count-chart";
import { RangePicker } from "@/components/range-picker";
import { ErrorState, LoadingRows } from "@/components/states";
import { Time } from "@/components/time";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { type SourceRange, useFalsetickerHistory } from "../api/get-falseticker-history";
import type { FleetSource } from "../api/get-sources";
import {
  formatSpan,
  periodMs,
  presetRange,
  SOURCE_PRESETS,
  type SourcePreset,
  sourceRange,
  summarize,
} from "../falseticker-range";

interface Props {
  readonly sources: readonly FleetSource[];
  readonly sourceId: string | undefined;
  readonly onSourceChange: (id: string) => void;
}

export const FalsetickerHistoryCard = forwardRef<HTMLHeadingElement, Props>(function FalsetickerHistoryCard(
  { sources, sourceId, onSourceChange },
  headingRef,
) {
  const id = useId();
  const [preset, setPreset] = useState<SourcePreset | "custom">("24h");
  const [range, setRange] = useState<SourceRange>(() => presetRange("24h", Date.now()));
  const history = useFalsetickerHistory(sourceId, range);
  const source = sources.find((s) => s.id === sourceId);
  return (
    <Card>
      <CardHeader>
        {/* scroll-mt: clear of the sticky banner when "History" scrolls here */}
        <CardTitle ref={headingRef} tabIndex={-1} className="scroll-mt-24">
          Falseticker history
        </CardTitle>
        <CardDescription>
          When the agents' source selection rejected a source as a falseticker, and on which nodes. Kept as
          long as raw reports (Settings → Retention).
        </CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        <div className="flex flex-wrap items-end gap-4">
          <div className="min-w-64 space-y-1">
            <Label htmlFor={`${id}-source`}>Source</Label>
            <Select value={sourceId ?? ""} onValueChange={onSourceChange}>
              <SelectTrigger id={`${id}-source`}>
                <SelectValue placeholder="Choose a source" />
              </SelectTrigger>
              <SelectContent>
                {sources.map((s) => (
                  <SelectItem key={s.id} value={s.id}>
                    {s.url}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <RangePicker
            preset={preset}
            presets={SOURCE_PRESETS}
            onPreset={(p) => {
              setPreset(p);
              if (p !== "custom") setRange(presetRange(p, Date.now()));
            }}
            onCustom={(bounds) => setRange(sourceRange(bounds))}
          />
        </div>
        {sourceId === undefined ? (
          <p className="text-muted-foreground">Choose a source to see when it was a falseticker.</p>
        ) : history.isPending ? (
          <LoadingRows rows={4} label="Loading falseticker history…" />
        ) : history.isError ? (
          <ErrorState error={history.error} onRetry={() => void history.refetch()} />
        ) : (
          <>
            <p role="status" className="text-sm">
              {source?.url ?? sourceId}: {summarize(history.data)}
            </p>
            <CountChart
              title={`Nodes reporting and rejecting ${source?.url ?? sourceId} (per ${formatSpan(history.data.bucketSeconds * 1000)})`}
              points={history.data.buckets.map((b) => ({
                time: b.at,
                counts: { reporting: b.nodes, falseticker: b.falsetickerNodes },
              }))}
              series={["reporting", "falseticker"]}
              window={history.data}
            />
            {history.data.periods.length > 0 && (
              <Table>
                <caption className="sr-only">Periods as a falseticker, per node</caption>
                <TableHeader>
                  <TableRow>
                    <TableHead scope="col">Node</TableHead>
                    <TableHead scope="col">Flagged from</TableHead>
                    <TableHead scope="col">Last flagged</TableHead>
                    <TableHead scope="col">Cleared</TableHead>
                    <TableHead scope="col">Duration</TableHead>
                    <TableHead scope="col">Reports</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {history.data.periods.map((p) => (
                    <TableRow key={`${p.nodeId}-${p.from}`}>
                      <TableCell>{p.hostname ?? p.nodeId}</TableCell>
                      <TableCell>
                        <Time value={p.from} />
                      </TableCell>
                      <TableCell>
                        <Time value={p.to} />
                      </TableCell>
                      <TableCell>
                        {p.endedAt === null ? "still flagged" : <Time value={p.endedAt} />}
                      </TableCell>
                      <TableCell className="tabular-nums">
                        {p.endedAt === null ? "≥ " : ""}
                        {formatSpan(periodMs(p))}
                      </TableCell>
                      <TableCell className="tabular-nums">{p.reports}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
});
