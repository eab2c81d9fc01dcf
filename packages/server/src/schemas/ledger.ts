/**
 * TypeBox schemas of the log's documents (the core integrity contract), used for
 * validation, response serialization and the OpenAPI 3.1 document at /docs.
 */
import { type Static, Type } from "@sinclair/typebox";

const Hash = Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256, lowercase hex" });
const Seq = Type.String({ pattern: "^(0|[1-9][0-9]{0,18})$", description: "sequence number, decimal" });

export const LogEntrySchema = Type.Object(
  {
    seq: Seq,
    kind: Type.String(),
    time: Type.String({ description: "RFC 3339 with nanoseconds" }),
    payload: Type.Unknown(),
    prevHash: Hash,
  },
  { $id: "LogEntry" },
);

export const CheckpointSchema = Type.Object({
  logId: Type.String(),
  firstSeq: Seq,
  lastSeq: Seq,
  treeSize: Type.Integer({ minimum: 1 }),
  rootHash: Hash,
  prevCheckpointHash: Hash,
  time: Type.String(),
  keyId: Type.String(),
});

export const SignedCheckpointSchema = Type.Object({
  checkpoint: CheckpointSchema,
  signature: Type.String({ description: "Ed25519 signature, base64" }),
});

export const ReceiptSchema = Type.Object({
  version: Type.Literal(1),
  entry: LogEntrySchema,
  entryHash: Hash,
  checkpoint: Type.Optional(SignedCheckpointSchema),
  leafIndex: Type.Optional(Type.Integer({ minimum: 0 })),
  proof: Type.Optional(Type.Array(Hash)),
});

/** An exported entry: a record batch carries its records (not part of the entry hash). */
export const ExportedEntrySchema = Type.Object({
  seq: Seq,
  kind: Type.String(),
  time: Type.String({ description: "RFC 3339 with nanoseconds" }),
  payload: Type.Unknown(),
  prevHash: Hash,
  records: Type.Optional(
    Type.Array(Type.Unknown(), { description: "a record batch's records, in order (leaf i = record i)" }),
  ),
});

/** Proof of one record of a record batch entry (docs/ledger-format.md). */
export const RecordReceiptSchema = Type.Object({
  version: Type.Literal(2),
  record: Type.Unknown(),
  recordIndex: Type.Integer({ minimum: 0 }),
  recordProof: Type.Array(Hash),
  receipt: ReceiptSchema,
});

export const LogExportSchema = Type.Object({
  version: Type.Literal(1),
  entries: Type.Array(ExportedEntrySchema),
  checkpoints: Type.Array(SignedCheckpointSchema),
});

export const CheckpointPageSchema = Type.Object({
  checkpoints: Type.Array(Type.Intersect([Type.Object({ index: Seq }), SignedCheckpointSchema])),
  nextIndex: Type.Union([Seq, Type.Null()]),
});

export const KeySetSchema = Type.Object({
  keys: Type.Array(
    Type.Object({
      keyId: Type.String(),
      algorithm: Type.Literal("Ed25519"),
      publicKey: Type.String({ description: "raw 32-byte Ed25519 public key, base64" }),
      createdAt: Type.String(),
      retiredAt: Type.Optional(Type.String()),
    }),
  ),
});

export const SeqParams = Type.Object({ seq: Seq });
export type SeqParams = Static<typeof SeqParams>;

export const RecordParams = Type.Object({
  seq: Seq,
  index: Type.String({ pattern: "^(0|[1-9][0-9]{0,8})$", description: "record index in the batch" }),
});
export type RecordParams = Static<typeof RecordParams>;

export const CheckpointQuery = Type.Object({
  from: Type.Optional(Seq),
  limit: Type.Optional(
    Type.String({ pattern: "^(1000|[1-9][0-9]{0,2})$", description: "1-1000, default 100" }),
  ),
});
export type CheckpointQuery = Static<typeof CheckpointQuery>;

export const ExportQuery = Type.Object({
  from: Type.Optional(Seq),
  to: Type.Optional(Seq),
});
export type ExportQuery = Static<typeof ExportQuery>;

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String(),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String() }))),
});
