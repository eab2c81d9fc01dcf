/**
 * TypeBox schemas of the agent-facing fleet routes (docs/report-protocol.md): enrollment
 * and report batches. Numbers in ns are JSON numbers within ±9e15 (about 104 days).
 */
import { type Static, Type } from "@sinclair/typebox";

const MAX_NS = 9e15;
const Ns = Type.Number({ minimum: -MAX_NS, maximum: MAX_NS });
const NsOrNull = Type.Union([Ns, Type.Null()]);
const Rfc3339 = Type.String({
  pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$",
  description: "RFC 3339",
});

export const EnrollBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 256 }),
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    agentVersion: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type EnrollBody = Static<typeof EnrollBody>;

export const EnrollResponse = Type.Object({
  nodeId: Type.String({ format: "uuid" }),
  clientId: Type.String(),
  clientSecret: Type.String({ description: "shown once; stored hashed" }),
  scopes: Type.Array(Type.String()),
});

export const ReportSourceSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 512 }),
  url: Type.String({ maxLength: 2048 }),
  /** What the source measures with now (agents before issue 6 omit it: the URL's scheme then). */
  protocol: Type.Optional(Type.String({ pattern: "^[a-z][a-z0-9+.-]{0,31}$" })),
  state: Type.String({ pattern: "^[a-z][a-z-]{0,31}$" }),
  reach: Type.String({ pattern: "^[0-7]{1,3}$" }),
  lastOffsetNs: NsOrNull,
  delayNs: NsOrNull,
  jitterNs: NsOrNull,
  stratum: Type.Union([Type.Integer({ minimum: 0, maximum: 16 }), Type.Null()]),
  poll: Type.Union([Type.Integer({ minimum: -32, maximum: 32 }), Type.Null()]),
  falsetickers: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }),
  score: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
});
export type ReportSource = Static<typeof ReportSourceSchema>;

export const ReportSchema = Type.Object({
  seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  at: Rfc3339,
  tracking: Type.Object({
    offsetNs: Ns,
    frequencyPpm: Type.Number({ minimum: -1e6, maximum: 1e6 }),
    boundNs: Type.Number({ minimum: 0, maximum: MAX_NS }),
    status: Type.Union([
      Type.Literal("synchronized"),
      Type.Literal("holdover"),
      Type.Literal("unsynchronized"),
    ]),
  }),
  sources: Type.Array(ReportSourceSchema, { maxItems: 64 }),
  resources: Type.Object({
    cpuPercent: Type.Number({ minimum: 0, maximum: 1e5 }),
    rssBytes: Type.Number({ minimum: 0, maximum: MAX_NS }),
  }),
  agentVersion: Type.String({ minLength: 1, maxLength: 64 }),
});
export type Report = Static<typeof ReportSchema>;

export const ReportBatchBody = Type.Object({
  nodeId: Type.String({ format: "uuid" }),
  batchId: Type.String({ minLength: 1, maxLength: 128 }),
  reports: Type.Array(ReportSchema, { minItems: 1, maxItems: 500 }),
  dropped: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
});
export type ReportBatchBody = Static<typeof ReportBatchBody>;

export const LastSeqResponse = Type.Object({
  nodeId: Type.String({ format: "uuid" }),
  /** The highest seq stored for the node; 0 before its first report. */
  lastSeq: Type.Integer({ minimum: 0 }),
});

export const ReportBatchResponse = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
});
