/** Alert rows as events and as webhook documents (pure). */
import type { AlertChange } from "../alerts/store.js";
import type { AlertEvent } from "../events/types.js";

export function alertEvent(change: AlertChange, hostname: string): AlertEvent {
  const a = change.alert;
  return {
    type: "alert",
    action: change.action,
    alertId: a.id,
    nodeId: a.node_id,
    hostname,
    kind: a.kind,
    sourceId: a.source_id,
    message: a.message,
  };
}

/** The JSON body POSTed to the alert webhook. */
export function webhookDocument(change: AlertChange, hostname: string) {
  const a = change.alert;
  return {
    event: `alert.${change.action}`,
    alert: {
      id: a.id,
      nodeId: a.node_id,
      hostname,
      kind: a.kind,
      sourceId: a.source_id,
      message: a.message,
      detail: a.detail,
      raisedAt: a.raised_at.toISOString(),
      resolvedAt: a.resolved_at?.toISOString() ?? null,
    },
  };
}
