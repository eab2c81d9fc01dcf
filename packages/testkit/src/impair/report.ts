/**
 * What the impairment relay actually did: one record per packet and a summary per
 * direction. Applied delay = (time the packet was sent on) − (time it was received),
 * both read from the monotonic clock inside the relay.
 */

export type Direction = "up" | "down";

/** One packet through the relay. Times in ms; `atMs` is relative to the relay's start. */
export interface PacketRecord {
  direction: Direction;
  /** Per-direction sequence number, from 0 in order of receipt. */
  seq: number;
  /** The client's address `host:port` (its session). */
  client: string;
  bytes: number;
  atMs: number;
  /** The delay drawn for it: base + jitter (+ reorder hold), at least 0. */
  plannedMs: number;
  /** The delay it really got; null when lost, or never sent (relay stopped first). */
  appliedMs: number | null;
  lost: boolean;
  reordered: boolean;
}

export interface DelayStats {
  count: number;
  minMs: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Spread of a relay timing error, ms. */
export interface ErrorStats {
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface DirectionSummary {
  received: number;
  forwarded: number;
  lost: number;
  /** Packets chosen for reordering (held back an extra reorderExtraMs). */
  reordered: number;
  /** Packets actually sent after a packet of the same direction received later than them. */
  outOfOrder: number;
  /** Scheduled but never sent because the relay was stopped. */
  unsent: number;
  sendErrors: number;
  applied: DelayStats | null;
  /** |applied − planned|: the relay's own timing error. */
  error: ErrorStats | null;
  /**
   * Time spent inside `socket.send()`, part of the error above: on loopback the kernel
   * delivers to the receiver within the call, so "sent" is read after it returns.
   */
  sendCall: ErrorStats | null;
}

export type StopReason = "stopped" | "max-packets" | "max-seconds" | "error";

export interface ImpairmentReport {
  listen: string;
  target: string;
  durationMs: number;
  stopReason: StopReason | null;
  sessions: number;
  up: DirectionSummary;
  down: DirectionSummary;
  records: PacketRecord[];
  /** Records not kept because of `maxRecords` (the summary still counts them). */
  recordsOmitted: number;
}

function round(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile of a sorted, non-empty array. */
function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function spread(sorted: Float64Array): ErrorStats | null {
  if (sorted.length === 0) return null;
  return {
    medianMs: round(median(sorted)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

/** Accumulates one direction's counters and delays. */
export class DirectionTally {
  received = 0;
  forwarded = 0;
  lost = 0;
  reordered = 0;
  outOfOrder = 0;
  unsent = 0;
  sendErrors = 0;
  private maxSentSeq = -1;
  private applied: number[] = [];
  private errors: number[] = [];
  private sendCalls: number[] = [];

  sent(seq: number, plannedMs: number, appliedMs: number, sendCallMs: number): void {
    this.sendCalls.push(sendCallMs);
    this.forwarded++;
    if (seq < this.maxSentSeq) this.outOfOrder++;
    else this.maxSentSeq = seq;
    this.applied.push(appliedMs);
    this.errors.push(Math.abs(appliedMs - plannedMs));
  }

  summary(): DirectionSummary {
    const applied = Float64Array.from(this.applied).sort();
    const errors = Float64Array.from(this.errors).sort();
    const sendCalls = Float64Array.from(this.sendCalls).sort();
    const n = applied.length;
    return {
      received: this.received,
      forwarded: this.forwarded,
      lost: this.lost,
      reordered: this.reordered,
      outOfOrder: this.outOfOrder,
      unsent: this.unsent,
      sendErrors: this.sendErrors,
      applied:
        n === 0
          ? null
          : {
              count: n,
              minMs: round(applied[0]!),
              medianMs: round(median(applied)),
              p99Ms: round(percentile(applied, 99)),
              maxMs: round(applied[n - 1]!),
              meanMs: round(this.applied.reduce((a, b) => a + b, 0) / n),
            },
      error: spread(errors),
      sendCall: spread(sendCalls),
    };
  }
}

/** Rounds a record's times to the nanosecond for a stable JSON form. */
export function roundRecord(record: PacketRecord): PacketRecord {
  return {
    ...record,
    atMs: round(record.atMs),
    plannedMs: round(record.plannedMs),
    appliedMs: record.appliedMs === null ? null : round(record.appliedMs),
  };
}
