/** A node's state as a coloured badge with its word (colour is never the only cue). */
import { Badge } from "@/components/ui/badge";
import type { NodeState } from "../api/types";

const VARIANT: Record<string, "success" | "destructive" | "warning" | "secondary"> = {
  ok: "success",
  "out-of-tolerance": "destructive",
  silent: "warning",
};

export function StatusBadge({ status }: { status: NodeState }) {
  return <Badge variant={VARIANT[status] ?? "secondary"}>{status}</Badge>;
}
