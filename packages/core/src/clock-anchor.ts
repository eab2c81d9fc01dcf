/**
 * Anchoring a fine monotonic counter to a coarse wall clock: the algorithm behind
 * {@link SystemClock}, over injected readers so it can be tested and measured.
 *
 * The wall clock (`Date.now()`) only has milliseconds, but the instant it ticks from
 * `w − 1` to `w` is exactly `w` ms. Spin reading it between monotonic reads; when it
 * changes, the tick edge lies between the monotonic read taken before the previous wall
 * read and the one taken after the current wall read. That bracket (≈ two reads of each
 * clock, some 100–200 ns) bounds the anchor's error; its midpoint is the estimate.
 */
import type { Instant } from "./time.js";

/** The two clocks a {@link SystemClock} combines. */
export interface ClockReaders {
  /** Wall clock, whole milliseconds since the Unix epoch, floored (like `Date.now()`). */
  readonly readWallMs: () => number;
  /** Monotonic counter in nanoseconds (like `process.hrtime.bigint()`). */
  readonly readHrNs: () => bigint;
}

/** A point where the wall clock read exactly `wallNs` while the counter read `hrNs`. */
export interface ClockAnchor {
  readonly wallNs: Instant;
  /** Midpoint of the bracket: the anchor is uncertain by ±`bracketNs`/2. */
  readonly hrNs: bigint;
  readonly bracketNs: bigint;
  /** False when no tick edge was seen in time: then `wallNs` is mid-millisecond, bracket 1 ms. */
  readonly edgeFound: boolean;
}

export interface FindAnchorOptions {
  /** Tick edges to observe; the one with the tightest bracket wins. Default 1. */
  readonly edges?: number;
  /** Keep spinning past `edges` until a bracket is at most this wide. Default 5 µs. */
  readonly goodBracketNs?: bigint;
  /**
   * Stop after this much counter time with the best edge seen. Default 10 ms. Without any
   * usable edge yet (the thread was descheduled, say) keep trying up to 10× as long.
   */
  readonly maxWaitNs?: bigint;
}

const MAX_SPINS = 50_000_000;
const MAX_TICKS = 200;
/** An anchor bracket this narrow is good enough to stop spinning (5 µs). */
export const DEFAULT_GOOD_BRACKET_NS = 5_000n;

/**
 * Spins on the wall clock until it ticks, `edges` times, and returns the anchor with the
 * tightest bracket. A tick of more than one millisecond (a step, or the thread was
 * descheduled) is not used. Costs up to 1 ms per edge of busy-waiting.
 */
export function findClockAnchor(readers: ClockReaders, options: FindAnchorOptions = {}): ClockAnchor {
  const { readWallMs, readHrNs } = readers;
  const edges = options.edges ?? 1;
  const goodBracketNs = options.goodBracketNs ?? DEFAULT_GOOD_BRACKET_NS;
  const maxWaitNs = options.maxWaitNs ?? 10_000_000n;
  let best: ClockAnchor | null = null;
  let found = 0;
  let ticks = 0;
  let hrBefore = readHrNs();
  let wallBefore = readWallMs();
  const start = hrBefore;
  for (let spin = 0; spin < MAX_SPINS; spin++) {
    const hr = readHrNs();
    const wall = readWallMs();
    if (wall !== wallBefore) {
      const hrAfter = readHrNs();
      ticks++;
      if (wall === wallBefore + 1) {
        const bracketNs = hrAfter - hrBefore;
        if (best === null || bracketNs < best.bracketNs) {
          best = {
            wallNs: BigInt(wall) * 1_000_000n,
            hrNs: hrBefore + bracketNs / 2n,
            bracketNs,
            edgeFound: true,
          };
        }
        found++;
      }
      wallBefore = wall;
      if (found >= edges && best !== null && best.bracketNs <= goodBracketNs) return best;
      if (ticks >= MAX_TICKS) break;
    }
    hrBefore = hr;
    if (hr - start > maxWaitNs && (best !== null || hr - start > 10n * maxWaitNs)) break;
  }
  if (best !== null) return best;
  // No usable edge: the wall clock is frozen or jumping. Assume mid-millisecond.
  const hrNs = readHrNs();
  return {
    wallNs: BigInt(readWallMs()) * 1_000_000n + 500_000n,
    hrNs,
    bracketNs: 1_000_000n,
    edgeFound: false,
  };
}

/** Smallest nonzero difference between successive counter reads, in ns (≥ 1). */
export function measureReadResolution(readHrNs: () => bigint, samples = 1000): bigint {
  let best = 0n;
  let previous = readHrNs();
  for (let i = 0; i < samples; i++) {
    const current = readHrNs();
    const delta = current - previous;
    if (delta > 0n && (best === 0n || delta < best)) best = delta;
    previous = current;
  }
  return best === 0n ? 1n : best;
}

/** NTP-style precision: ⌈log2(seconds)⌉ of a duration in ns. */
export function precisionLog2OfNs(ns: bigint): number {
  return Math.ceil(Math.log2(Number(ns > 0n ? ns : 1n) / 1e9));
}

/** Median, 99th percentile and maximum, in ns. */
export interface Spread {
  readonly median: number;
  readonly p99: number;
  readonly max: number;
}

/** What {@link measureAnchoringWith} found. */
export interface AnchoringStatistics {
  readonly anchors: number;
  /** Anchors that found no usable tick edge (and are left out of the figures below). */
  readonly edgesMissed: number;
  /** |(wallNs − hrNs) − median| over the anchors: how consistently the edge is found. */
  readonly offsetDeviationNs: Spread;
  /** Bracket widths: the uncertainty of each anchor is ±bracket/2. */
  readonly bracketNs: Spread & { readonly min: number };
  /** Smallest nonzero step between two counter reads. */
  readonly readResolutionNs: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

/**
 * Anchors `anchors` times and reports how the anchors agree. `options` default to one edge
 * per anchor with {@link findClockAnchor}'s defaults, as a periodic re-anchor does.
 */
export function measureAnchoringWith(
  readers: ClockReaders,
  anchors = 200,
  options: FindAnchorOptions = {},
): AnchoringStatistics {
  const offsets: bigint[] = [];
  const brackets: number[] = [];
  let edgesMissed = 0;
  for (let i = 0; i < anchors; i++) {
    const anchor = findClockAnchor(readers, options);
    if (!anchor.edgeFound) {
      edgesMissed++;
      continue;
    }
    offsets.push(anchor.wallNs - anchor.hrNs);
    brackets.push(Number(anchor.bracketNs));
  }
  const sortedOffsets = [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = sortedOffsets[Math.floor(sortedOffsets.length / 2)] ?? 0n;
  const deviations = offsets.map((o) => Math.abs(Number(o - median)));
  return {
    anchors,
    edgesMissed,
    offsetDeviationNs: spread(deviations),
    bracketNs: { ...spread(brackets), min: brackets.length > 0 ? Math.min(...brackets) : 0 },
    readResolutionNs: Number(measureReadResolution(readers.readHrNs)),
  };
}
