/**
 * Fleet tables (issue 4 §5): enrollment tokens, nodes and their OAuth clients, agent
 * reports as time series with 1-minute and 1-hour rollups, idempotency keys, policies and
 * alerts. Unlike the log's tables these are ordinary: the retention job deletes old rows.
 * Nanosecond values are `bigint`; wall-clock columns are `timestamptz` (ms) for ranges.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const ns = (name: string) => bigint(name, { mode: "bigint" });

/** One-time, expiring enrollment tokens; only a SHA-256 hash of the token is kept. */
export const enrollmentTokens = pgTable("enrollment_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  tokenHash: text("token_hash").notNull().unique(),
  label: text("label").notNull().default(""),
  createdBy: text("created_by").notNull(),
  createdAt: ts("created_at").notNull(),
  expiresAt: ts("expires_at").notNull(),
  usedAt: ts("used_at"),
  nodeId: uuid("node_id"),
  revokedAt: ts("revoked_at"),
});

/** Alert thresholds; the row `default` always exists (seeded by a migration). */
export const policies = pgTable("policies", {
  id: text("id").primaryKey(),
  toleranceNs: ns("tolerance_ns").notNull(),
  silentAfterS: integer("silent_after_s").notNull(),
  falsetickerAlerts: boolean("falseticker_alerts").notNull().default(true),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** Enrolled nodes with their current state (updated by each accepted report). */
export const nodes = pgTable(
  "nodes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hostname: text("hostname").notNull(),
    agentVersion: text("agent_version").notNull(),
    policyId: text("policy_id").references(() => policies.id),
    enrolledAt: ts("enrolled_at").notNull(),
    lastReportAt: ts("last_report_at"),
    lastSeq: ns("last_seq"),
    /** ok / out-of-tolerance / silent / unknown (no report yet). */
    state: text("state").notNull().default("unknown"),
    /** The agent's tracking status: synchronized / holdover / unsynchronized. */
    syncStatus: text("sync_status"),
    offsetNs: ns("offset_ns"),
    boundNs: ns("bound_ns"),
    frequencyPpm: doublePrecision("frequency_ppm"),
    cpuPercent: doublePrecision("cpu_percent"),
    rssBytes: ns("rss_bytes"),
    droppedReports: ns("dropped_reports").notNull().default(sql`0`),
  },
  (t) => [index("nodes_hostname_idx").on(t.hostname)],
);

/** OAuth 2.0 confidential clients of nodes (RFC 6749 §2.1); secrets as SHA-256 hashes. */
export const oauthClients = pgTable("oauth_clients", {
  clientId: text("client_id").primaryKey(),
  secretHash: text("secret_hash").notNull(),
  nodeId: uuid("node_id")
    .notNull()
    .references(() => nodes.id, { onDelete: "cascade" }),
  scopes: text("scopes").array().notNull(),
  createdAt: ts("created_at").notNull(),
  revokedAt: ts("revoked_at"),
  lastUsedAt: ts("last_used_at"),
});

/** Completed report batches by Idempotency-Key, kept ≥ 24 h (replays answer the same 202). */
export const reportBatches = pgTable(
  "report_batches",
  {
    nodeId: uuid("node_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    bodyHash: text("body_hash").notNull(),
    accepted: integer("accepted").notNull(),
    duplicates: integer("duplicates").notNull(),
    receivedAt: ts("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.idempotencyKey] })],
);

/** One row per report: the node's tracking, the selected source's delay/jitter, resources. */
export const nodeReports = pgTable(
  "node_reports",
  {
    nodeId: uuid("node_id").notNull(),
    seq: ns("seq").notNull(),
    atNs: ns("at_ns").notNull(),
    at: ts("at").notNull(),
    receivedAt: ts("received_at").notNull(),
    status: text("status").notNull(),
    offsetNs: ns("offset_ns").notNull(),
    boundNs: ns("bound_ns").notNull(),
    frequencyPpm: doublePrecision("frequency_ppm").notNull(),
    delayNs: ns("delay_ns"),
    jitterNs: ns("jitter_ns"),
    cpuPercent: doublePrecision("cpu_percent").notNull(),
    rssBytes: ns("rss_bytes").notNull(),
    agentVersion: text("agent_version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.seq] }),
    index("node_reports_node_at_idx").on(t.nodeId, t.atNs),
    index("node_reports_at_idx").on(t.at),
  ],
);

/** Per-source rows of each report. */
export const nodeSourceSamples = pgTable(
  "node_source_samples",
  {
    nodeId: uuid("node_id").notNull(),
    seq: ns("seq").notNull(),
    sourceId: text("source_id").notNull(),
    at: ts("at").notNull(),
    url: text("url").notNull(),
    protocol: text("protocol").notNull(),
    state: text("state").notNull(),
    reach: text("reach").notNull(),
    lastOffsetNs: ns("last_offset_ns"),
    delayNs: ns("delay_ns"),
    jitterNs: ns("jitter_ns"),
    stratum: integer("stratum"),
    poll: integer("poll"),
    falsetickers: integer("falsetickers").notNull(),
    score: doublePrecision("score"),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.seq, t.sourceId] }),
    index("node_source_samples_at_idx").on(t.at),
  ],
);

/** Aggregates per node and bucket, `resolution` '1m' or '1h', maintained on insert. */
export const reportRollups = pgTable(
  "report_rollups",
  {
    nodeId: uuid("node_id").notNull(),
    resolution: text("resolution").notNull(),
    bucket: ts("bucket").notNull(),
    n: integer("n").notNull(),
    offsetSum: doublePrecision("offset_sum").notNull(),
    offsetMin: ns("offset_min").notNull(),
    offsetMax: ns("offset_max").notNull(),
    boundMax: ns("bound_max").notNull(),
    boundSum: doublePrecision("bound_sum").notNull(),
    delaySum: doublePrecision("delay_sum").notNull(),
    delayN: integer("delay_n").notNull(),
    jitterSum: doublePrecision("jitter_sum").notNull(),
    jitterN: integer("jitter_n").notNull(),
    cpuSum: doublePrecision("cpu_sum").notNull(),
    rssMax: ns("rss_max").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.resolution, t.bucket] }),
    index("report_rollups_bucket_idx").on(t.bucket),
  ],
);

/** Alerts: one open row per (node, kind, source) at most; resolved rows stay as history. */
export const alerts = pgTable(
  "alerts",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    nodeId: uuid("node_id").notNull(),
    kind: text("kind").notNull(),
    sourceId: text("source_id").notNull().default(""),
    message: text("message").notNull(),
    detail: jsonb("detail").notNull(),
    raisedAt: ts("raised_at").notNull(),
    resolvedAt: ts("resolved_at"),
  },
  (t) => [
    uniqueIndex("alerts_open_idx").on(t.nodeId, t.kind, t.sourceId).where(sql`resolved_at IS NULL`),
    index("alerts_raised_idx").on(t.raisedAt),
  ],
);

/**
 * The alert webhook's outbox: a delivery row is written in the transaction that raises or
 * resolves the alert, so no alert is lost to a crash; any server process may deliver it
 * (claimed with a lease, `FOR UPDATE SKIP LOCKED`), retried with backoff.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    body: text("body").notNull(),
    createdAt: ts("created_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull(),
    deliveredAt: ts("delivered_at"),
    failedAt: ts("failed_at"),
    lastError: text("last_error"),
  },
  (t) => [
    index("webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`delivered_at IS NULL AND failed_at IS NULL`),
  ],
);
