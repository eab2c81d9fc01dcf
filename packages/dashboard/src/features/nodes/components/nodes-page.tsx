/** Nodes: search and sort the whole fleet. */
import { useDeferredValue, useId, useMemo, useState } from "react";
import { Link } from "react-router";
import { EmptyState, ErrorState, LoadingRows, PageHeader } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useNodes } from "../api/get-nodes";
import { filterAndSort, type Sort, type SortKey } from "../node-sort";
import { NodeTable } from "./node-table";

export function NodesPage() {
  const id = useId();
  const nodes = useNodes();
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState<Sort>({ key: "offsetNs", dir: "desc" });
  const deferred = useDeferredValue(query);
  const rows = useMemo(() => filterAndSort(nodes.data ?? [], deferred, sort), [nodes.data, deferred, sort]);
  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === "asc" ? "desc" : "asc" } : { key, dir: "asc" }));

  return (
    <>
      <PageHeader
        title="Nodes"
        description="Every node running the agent, with its offset from UTC and error bound."
      />
      {nodes.isPending ? (
        <LoadingRows label="Loading nodes…" />
      ) : nodes.isError ? (
        <ErrorState error={nodes.error} onRetry={() => void nodes.refetch()} />
      ) : nodes.data.length === 0 ? (
        <EmptyState
          title="No nodes yet"
          action={
            <Button asChild>
              <Link to="/settings">Create an enrollment token</Link>
            </Button>
          }
        >
          Create an enrollment token in Settings and run the one-line install command it gives on each
          machine.
        </EmptyState>
      ) : (
        <div className="space-y-3">
          <div className="flex flex-wrap items-end gap-3">
            <div className="w-full max-w-sm space-y-1">
              <Label htmlFor={`${id}-q`}>Search nodes</Label>
              <Input
                id={`${id}-q`}
                type="search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="Host name, state or version"
              />
            </div>
            <p role="status" aria-live="polite" className="text-sm text-muted-foreground">
              {rows.length} of {nodes.data.length} nodes
            </p>
          </div>
          <NodeTable nodes={rows} sort={sort} onSort={onSort} />
        </div>
      )}
    </>
  );
}
