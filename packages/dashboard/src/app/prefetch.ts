/**
 * Start-up prefetch (issue 5 §4, LCP): as soon as the session's token arrives, read the
 * data of the page being opened, while its lazy chunk may still be loading. The pages' own
 * queries then find the answer in flight or cached (same query keys), instead of starting
 * their requests only after the chunk has loaded and rendered.
 */
import type { QueryClient } from "@tanstack/react-query";
import { nodeQueryOptions } from "@/features/nodes/api/get-node";
import { nodeHistoryQueryOptions } from "@/features/nodes/api/get-node-history";
import { nodesQueryOptions } from "@/features/nodes/api/get-nodes";
import { presetFromSearch, presetRange } from "@/features/nodes/history-range";
import { alertsQueryOptions } from "@/features/overview/api/get-alerts";
import { fleetQueryOptions } from "@/features/overview/api/get-fleet";
import { policiesQueryOptions } from "@/features/overview/api/get-policies";

/**
 * Prefetches what the page at `pathname` (with `search`, e.g. a node page's `?range=7d`)
 * reads first; unknown paths prefetch nothing.
 */
export function prefetchRoute(
  client: QueryClient,
  pathname: string,
  nowMs: number = Date.now(),
  search = "",
): void {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") {
    void client.prefetchQuery(fleetQueryOptions());
    void client.prefetchQuery(policiesQueryOptions());
    void client.prefetchQuery(alertsQueryOptions());
    return;
  }
  if (path === "/nodes") {
    void client.prefetchQuery(nodesQueryOptions());
    return;
  }
  const node = /^\/nodes\/([^/]+)$/.exec(path)?.[1];
  if (node !== undefined) {
    const id = decodeURIComponent(node);
    void client.prefetchQuery(nodeQueryOptions(id));
    void client.prefetchQuery(nodeHistoryQueryOptions(id, presetRange(presetFromSearch(search), nowMs)));
  }
}
