/**
 * The report buffer's cursor file (docs/report-protocol.md, "Agent buffer"): what the
 * server accepted, what was dropped, and the batch in flight. Written atomically (temp +
 * rename) by `buffer.ts`; this codec is pure.
 */

/** A batch chosen and persisted before its first send: resent with the same id after a crash. */
export interface InflightBatch {
  /** The `Idempotency-Key` and `batchId`: a UUID. */
  readonly id: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The `dropped` count the batch carries. */
  readonly dropped: number;
}

export interface BufferCursor {
  /** Highest seq the server accepted (0: none). */
  readonly ackedSeq: number;
  /** Highest seq dropped for the bound (0: none); seqs are never reused below it. */
  readonly droppedThroughSeq: number;
  /** Reports dropped and not yet told to the server in an accepted batch. */
  readonly dropped: number;
  readonly batch: InflightBatch | null;
  /**
   * False while the seqs of a buffer created empty were not yet checked against the
   * server's last stored seq (`GET /api/agents/reports/last-seq`): an agent that lost its
   * buffer but kept its credentials starts again at seq 1, below what the server holds.
   * Cursors written before this field existed, and corrupt ones, count as checked.
   */
  readonly confirmed: boolean;
}

export const EMPTY_CURSOR: BufferCursor = {
  ackedSeq: 0,
  droppedThroughSeq: 0,
  dropped: 0,
  batch: null,
  confirmed: true,
};

export function encodeCursor(c: BufferCursor): string {
  return `${JSON.stringify({ version: 1, ...c })}\n`;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function decodeBatch(v: unknown): InflightBatch | null | undefined {
  if (v === null) return null;
  const b = v as Partial<InflightBatch> | undefined;
  if (typeof b !== "object" || typeof b.id !== "string" || b.id === "") return undefined;
  if (!count(b.fromSeq) || !count(b.toSeq) || !count(b.dropped) || b.fromSeq > b.toSeq) return undefined;
  return { id: b.id, fromSeq: b.fromSeq, toSeq: b.toSeq, dropped: b.dropped };
}

/** The cursor in `text`, or a reason it is not one. */
export function decodeCursor(
  text: string,
): { ok: true; cursor: BufferCursor } | { ok: false; reason: string } {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (typeof o !== "object" || o === null || o.version !== 1) return { ok: false, reason: "not version 1" };
  const batch = decodeBatch(o.batch ?? null);
  if (!count(o.ackedSeq) || !count(o.droppedThroughSeq) || !count(o.dropped) || batch === undefined)
    return { ok: false, reason: "bad fields" };
  if (o.confirmed !== undefined && typeof o.confirmed !== "boolean")
    return { ok: false, reason: "bad fields" };
  return {
    ok: true,
    cursor: {
      ackedSeq: o.ackedSeq,
      droppedThroughSeq: o.droppedThroughSeq,
      dropped: o.dropped,
      batch,
      confirmed: o.confirmed ?? true,
    },
  };
}
