/** TypeBox schemas of a source's falseticker history (`fleet/source-history.ts`). */
import { type Static, Type } from "@sinclair/typebox";

export const FalsetickerHistoryQuery = Type.Object(
  {
    sourceId: Type.String({
      minLength: 1,
      maxLength: 512,
      description: "the source's id (`GET /api/timestamps/sources`)",
    }),
    from: Type.String({ maxLength: 40, description: "RFC 3339" }),
    to: Type.String({ maxLength: 40, description: "RFC 3339" }),
    buckets: Type.Optional(
      Type.String({
        pattern: "^(500|[1-4][0-9]{2}|[1-9][0-9]?)$",
        description: "1-500: about this many buckets (default 120)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type FalsetickerHistoryQuery = Static<typeof FalsetickerHistoryQuery>;

export const FalsetickerHistorySchema = Type.Object({
  sourceId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  bucketSeconds: Type.Integer(),
  buckets: Type.Array(
    Type.Object({
      at: Type.String({ description: "start of the bucket" }),
      nodes: Type.Integer({ description: "nodes that reported the source in the bucket" }),
      falsetickerNodes: Type.Integer({ description: "of those, nodes that rejected it as a falseticker" }),
    }),
  ),
  periods: Type.Array(
    Type.Object({
      nodeId: Type.String(),
      hostname: Type.Union([Type.String(), Type.Null()]),
      from: Type.String({ description: "first report of the period that flagged the source" }),
      to: Type.String({ description: "last report of the period that flagged it" }),
      endedAt: Type.Union([Type.String(), Type.Null()], {
        description: "the node's next report no longer flagging it; null while flagged up to the range's end",
      }),
      reports: Type.Integer(),
    }),
  ),
  truncated: Type.Boolean({ description: "more than 1000 periods: the latest were left out" }),
});
