/**
 * Per-source clock filter (RFC 5905 §10, A.5.2 `clock_filter`): a shift register of the
 * last {@link FILTER_STAGES} samples of one source, from which one sample is chosen as
 * the source's offset and delay, and from which the peer dispersion ε and the peer
 * jitter ψ are computed.
 *
 * Strategies sit behind the small {@link SampleFilter} interface, made by
 * {@link createSampleFilter} (chrony `samplefilt`, ntpd-rs `filter`):
 * - `"lowest-delay"` — RFC 5905: the sample with the lowest round-trip delay is the one
 *   least disturbed by queueing, so its offset is the best estimate.
 * - `"median"` — the sample with the median offset: robust against single outliers when
 *   delays are all alike (e.g. on a LAN).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-10
 */

import { dispersionGrowth } from "../clock-math.js";
import { InvalidArgumentError } from "../errors.js";
import { absNs, type Duration, type Instant } from "../time.js";
import { FILTER_STAGES, MAX_DISPERSION_NS } from "./types.js";
import { roundNs } from "./util.js";

/** One measurement of a source: the output of the on-wire protocol (RFC 5905 §8). */
export interface FilterSample {
  readonly offsetNs: Duration;
  readonly delayNs: Duration;
  /** Sample dispersion ε at the time the sample was taken. */
  readonly dispersionNs: Duration;
  /** When the sample was taken (T4, on the local clock). */
  readonly atNs: Instant;
}

/** What the filter makes of its samples at one instant. */
export interface FilterEstimate {
  /** Offset θ of the chosen sample. */
  readonly offsetNs: Duration;
  /** Delay δ of the chosen sample. */
  readonly delayNs: Duration;
  /** Peer dispersion ε = Σ εᵢ / 2^(i+1), every εᵢ aged by φ to `nowNs`. */
  readonly dispersionNs: Duration;
  /** Peer jitter ψ: RMS of the other samples' offsets about the chosen one. */
  readonly jitterNs: Duration;
  /** When the chosen sample was taken: RFC 5905 never uses a sample older than the last used. */
  readonly atNs: Instant;
  /** Number of samples in the filter. */
  readonly sampleCount: number;
}

export type SampleFilterKind = "lowest-delay" | "median";

/** A per-source filter strategy. Mutable: one instance per source. */
export interface SampleFilter {
  readonly kind: SampleFilterKind;
  /** Shifts a new sample in; the oldest falls out once the register is full. */
  add(sample: FilterSample): void;
  /** The filtered estimate at `nowNs`, or `undefined` while the filter is empty. */
  estimate(nowNs: Instant): FilterEstimate | undefined;
  /** The samples held, newest first. */
  samples(): readonly FilterSample[];
  /** Forgets every sample (RFC 5905 `clear()`, e.g. after the clock was stepped). */
  clear(): void;
}

export interface SampleFilterOptions {
  /** Register length; default {@link FILTER_STAGES} (8). */
  readonly stages?: number;
  /**
   * Dispersion counted for an empty stage in the ε sum. Default MAXDISP (16 s) as in
   * RFC 5905, so a source needs several samples before its distance becomes acceptable;
   * `0n` counts only the samples held.
   */
  readonly emptyStageDispersionNs?: Duration;
}

interface AgedSample extends FilterSample {
  readonly agedDispersionNs: Duration;
}

abstract class WindowFilter implements SampleFilter {
  abstract readonly kind: SampleFilterKind;
  #window: FilterSample[] = [];
  readonly #stages: number;
  readonly #emptyDispersion: Duration;

  constructor(options: SampleFilterOptions) {
    const stages = options.stages ?? FILTER_STAGES;
    if (!Number.isInteger(stages) || stages < 1 || stages > 64) {
      throw new InvalidArgumentError(`sample filter stages must be an integer in 1..64, got ${stages}`);
    }
    this.#stages = stages;
    this.#emptyDispersion = options.emptyStageDispersionNs ?? MAX_DISPERSION_NS;
  }

  /** Orders the samples best first; the first is the chosen one. */
  protected abstract order(samples: readonly AgedSample[]): AgedSample[];

  add(sample: FilterSample): void {
    if (sample.delayNs < 0n || sample.dispersionNs < 0n) {
      throw new InvalidArgumentError("a filter sample needs a non-negative delay and dispersion");
    }
    this.#window = [sample, ...this.#window].slice(0, this.#stages);
  }

  estimate(nowNs: Instant): FilterEstimate | undefined {
    const aged = this.#window.map((s) => ({
      ...s,
      agedDispersionNs: s.dispersionNs + dispersionGrowth(nowNs - s.atNs),
    }));
    const sorted = this.order(aged);
    const best = sorted[0];
    if (best === undefined) return undefined;
    let dispersion = 0n;
    for (let i = 0; i < this.#stages; i++) {
      dispersion += (sorted[i]?.agedDispersionNs ?? this.#emptyDispersion) / 2n ** BigInt(i + 1);
    }
    let squares = 0;
    for (const s of sorted.slice(1)) squares += Number(s.offsetNs - best.offsetNs) ** 2;
    const jitter = sorted.length > 1 ? Math.sqrt(squares / (sorted.length - 1)) : 0;
    return {
      offsetNs: best.offsetNs,
      delayNs: best.delayNs,
      dispersionNs: dispersion,
      jitterNs: roundNs(jitter),
      atNs: best.atNs,
      sampleCount: sorted.length,
    };
  }

  samples(): readonly FilterSample[] {
    return [...this.#window];
  }

  clear(): void {
    this.#window = [];
  }
}

/** RFC 5905 §10: sort by increasing delay (ties: the newer sample first). */
class LowestDelayFilter extends WindowFilter {
  readonly kind = "lowest-delay" as const;
  protected order(samples: readonly AgedSample[]): AgedSample[] {
    return [...samples].sort((a, b) => cmp(a.delayNs, b.delayNs) || cmp(b.atNs, a.atNs));
  }
}

/** The (lower) median offset first, the others by distance from it, then by delay. */
class MedianFilter extends WindowFilter {
  readonly kind = "median" as const;
  protected order(samples: readonly AgedSample[]): AgedSample[] {
    const byOffset = [...samples].sort((a, b) => cmp(a.offsetNs, b.offsetNs) || cmp(a.delayNs, b.delayNs));
    const median = byOffset[Math.floor((byOffset.length - 1) / 2)];
    if (median === undefined) return [];
    const rest = byOffset.filter((s) => s !== median);
    const distance = (s: AgedSample) => absNs(s.offsetNs - median.offsetNs);
    rest.sort((a, b) => cmp(distance(a), distance(b)) || cmp(a.delayNs, b.delayNs));
    return [median, ...rest];
  }
}

/**
 * Makes a per-source clock filter. `"lowest-delay"` (default) is RFC 5905 §10.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#appendix-A.5.2
 */
export function createSampleFilter(
  kind: SampleFilterKind = "lowest-delay",
  options: SampleFilterOptions = {},
): SampleFilter {
  switch (kind) {
    case "lowest-delay":
      return new LowestDelayFilter(options);
    case "median":
      return new MedianFilter(options);
    default:
      throw new InvalidArgumentError(`unknown sample filter ${JSON.stringify(kind)}`);
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
