/**
 * A source the engine does not speak to itself: NTS, Roughtime, HTTP(S) Date, PTP,
 * chronyd's own state, ChronoSync's signed time, `auto://` and fallback groups — every
 * protocol measured through protocols' `TimeSource` (docs/time-sources.md). Like
 * {@link NtpSource} it does no I/O and reads no clock, and keeps the same poll state
 * machine (source-poll.ts: interval, iburst, backoff on failure, reach register); the
 * runner's `TimeSourcePoller` carries out its actions:
 *
 * - `measure`: call `TimeSource.measure()` once, then report the result with
 *   {@link SampleSource.handleSample} or the failure with {@link SampleSource.handleFailure};
 *   both return the next `setTimer` (counted from the end of the measurement, so a slow
 *   protocol — HTTP takes a second or more — never overlaps itself).
 * - `setTimer`: call {@link SampleSource.handleTimer} at that local time.
 *
 * Samples are mapped so that the selection's root distance stays honest: the dispersion
 * is the part of the sample's uncertainty not already counted by δ/2 and the root terms
 * ({@link toSourceSample}), so Roughtime's ±1 s radius gives a ±1 s interval.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 */
import type { FilterEstimate, Instant, SampleFilter, SourceCandidate } from "@chronosync/core";
import { createSampleFilter } from "@chronosync/core";
import type { TimeSample } from "@chronosync/protocols";
import { pollStats, sourceCandidate } from "./candidate.js";
import type { NtpSourceStats } from "./ntp-source.js";
import {
  initialPollState,
  nextPollState,
  type PollConfig,
  type PollEvent,
  type PollState,
  pollDelayNs,
  resolvePollConfig,
} from "./source-poll.js";

/** One measurement as the engine takes it (from any protocol). */
export interface SourceSample {
  /** Protocol that measured it (`nts`, `roughtime`, `https`, …). */
  readonly protocol: string;
  readonly authenticated: boolean;
  /** θ = source − local, ns. */
  readonly offsetNs: bigint;
  /** Round trip δ, ns (≥ 0). */
  readonly delayNs: bigint;
  /** The error not covered by δ/2 and the root terms, ns (≥ 0). */
  readonly dispersionNs: bigint;
  readonly rootDelayNs: bigint;
  readonly rootDispersionNs: bigint;
  readonly stratum: number;
  readonly leap: 0 | 1 | 2 | 3;
  /** Local instant the sample describes. */
  readonly atNs: Instant;
}

/** Stratum for protocols that have none: PTP and Roughtime and ChronoSync time are references. */
export const DEFAULT_STRATUM: Readonly<Record<string, number>> = {
  ptp: 1,
  roughtime: 1,
  chronosync: 1,
  http: 2,
  https: 2,
};

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const max0 = (n: bigint): bigint => (n < 0n ? 0n : n);

/**
 * Maps a protocols `TimeSample` to a {@link SourceSample}. The dispersion is
 * max(0, uncertainty − δ/2 − root delay/2 − root dispersion) (and at least the protocol's
 * own ε for NTP-like samples), so δ/2 + ε + the root terms cover the sample's stated
 * uncertainty: NTS ε, Roughtime its radius, HTTP its Date half-width, local chronyd's root
 * distance. A missing stratum is {@link DEFAULT_STRATUM} (2 for others); leap 3 (an
 * unsynchronized server) gives stratum 16, which selection refuses.
 */
export function toSourceSample(s: TimeSample): SourceSample {
  const delay = max0(s.delayNs);
  const rootDelay = max0(s.rootDelayNs ?? 0n);
  const rootDispersion = max0(s.rootDispersionNs ?? 0n);
  const rest = max0(abs(s.uncertaintyNs) - delay / 2n - rootDelay / 2n - rootDispersion);
  const ownDispersion = s.protocol === "nts" || s.protocol === "ntp" ? max0(s.dispersionNs) : 0n;
  const leap = s.leap ?? 0;
  const stratum = leap === 3 ? 16 : (s.stratum ?? DEFAULT_STRATUM[s.protocol] ?? 2);
  return {
    protocol: s.protocol,
    authenticated: s.authenticated,
    offsetNs: s.offsetNs,
    delayNs: delay,
    dispersionNs: rest > ownDispersion ? rest : ownDispersion,
    rootDelayNs: rootDelay,
    rootDispersionNs: rootDispersion,
    stratum: stratum === 0 ? 16 : stratum,
    leap,
    atNs: s.at,
  };
}

/** What the runner must do for a sample source. */
export type SampleSourceAction =
  | { readonly kind: "measure" }
  | { readonly kind: "setTimer"; readonly atNs: Instant }
  | { readonly kind: "sample"; readonly sample: SourceSample; readonly estimate: FilterEstimate };

export interface SampleSourceOptions {
  readonly id: string;
  /** The configured protocol (`nts`, `auto`, `fallback`, …) until a sample says more. */
  readonly protocol: string;
  readonly poll?: Partial<PollConfig>;
  readonly filter?: SampleFilter;
}

/** Statistics, the same shape as an NTP source's plus what the protocol reported. */
export interface SampleSourceStats extends NtpSourceStats {
  readonly protocol: string;
  readonly authenticated: boolean;
  /** The last failure's code and message, cleared by the next sample. */
  readonly lastError: { readonly code: string; readonly message: string } | undefined;
}

/** PGATE of RFC 5905 §7.3, as in NtpSource. */
const PGATE = 4n;

/** A pure, action-returning source fed with measured samples. */
export class SampleSource {
  readonly id: string;
  readonly filter: SampleFilter;
  readonly #config: PollConfig;
  readonly #protocol: string;
  #state: PollState;
  #measuring = false;
  #last: SourceSample | undefined;
  #samples = 0;
  #failures = 0;
  #lastError: SampleSourceStats["lastError"];

  constructor(options: SampleSourceOptions) {
    this.id = options.id;
    this.#protocol = options.protocol;
    this.#config = resolvePollConfig(options.poll);
    this.#state = initialPollState(this.#config);
    this.filter = options.filter ?? createSampleFilter("lowest-delay");
  }

  get pollState(): PollState {
    return this.#state;
  }

  /** Whether a measurement is out (its result not reported yet). */
  get measuring(): boolean {
    return this.#measuring;
  }

  /** The newest sample, if any. */
  get last(): SourceSample | undefined {
    return this.#last;
  }

  start(nowNs: Instant): SampleSourceAction[] {
    if (this.#state.phase !== "idle") return [];
    this.#apply({ kind: "started" });
    return [{ kind: "setTimer", atNs: nowNs }];
  }

  /** The timer fired: measure (unless one is still out, which the runner should not let happen). */
  handleTimer(_nowNs: Instant): SampleSourceAction[] {
    if (this.#state.phase === "idle") this.#apply({ kind: "started" });
    if (this.#state.phase !== "active" || this.#measuring) return [];
    this.#measuring = true;
    this.#apply({ kind: "sent" });
    return [{ kind: "measure" }];
  }

  /**
   * The measurement succeeded; `nowNs` is when it completed, `random` in [0, 1) jitters the
   * poll. A sample with leap 3 (a source that does not know the time: an unsynchronized
   * server, `system`, a fallback group fallen back to it) counts as an answer for the reach
   * register and the status, but is not filtered and gives no `sample` action: it says
   * nothing about true time ({@link SampleSource.unsynchronized}).
   */
  handleSample(sample: SourceSample, nowNs: Instant, random: number): SampleSourceAction[] {
    if (!this.#measuring || this.#state.phase !== "active") return [];
    this.#measuring = false;
    if (sample.leap === 3) {
      this.#apply({ kind: "sample", stable: true });
      this.#last = sample;
      this.#samples++;
      this.#lastError = undefined;
      return [{ kind: "setTimer", atNs: nowNs + pollDelayNs(this.#state, this.#config, random) }];
    }
    this.#apply({ kind: "sample", stable: this.#isStable(sample) });
    this.filter.add({
      offsetNs: sample.offsetNs,
      delayNs: sample.delayNs,
      dispersionNs: sample.dispersionNs,
      atNs: sample.atNs,
    });
    this.#last = sample;
    this.#samples++;
    this.#lastError = undefined;
    const next: SampleSourceAction = {
      kind: "setTimer",
      atNs: nowNs + pollDelayNs(this.#state, this.#config, random),
    };
    const estimate = this.filter.estimate(nowNs);
    return estimate === undefined ? [next] : [{ kind: "sample", sample, estimate }, next];
  }

  /** The measurement failed (a typed error's code and message). */
  handleFailure(
    error: { code: string; message: string },
    nowNs: Instant,
    random: number,
  ): SampleSourceAction[] {
    if (!this.#measuring || this.#state.phase !== "active") return [];
    this.#measuring = false;
    this.#failures++;
    this.#lastError = error;
    this.#apply({ kind: "timeout" });
    return [{ kind: "setTimer", atNs: nowNs + pollDelayNs(this.#state, this.#config, random) }];
  }

  /** The newest answer had leap 3: the source does not know the time now (e.g. `system`). */
  get unsynchronized(): boolean {
    return this.#last?.leap === 3;
  }

  /** The source as a selection candidate at `nowNs`, once it has a sample (and knows the time). */
  candidate(nowNs: Instant): SourceCandidate | undefined {
    if (this.unsynchronized) return undefined;
    return sourceCandidate(this.id, this.filter, this.#last, this.#state.phase === "active", nowNs);
  }

  stats(nowNs: Instant): SampleSourceStats {
    const s = this.#state;
    return {
      ...pollStats(this.id, s, this.filter, this.#last, nowNs),
      samples: this.#samples,
      bogus: 0,
      lastBogusReason: undefined,
      kisses: 0,
      timeouts: this.#failures,
      protocol: this.#last?.protocol ?? this.#protocol,
      authenticated: this.#last?.authenticated ?? false,
      lastError: this.#lastError,
    };
  }

  /** Stable: within PGATE·ψ + δ/2 + ε of the filter's offset (always, with < 2 samples). */
  #isStable(sample: SourceSample): boolean {
    const estimate = this.filter.estimate(sample.atNs);
    if (estimate === undefined || estimate.sampleCount < 2) return true;
    const diff = abs(sample.offsetNs - estimate.offsetNs);
    return diff <= PGATE * estimate.jitterNs + sample.delayNs / 2n + sample.dispersionNs;
  }

  #apply(event: PollEvent): void {
    this.#state = nextPollState(this.#state, event, this.#config);
  }
}
