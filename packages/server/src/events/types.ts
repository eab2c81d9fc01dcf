/**
 * Live fleet events, as sent on `GET /api/events` (Server-Sent Events) and through
 * PostgreSQL NOTIFY between server processes. Each is small (NOTIFY payloads are capped
 * at 8000 bytes): dashboards fetch details from the REST API.
 */

/** A batch of reports was stored for a node. */
export interface ReportEvent {
  readonly type: "report";
  readonly nodeId: string;
  readonly hostname: string;
  readonly accepted: number;
  readonly lastSeq: number;
  /** The newest report's instant (RFC 3339). */
  readonly at: string;
  readonly offsetNs: number;
  readonly boundNs: number;
  readonly status: string;
}

/** A node's state changed (ok, out-of-tolerance, silent, unknown). */
export interface NodeStateEvent {
  readonly type: "node-state";
  readonly nodeId: string;
  readonly hostname: string;
  readonly from: string;
  readonly to: string;
}

/** An alert was raised or resolved. */
export interface AlertEvent {
  readonly type: "alert";
  readonly action: "raised" | "resolved";
  readonly alertId: string;
  readonly nodeId: string;
  readonly hostname: string;
  readonly kind: AlertKind;
  readonly sourceId: string;
  readonly message: string;
}

export type AlertKind = "offset" | "falseticker" | "silent";

/**
 * A user's access tokens were revoked (disabled, deleted, re-roled, password reset); only
 * between server processes — never sent to event streams.
 */
export interface UserRevokedEvent {
  readonly type: "user-revoked";
  readonly userId: string;
  /** Tokens issued up to this instant (epoch ms) are refused. */
  readonly atMs: number;
}

export type FleetEventBody = ReportEvent | NodeStateEvent | AlertEvent | UserRevokedEvent;

/** An event as delivered: the body plus a unique id and the publishing time. */
export type FleetEvent = FleetEventBody & { readonly id: string; readonly time: string };
