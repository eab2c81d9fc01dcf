/**
 * Silent nodes: a node whose last report (or enrollment, before any) is older than its
 * policy's `silent_after_s` turns `silent`, with an alert. The UPDATE … WHERE state <>
 * 'silent' RETURNING lets exactly one server process make each transition; with `webhook`,
 * the alerts are queued in the webhook outbox in the same transaction.
 */
import type pg from "pg";
import type { EventBus } from "../events/bus.js";
import { alertEvent, webhookDocument } from "../fleet/publish.js";
import { withTransaction } from "../fleet/tx.js";
import { enqueueDeliveries } from "./outbox.js";
import { type AlertChange, raiseAlert } from "./store.js";

export async function markSilentNodes(
  pool: pg.Pool,
  bus: EventBus,
  now: Date,
  webhook = false,
): Promise<(AlertChange & { hostname: string })[]> {
  return withTransaction(pool, async (client) => {
    const silent = await client.query<{
      id: string;
      hostname: string;
      from: string;
      since: Date;
      after: number;
    }>(
      `WITH due AS (
         SELECT n.id, n.state AS from, COALESCE(n.last_report_at, n.enrolled_at) AS since, p.silent_after_s AS after
         FROM nodes n JOIN policies p ON p.id = COALESCE(n.policy_id, 'default')
         WHERE n.state <> 'silent'
           AND COALESCE(n.last_report_at, n.enrolled_at) < $1::timestamptz - make_interval(secs => p.silent_after_s)
         FOR UPDATE OF n SKIP LOCKED)
       UPDATE nodes SET state = 'silent' FROM due WHERE nodes.id = due.id
       RETURNING nodes.id, nodes.hostname, due.from, due.since, due.after`,
      [now],
    );
    const changes: (AlertChange & { hostname: string })[] = [];
    for (const node of silent.rows) {
      await bus.publish(
        { type: "node-state", nodeId: node.id, hostname: node.hostname, from: node.from, to: "silent" },
        client,
      );
      const alert = await raiseAlert(
        client,
        node.id,
        {
          kind: "silent",
          sourceId: "",
          message: `no report since ${node.since.toISOString()} (more than ${node.after} s)`,
          detail: { lastReportAt: node.since.toISOString(), silentAfterS: node.after },
        },
        now,
      );
      if (alert === undefined) continue;
      const change: AlertChange = { action: "raised", alert };
      await bus.publish(alertEvent(change, node.hostname), client);
      changes.push({ ...change, hostname: node.hostname });
    }
    if (webhook)
      await enqueueDeliveries(
        client,
        changes.map((c) => webhookDocument(c, c.hostname)),
        now,
      );
    return changes;
  });
}
