/** The live stream's state, announced politely to screen readers when it changes. */
import { Badge } from "@/components/ui/badge";
import type { StreamState } from "@/lib/event-stream";

const LABELS: Record<StreamState, string> = {
  connecting: "Connecting to live updates…",
  open: "Live",
  reconnecting: "Live updates interrupted — reconnecting…",
};

export function LiveStatus({ state }: { state: StreamState }) {
  return (
    <div role="status" aria-live="polite" className="text-sm">
      <Badge variant={state === "open" ? "success" : state === "reconnecting" ? "warning" : "secondary"}>
        {LABELS[state]}
      </Badge>
    </div>
  );
}
