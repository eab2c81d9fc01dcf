/**
 * Overview: the fleet's north star (mean |offset| against the PRD's 10 ms line), p99,
 * share within each policy tolerance, status counts, worst nodes, recent alerts and the
 * live |offset| distribution. Live: SSE events refresh the figures without a reload.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { Link } from "react-router";
import { LiveStatus } from "@/components/live-status";
import { EmptyState, ErrorState, LoadingCards, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useEventStream } from "@/lib/event-stream";
import { formatDuration, formatPercent } from "@/lib/format";
import { useFleet } from "../api/get-fleet";
import { usePolicies } from "../api/get-policies";
import { fleetStats } from "../fleet-stats";
import { AlertsCard } from "./alerts-card";
import { DistributionCard } from "./distribution-card";
import { NorthStarCard } from "./north-star-card";

const REFRESH_MIN_MS = 2_000;

export function OverviewPage() {
  const client = useQueryClient();
  const fleet = useFleet();
  const policies = usePolicies();
  const last = useRef(0);
  // Reports arrive in bursts; refetch at most every 2 s.
  const onEvent = useCallback(
    (event: { event: string }) => {
      const now = performance.now();
      if (now - last.current < REFRESH_MIN_MS) return;
      last.current = now;
      void client.invalidateQueries({ queryKey: ["nodes"] });
      if (event.event === "alert" || event.event === "node-state")
        void client.invalidateQueries({ queryKey: ["alerts"] });
    },
    [client],
  );
  const stream = useEventStream("/api/events", onEvent);
  const header = (
    <PageHeader
      title="Overview"
      description="How close the fleet's clocks are to UTC, right now."
      actions={<LiveStatus state={stream} />}
    />
  );

  if (fleet.isPending)
    return (
      <>
        {header}
        <LoadingCards count={6} label="Loading fleet figures…" />
      </>
    );
  if (fleet.isError)
    return (
      <>
        {header}
        <ErrorState error={fleet.error} onRetry={() => void fleet.refetch()} />
      </>
    );
  if (fleet.data.length === 0)
    return (
      <>
        {header}
        <EmptyState
          title="No nodes yet"
          action={
            <Button asChild>
              <Link to="/settings">Create an enrollment token</Link>
            </Button>
          }
        >
          Create an enrollment token in Settings and run the install command on a machine; its agent appears
          here as soon as it reports.
        </EmptyState>
      </>
    );
  const stats = fleetStats(fleet.data, policies.data ?? []);
  return (
    <>
      {header}
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3 2xl:grid-cols-4">
        <NorthStarCard meanAbsNs={stats.meanAbsNs} reporting={stats.reporting} total={fleet.data.length} />
        <Card>
          <CardHeader>
            <CardTitle>p99 |offset|</CardTitle>
            <CardDescription>99 % of reporting nodes are at least this close.</CardDescription>
          </CardHeader>
          <CardContent className="text-3xl font-bold tabular-nums">
            {formatDuration(stats.p99AbsNs)}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Within tolerance</CardTitle>
            <CardDescription>Share of nodes inside their policy's tolerance.</CardDescription>
          </CardHeader>
          <CardContent>
            {policies.isPending ? (
              <p className="text-muted-foreground">Loading policies…</p>
            ) : policies.isError ? (
              <p className="text-muted-foreground">Policies could not be loaded: {policies.error.message}</p>
            ) : stats.withinTolerance.length === 0 ? (
              <p className="text-muted-foreground">
                No policies assigned yet. Define tolerances in Settings.
              </p>
            ) : (
              <ul className="space-y-1">
                {stats.withinTolerance.map((p) => (
                  <li key={p.policy} className="flex justify-between gap-2">
                    <span>
                      {p.policy} (±{formatDuration(p.toleranceNs)})
                    </span>
                    <span className="font-semibold tabular-nums">{formatPercent(p.share)}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Nodes by state</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="space-y-1">
              {Object.entries(stats.byStatus).map(([status, count]) => (
                <li key={status} className="flex justify-between">
                  <span>{status}</span>
                  <span className="font-semibold tabular-nums">{count}</span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Worst nodes</CardTitle>
          </CardHeader>
          <CardContent>
            <ol className="space-y-1">
              {stats.worst.map((n) => (
                <li key={n.id} className="flex justify-between gap-2">
                  <Link
                    to={`/nodes/${encodeURIComponent(n.id)}`}
                    className="text-primary underline-offset-4 hover:underline"
                  >
                    {n.hostname}
                  </Link>
                  <span className="tabular-nums">{formatDuration(n.offsetNs)}</span>
                </li>
              ))}
            </ol>
          </CardContent>
        </Card>
        <DistributionCard buckets={stats.distribution} />
        <AlertsCard />
      </div>
    </>
  );
}
