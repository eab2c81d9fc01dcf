/**
 * Node detail: offset, error bound, delay and jitter over 1 h / 24 h / 7 d / 30 d or a
 * custom range, optionally drawn over the previous period; resource use; sources. Live:
 * the node's report events (SSE) refresh it at most every 5 s — a preset range slides to
 * end now, a custom range is re-read.
 */

import { useQueryClient } from "@tanstack/react-query";
import { ArrowLeft } from "lucide-react";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { LiveStatus } from "@/components/live-status";
import { OffsetChart } from "@/components/offset-chart";
import { RangePicker } from "@/components/range-picker";
import { ResourceChart } from "@/components/resource-chart";
import { ErrorState, LoadingCards, PageHeader } from "@/components/states";
import { Time } from "@/components/time";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { useEventStream } from "@/lib/event-stream";
import { formatBytes, formatDuration, formatLocal } from "@/lib/format";
import { createThrottle } from "@/lib/throttle";
import { RANGE_PRESET_MS } from "@/lib/time-range";
import { useNode } from "../api/get-node";
import { type HistoryRange, useNodeHistory } from "../api/get-node-history";
import {
  alignPrevious,
  PRESETS,
  type Preset,
  presetFromSearch,
  presetRange,
  previousRange,
  rangeOf,
  toChartPoints,
} from "../history-range";
import { NodeSourcesTable } from "./node-sources-table";
import { StatusBadge } from "./status-badge";

/** Least time between two live refreshes of the page (reports come every few seconds). */
const LIVE_REFRESH_MS = 5_000;

/**
 * Refreshes the node and its history on the node's SSE events, throttled: a preset range
 * slides to end now (a new query), or is re-read when it already does; a custom range is
 * re-read. Answers the stream's state.
 */
function useLiveNode(
  nodeId: string,
  preset: Preset | "custom",
  range: HistoryRange,
  setRange: (range: HistoryRange) => void,
) {
  const client = useQueryClient();
  const current = useRef({ preset, range });
  current.current = { preset, range };
  const throttle = useMemo(
    () =>
      createThrottle(() => {
        const { preset: p, range: r } = current.current;
        const slid = p === "custom" ? undefined : presetRange(p, Date.now());
        if (slid !== undefined && (slid.from !== r.from || slid.to !== r.to)) {
          void client.invalidateQueries({ queryKey: ["nodes", nodeId], exact: true });
          setRange(slid);
        } else void client.invalidateQueries({ queryKey: ["nodes", nodeId] });
      }, LIVE_REFRESH_MS),
    [client, nodeId, setRange],
  );
  useEffect(() => () => throttle.cancel(), [throttle]);
  const onEvent = useCallback(
    (event: { data: string }) => {
      try {
        if ((JSON.parse(event.data) as { nodeId?: unknown }).nodeId === nodeId) throttle.call();
      } catch {
        // not JSON: not a fleet event
      }
    },
    [nodeId, throttle],
  );
  return useEventStream("/api/events?types=report,node-state", onEvent);
}

export function NodeDetailPage() {
  const id = useId();
  const { nodeId = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const node = useNode(nodeId);
  const [preset, setPreset] = useState<Preset | "custom">(() => presetFromSearch(search.toString()));
  // A preset range is anchored at mount time, and slides on live refreshes.
  const [range, setRange] = useState(() => presetRange(presetFromSearch(search.toString()), Date.now()));
  const [compare, setCompare] = useState(false);
  const stream = useLiveNode(nodeId, preset, range, setRange);
  const history = useNodeHistory(nodeId, range);
  const prev = useNodeHistory(nodeId, compare ? previousRange(range) : undefined);
  const points = useMemo(() => toChartPoints(history.data?.points ?? []), [history.data]);
  const resources = useMemo(
    () =>
      (history.data?.points ?? []).map((p) => ({
        time: p.at,
        cpuPercent: p.cpuPercent,
        rssBytes: p.rssBytes,
      })),
    [history.data],
  );
  const previous = useMemo(() => {
    if (!compare || history.data === undefined || prev.data === undefined) return undefined;
    const span = Date.parse(range.to) - Date.parse(range.from);
    return alignPrevious(points, toChartPoints(prev.data.points), span, Math.max(60_000, span / 500));
  }, [compare, range, history.data, prev.data, points]);

  const back = (
    <div className="flex flex-wrap items-center gap-3">
      <LiveStatus state={stream} />
      <Button variant="outline" asChild>
        <Link to="/nodes">
          <ArrowLeft aria-hidden="true" /> All nodes
        </Link>
      </Button>
    </div>
  );
  if (node.isPending) return <LoadingCards label="Loading node…" />;
  if (node.isError)
    return (
      <>
        <PageHeader title="Node" actions={back} />
        <ErrorState error={node.error} onRetry={() => void node.refetch()} />
      </>
    );
  const n = node.data;
  return (
    <>
      <PageHeader
        title={n.hostname}
        description={`Agent ${n.agentVersion} · policy ${n.policyId}${n.toleranceNs === null ? "" : ` (±${formatDuration(n.toleranceNs)})`} · enrolled ${formatLocal(n.enrolledAt)}`}
        actions={back}
      />
      <div className="mb-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat label="State" value={<StatusBadge status={n.state} />} />
        <Stat label="Offset" value={`${formatDuration(n.offsetNs)} ± ${formatDuration(n.boundNs)}`} />
        <Stat label="Last report" value={<Time value={n.lastReportAt} />} />
        <Stat
          label="Agent CPU · memory"
          value={`${n.cpuPercent?.toFixed(1) ?? "—"} % · ${formatBytes(n.rssBytes ?? undefined)}`}
        />
      </div>
      <Card className="mb-6">
        <CardHeader>
          <CardTitle>History</CardTitle>
          <div className="flex flex-wrap items-center gap-4">
            <RangePicker
              preset={preset}
              presets={PRESETS}
              onPreset={(p) => {
                const now = Date.now();
                setPreset(p);
                // "Custom" shows the last 24 h until a custom range is applied.
                setRange(p === "custom" ? rangeOf(now - RANGE_PRESET_MS["24h"], now) : presetRange(p, now));
                if (p !== "custom") setSearch(p === "24h" ? {} : { range: p }, { replace: true });
              }}
              onCustom={({ fromMs, toMs }) => {
                setPreset("custom");
                setRange(rangeOf(fromMs, toMs));
              }}
            />
            <div className="flex items-center gap-2">
              <Switch id={`${id}-cmp`} checked={compare} onCheckedChange={setCompare} />
              <Label htmlFor={`${id}-cmp`}>Compare with the previous period</Label>
            </div>
          </div>
        </CardHeader>
        <CardContent className="space-y-6">
          {history.isPending ? (
            <LoadingCards count={1} label="Loading history…" />
          ) : history.isError ? (
            <ErrorState error={history.error} onRetry={() => void history.refetch()} />
          ) : points.length === 0 ? (
            <p className="text-muted-foreground">
              No reports in this range. Pick a longer range, or check that the agent is running and can reach
              the server.
            </p>
          ) : (
            <>
              {history.data?.truncated && (
                <p className="text-sm text-muted-foreground">
                  The server cut this range short; pick a shorter range to see all of it.
                </p>
              )}
              <OffsetChart
                title="Offset and error bound (ms)"
                points={points}
                previous={previous}
                series={["offsetNs", "boundNs"]}
                window={range}
              />
              <OffsetChart
                title="Delay and jitter (ms)"
                points={points}
                series={["delayNs", "jitterNs"]}
                height={200}
                window={range}
              />
              <ResourceChart title="Agent CPU and memory" points={resources} window={range} />
            </>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Sources</CardTitle>
        </CardHeader>
        <CardContent>
          <NodeSourcesTable sources={n.sources} />
        </CardContent>
      </Card>
    </>
  );
}

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <Card>
      <CardContent className="space-y-1 pt-4 sm:pt-6">
        <p className="text-sm text-muted-foreground">{label}</p>
        <div className="text-lg font-semibold tabular-nums">{value}</div>
      </CardContent>
    </Card>
  );
}
