/**
 * The node table: thousands of rows, virtualized (@tanstack/react-virtual) as a real
 * `<table>` with spacer rows, so screen readers still get table semantics
 * (`aria-rowcount`/`aria-rowindex` tell the full size). Headers sort (`aria-sort`).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { useRef } from "react";
import { Link } from "react-router";
import { Time } from "@/components/time";
import { formatDuration } from "@/lib/format";
import type { NodeSummary } from "../api/types";
import type { Sort, SortKey } from "../node-sort";
import { StatusBadge } from "./status-badge";

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: "hostname", label: "Node" },
  { key: "state", label: "State" },
  { key: "offsetNs", label: "Offset" },
  { key: "boundNs", label: "Error bound" },
  { key: "lastReportAt", label: "Last report" },
  { key: "agentVersion", label: "Agent" },
];
const ROW_HEIGHT = 44;

interface NodeTableProps {
  readonly nodes: readonly NodeSummary[];
  readonly sort: Sort;
  readonly onSort: (key: SortKey) => void;
}

export function NodeTable({ nodes, sort, onSort }: NodeTableProps) {
  const scroller = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: nodes.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <section
      ref={scroller}
      aria-label="Nodes"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-scrollable
      tabIndex={0}
      className="max-h-[70vh] overflow-auto rounded-lg border"
    >
      <table className="w-full whitespace-nowrap text-sm" aria-rowcount={nodes.length + 1}>
        <thead className="sticky top-0 z-10 bg-card">
          <tr aria-rowindex={1} className="border-b">
            {COLUMNS.map(({ key, label }) => {
              const active = sort.key === key;
              const Icon = !active ? ArrowUpDown : sort.dir === "asc" ? ArrowUp : ArrowDown;
              return (
                <th
                  key={key}
                  scope="col"
                  aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
                  className="h-10 px-3 text-left font-medium text-muted-foreground"
                >
                  <button
                    type="button"
                    onClick={() => onSort(key)}
                    className="inline-flex items-center gap-1 rounded-sm hover:text-foreground"
                  >
                    {label}
                    <Icon className="size-3.5" aria-hidden="true" />
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {top > 0 && (
            <tr>
              <td colSpan={COLUMNS.length} style={{ height: top }} />
            </tr>
          )}
          {items.map((item) => {
            const node = nodes[item.index];
            if (node === undefined) return null;
            return (
              <tr
                key={node.id}
                aria-rowindex={item.index + 2}
                className="border-b hover:bg-muted/60"
                style={{ height: ROW_HEIGHT }}
              >
                <td className="px-3">
                  <Link
                    to={`/nodes/${encodeURIComponent(node.id)}`}
                    className="font-medium text-primary underline-offset-4 hover:underline"
                  >
                    {node.hostname}
                  </Link>
                </td>
                <td className="px-3">
                  <StatusBadge status={node.state} />
                </td>
                <td className="px-3 tabular-nums">{formatDuration(node.offsetNs)}</td>
                <td className="px-3 tabular-nums">±{formatDuration(node.boundNs)}</td>
                <td className="px-3">
                  <Time value={node.lastReportAt} />
                </td>
                <td className="px-3">{node.agentVersion ?? "—"}</td>
              </tr>
            );
          })}
          {bottom > 0 && (
            <tr>
              <td colSpan={COLUMNS.length} style={{ height: bottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
