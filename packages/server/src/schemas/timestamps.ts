/**
 * TypeBox schemas of the seed's timestamp API (issue 4 §3; seed section 6):
 * `POST /api/timestamps/normalize` and `POST /api/timestamps/verify`. docs/api-timestamps.md
 * describes the fields.
 */
import { type Static, Type } from "@sinclair/typebox";
import { ReceiptSchema } from "./ledger.js";

/** Most timestamps in one normalize request. */
export const MAX_TIMESTAMPS = 10_000;
/** Most receipts or records in one verify request. */
export const MAX_VERIFY_ITEMS = 1_000;
/** Epoch milliseconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z. */
const MIN_EPOCH_MS = -62_167_219_200_000;
const MAX_EPOCH_MS = 253_402_300_799_999;

/** Epoch ms (number), epoch ns (decimal string) or RFC 3339 text. */
const TimestampValue = Type.Union(
  [
    Type.Number({ minimum: MIN_EPOCH_MS, maximum: MAX_EPOCH_MS, description: "epoch milliseconds" }),
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: "RFC 3339 (e.g. 2023-12-20T06:35:23.456789Z) or a decimal string of epoch nanoseconds",
    }),
  ],
  { description: "epoch ms as a number, an RFC 3339 string, or a decimal string of epoch ns" },
);

const Text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, description });

export const NormalizeTimestampItem = Type.Object(
  {
    value: TimestampValue,
    precision: Type.Optional(
      Type.Number({ minimum: 0, maximum: 86_400, description: "claimed precision, seconds (default 0)" }),
    ),
    source: Type.Optional(Text(512, "the origin's time source, e.g. ntp://pool.ntp.org")),
  },
  { additionalProperties: false },
);

export const NormalizeBody = Type.Object(
  {
    sourceId: Text(256, "the origin (an enrolled node id, or any system name)"),
    timestamps: Type.Array(NormalizeTimestampItem, { minItems: 1, maxItems: MAX_TIMESTAMPS }),
    requestMetadata: Type.Optional(
      Type.Object(
        {
          clientId: Type.Optional(Text(256, "the client's own identifier")),
          requestTimestamp: Type.Optional(TimestampValue),
          roundTripMs: Type.Optional(
            Type.Number({
              minimum: 0,
              maximum: 60_000,
              description: "a round trip the client measured to this server, ms (latency = half of it)",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type NormalizeBody = Static<typeof NormalizeBody>;

const Flag = Type.Union([Type.Literal("TIMESTAMP_DIVERGENCE"), Type.Literal("PRECISION_THRESHOLD_EXCEEDED")]);
const Ns = (description: string) => Type.String({ pattern: "^-?[0-9]+$", description });

/** The seed's TimestampRecord plus our exact fields; what is appended to the log. */
export const TimestampRecordFields = {
  sourceId: Type.String(),
  source: Type.Optional(Type.String()),
  clientId: Type.Optional(Type.String()),
  receivedAt: Type.String({ description: "the server's receive time, RFC 3339 with nanoseconds" }),
  originalTimestamp: Type.Number({ description: "epoch ms as received" }),
  normalizedTimestamp: Type.Number({ description: "epoch ms on UTC (exact value in `normalized`)" }),
  precision: Type.Number({ description: "claimed precision, seconds" }),
  networkLatency: Type.Number({
    description: "one-way latency compensated for, ms (0 unless request-latency)",
  }),
  original: Type.String({ description: "RFC 3339 with nanoseconds, the origin's clock" }),
  normalized: Type.String({ description: "RFC 3339 with nanoseconds, UTC" }),
  offsetNs: Ns("offset applied, ns (normalized − original)"),
  uncertaintyNs: Ns("half-width of the interval holding true UTC, ns"),
  method: Type.Union([Type.Literal("agent-history"), Type.Literal("request-latency"), Type.Literal("none")]),
  flags: Type.Array(Flag),
};

/** A record as logged (one record of a `timestamp.batch` entry). */
export const LoggedRecordSchema = Type.Object(TimestampRecordFields);
export type LoggedRecord = Static<typeof LoggedRecordSchema>;

export const NormalizedRecordSchema = Type.Object({
  ...TimestampRecordFields,
  integrityHash: Type.String({
    description: 'the record hash: SHA-256 hex of "chronosync-record-v1\\n" and the record\'s canonical JSON',
  }),
  recordIndex: Type.Integer({
    minimum: 0,
    description: "the record's position in the batch entry (the response holds the whole batch, in order)",
  }),
});

export const NormalizeResponse = Type.Object({
  receivedAt: Type.String({ description: "the server's receive time, RFC 3339" }),
  receipt: ReceiptSchema,
  records: Type.Array(NormalizedRecordSchema),
});

/** Loosely typed items: malformed ones get a per-item reason, not a 400. */
const Item = Type.Object({}, { additionalProperties: true });

export const VerifyBody = Type.Object(
  {
    receipt: Type.Optional(Item),
    receipts: Type.Optional(Type.Array(Item, { minItems: 1, maxItems: MAX_VERIFY_ITEMS })),
    records: Type.Optional(Type.Array(Item, { minItems: 1, maxItems: MAX_VERIFY_ITEMS })),
    range: Type.Optional(
      Type.Object(
        {
          from: Type.String({ pattern: "^(0|[1-9][0-9]{0,18})$" }),
          to: Type.String({ pattern: "^(0|[1-9][0-9]{0,18})$" }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 2,
    description:
      "exactly one of receipt, receipts, records or range — except records with receipt: a normalize response's records checked against its receipt",
  },
);
export type VerifyBody = Static<typeof VerifyBody>;

export const VerifyItemResult = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  seq: Type.Optional(Type.String()),
  valid: Type.Boolean(),
  code: Type.Optional(Type.Literal("CRYPTO_VERIFICATION_FAILED")),
  reason: Type.Optional(Type.String()),
  firstBadSeq: Type.Optional(Type.String()),
  sealed: Type.Optional(Type.Boolean()),
  detail: Type.Optional(Type.Unknown()),
});
export type VerifyItemResult = Static<typeof VerifyItemResult>;

export const VerifyResponse = Type.Object({
  valid: Type.Boolean({ description: "true when every item is valid" }),
  results: Type.Array(VerifyItemResult),
  range: Type.Optional(
    Type.Object({
      from: Type.String(),
      to: Type.String(),
      entries: Type.Integer(),
      checkpoints: Type.Integer(),
      unsealed: Type.Integer({ description: "entries after the last checkpoint (not yet sealed)" }),
    }),
  ),
});
export type VerifyResponse = Static<typeof VerifyResponse>;
