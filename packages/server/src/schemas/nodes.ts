/** TypeBox schemas of the dashboard's fleet routes: nodes, history, sources, policies, alerts. */
import { type Static, Type } from "@sinclair/typebox";

const N = Type.Union([Type.Number(), Type.Null()]);
const Time = Type.String({ description: "RFC 3339" });

export const NodeSchema = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  agentVersion: Type.String(),
  policyId: Type.String(),
  state: Type.String({ description: "ok / out-of-tolerance / silent / unknown" }),
  syncStatus: Type.Union([Type.String(), Type.Null()]),
  offsetNs: N,
  boundNs: N,
  frequencyPpm: N,
  cpuPercent: N,
  rssBytes: N,
  lastReportAt: Type.Union([Time, Type.Null()]),
  lastSeq: N,
  enrolledAt: Time,
  droppedReports: Type.Number(),
});

export const NodeListQuery = Type.Object({
  limit: Type.Optional(
    Type.String({ pattern: "^(1000|[1-9][0-9]{0,2})$", description: "1-1000, default 100" }),
  ),
  offset: Type.Optional(Type.String({ pattern: "^(0|[1-9][0-9]{0,8})$" })),
  sort: Type.Optional(
    Type.Union(
      ["hostname", "state", "lastReportAt", "offset", "bound", "agentVersion"].map((s) => Type.Literal(s)),
    ),
  ),
  order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")])),
  state: Type.Optional(Type.String({ maxLength: 32 })),
});
export type NodeListQuery = Static<typeof NodeListQuery>;

export const NodeList = Type.Object({ total: Type.Integer(), nodes: Type.Array(NodeSchema) });

export const SourceSampleSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  protocol: Type.String(),
  state: Type.String(),
  reach: Type.String(),
  reachable: Type.Boolean(),
  lastOffsetNs: N,
  delayNs: N,
  jitterNs: N,
  stratum: N,
  poll: N,
  falsetickers: Type.Integer(),
  score: N,
  at: Time,
});

export const NodeDetail = Type.Intersect([
  NodeSchema,
  Type.Object({
    toleranceNs: Type.Union([Type.Number(), Type.Null()], { description: "the node's policy tolerance, ns" }),
    silentAfterS: Type.Union([Type.Integer(), Type.Null()]),
    sources: Type.Array(SourceSampleSchema),
  }),
]);

export const NodeParams = Type.Object({ id: Type.String({ format: "uuid" }) });
export type NodeParams = Static<typeof NodeParams>;

export const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: "RFC 3339; default: `to` − 1 h" })),
  to: Type.Optional(Type.String({ maxLength: 40, description: "RFC 3339; default: now" })),
  resolution: Type.Optional(Type.Union([Type.Literal("raw"), Type.Literal("1m"), Type.Literal("1h")])),
});
export type HistoryQuery = Static<typeof HistoryQuery>;

export const HistorySchema = Type.Object({
  resolution: Type.String(),
  truncated: Type.Boolean(),
  points: Type.Array(
    Type.Object({
      at: Time,
      seq: Type.Optional(Type.Integer()),
      status: Type.Optional(Type.String()),
      n: Type.Integer({ description: "reports in the point" }),
      offsetNs: Type.Number({ description: "mean over the bucket" }),
      offsetMinNs: Type.Number(),
      offsetMaxNs: Type.Number(),
      boundNs: Type.Number({ description: "largest in the bucket" }),
      delayNs: N,
      jitterNs: N,
      frequencyPpm: Type.Optional(Type.Number()),
      cpuPercent: Type.Number(),
      rssBytes: Type.Number(),
    }),
  ),
});

export const SourceList = Type.Object({
  sources: Type.Array(
    Type.Intersect([
      SourceSampleSchema,
      Type.Object({
        nodes: Type.Array(
          Type.Object({
            nodeId: Type.String(),
            hostname: Type.String(),
            state: Type.String(),
            lastOffsetNs: N,
            score: N,
          }),
        ),
      }),
    ]),
  ),
});

export const PolicySchema = Type.Object({
  id: Type.String(),
  toleranceNs: Type.Number(),
  silentAfterS: Type.Integer(),
  falsetickerAlerts: Type.Boolean(),
  updatedAt: Time,
});
export const PolicyList = Type.Object({ policies: Type.Array(PolicySchema) });
export const PolicyParams = Type.Object({ id: Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" }) });
export type PolicyParams = Static<typeof PolicyParams>;
export const PolicyBody = Type.Object(
  {
    toleranceNs: Type.Integer({ minimum: 1, maximum: 9e15, description: "largest |offset|, ns" }),
    silentAfterS: Type.Integer({ minimum: 10, maximum: 30 * 86_400 }),
    falsetickerAlerts: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type PolicyBody = Static<typeof PolicyBody>;

export const NodePolicyBody = Type.Object(
  { policyId: Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" }) },
  { additionalProperties: false },
);
export type NodePolicyBody = Static<typeof NodePolicyBody>;

export const AlertQuery = Type.Object({
  open: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])),
  nodeId: Type.Optional(Type.String({ format: "uuid" })),
  limit: Type.Optional(Type.String({ pattern: "^(1000|[1-9][0-9]{0,2})$" })),
});
export type AlertQuery = Static<typeof AlertQuery>;

export const AlertList = Type.Object({
  alerts: Type.Array(
    Type.Object({
      id: Type.String(),
      nodeId: Type.String(),
      hostname: Type.String(),
      kind: Type.String(),
      sourceId: Type.String(),
      message: Type.String(),
      detail: Type.Unknown(),
      raisedAt: Time,
      resolvedAt: Type.Union([Time, Type.Null()]),
    }),
  ),
});
