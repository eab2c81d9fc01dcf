/**
 * A per-source clock filter for a clock that is never disciplined. RFC 5905's filter
 * compares raw offsets of samples taken up to 8 polls apart, which is right when the
 * clock discipline keeps the local frequency error small; the agent never steers the
 * system clock, so a 50 ppm oscillator moves θ by 3.2 ms between two 64 s polls and the
 * raw jitter ψ would be that drift, not noise. This filter keeps the raw samples and, at
 * every {@link SampleFilter.estimate}, projects each one to `nowNs` with the servo's
 * frequency estimate (θᵢ + f·(now − tᵢ)) before the RFC 5905 choice (lowest delay) and
 * the ε/ψ sums. It also remembers the recent delays, so the engine knows δ_min for the
 * measurement variance (docs/servo.md "Per-sample uncertainty must be honest").
 */
import {
  createSampleFilter,
  FILTER_STAGES,
  type FilterEstimate,
  type FilterSample,
  type Instant,
  InvalidArgumentError,
  type SampleFilter,
  type SampleFilterKind,
} from "@chronosync/core";

/** Delays remembered for δ_min. */
const DELAY_WINDOW = 64;

/** Frequency of true time relative to local time, ppm (the servo's `frequencyPpm`). */
export type FrequencyProvider = () => number;

export class CompensatedFilter implements SampleFilter {
  readonly kind: SampleFilterKind;
  readonly #frequencyPpm: FrequencyProvider;
  #window: FilterSample[] = [];
  #delays: bigint[] = [];

  constructor(frequencyPpm: FrequencyProvider, kind: SampleFilterKind = "lowest-delay") {
    this.kind = kind;
    this.#frequencyPpm = frequencyPpm;
  }

  add(sample: FilterSample): void {
    if (sample.delayNs < 0n || sample.dispersionNs < 0n) {
      throw new InvalidArgumentError("a filter sample needs a non-negative delay and dispersion");
    }
    this.#window = [sample, ...this.#window].slice(0, FILTER_STAGES);
    this.#delays.push(sample.delayNs);
    if (this.#delays.length > DELAY_WINDOW) this.#delays.shift();
  }

  estimate(nowNs: Instant): FilterEstimate | undefined {
    if (this.#window.length === 0) return undefined;
    const f = this.#frequencyPpm() / 1e6;
    // Empty stages count 0 rather than MAXDISP: the bound uses the chosen sample's own
    // distance, and a source is usable from its first sample (iburst gives it in seconds).
    const inner = createSampleFilter(this.kind, { emptyStageDispersionNs: 0n });
    for (const s of [...this.#window].reverse()) {
      const shift = Number.isFinite(f) ? BigInt(Math.round(f * Number(nowNs - s.atNs))) : 0n;
      inner.add({ ...s, offsetNs: s.offsetNs + shift });
    }
    return inner.estimate(nowNs);
  }

  samples(): readonly FilterSample[] {
    return [...this.#window];
  }

  clear(): void {
    this.#window = [];
    this.#delays = [];
  }

  /** Smallest delay of the last 64 samples, and how many samples that is taken over. */
  delayFloor(): { minDelayNs: bigint | undefined; count: number } {
    let min: bigint | undefined;
    for (const d of this.#delays) if (min === undefined || d < min) min = d;
    return { minDelayNs: min, count: this.#delays.length };
  }
}
