/**
 * The agent's multi-source sync engine (issue 3 §2–§3): N {@link NtpSource}s and, for every
 * other protocol (issue 6 §5), {@link SampleSource}s fed with TimeSource samples; source
 * selection (RFC 5905 §11.2: intersection, cluster, combine — core's `selectSources`), the
 * Kalman servo and the error bound (core's `BoundedClock`, docs/servo.md). Pure, like the
 * sources it holds: no sockets, no timers, no clock reads. A runner (or the simulator)
 * calls {@link SyncEngine.handleTimer} / {@link SyncEngine.handleIncoming} with the local
 * (system) clock reading and carries out the returned actions, each tagged with its source.
 *
 * After every new sample the engine selects among the reachable sources (once a majority
 * of the live sources has answered) and, when the system peer has a sample newer than the
 * last one fed (never an older one), feeds the servo with that newest sample's offset
 * shifted by the combination's Θ − θ_P, the bound distance of the combination
 * ({@link boundDistance}), and an honest variance: 4 × ((δ − δ_min)/2)² of that sample,
 * a quarter of the mean of that over recent updates, the selection jitter ψ_S² and
 * (100 ns)² (docs/servo.md "Tightness").
 *
 * Status: `unsynchronized` before the first accepted update and once the half-width
 * exceeds `maxBoundNs` (the virtual clock is still served, its bound says how little it is
 * worth); `holdover` when no selected source is reachable any more or no update was
 * accepted for `holdoverAfterNs`; else `synchronized`. A sample source whose newest answer
 * has leap 3 (`system`, the system clock itself, or a fallback group fallen back to it)
 * is `unusable`: neither a candidate nor a voter, so it never synchronizes the clock, which
 * keeps its last estimate while the bound grows as in holdover.
 */
import {
  type BoundConfig,
  BoundedClock,
  type BoundedTime,
  createServo,
  DEFAULT_KALMAN_CONFIG,
  type Duration,
  type Instant,
  type KalmanConfig,
  type SampleFilterKind,
  type SelectionOptions,
  type SelectionSuccess,
  type SourceCandidate,
  type SourceState,
  type SyncStatus,
  selectSources,
} from "@chronosync/core";
import type { NtpReferenceState } from "@chronosync/protocols";
import {
  NtpSource,
  type NtpSourceAction,
  type NtpSourceOptions,
  type NtpSourceStats,
  type RandomBytes,
} from "../engine/ntp-source.js";
import {
  SampleSource,
  type SampleSourceAction,
  type SampleSourceStats,
  type SourceSample,
} from "../engine/sample-source.js";
import { type PollConfig, resolvePollConfig } from "../engine/source-poll.js";
import { AGENT_STATE_VERSION, type AgentState, warmStartSigmaPpm } from "./agent-state.js";
import { boundDistance } from "./bound-distance.js";
import { CompensatedFilter } from "./compensated-filter.js";
import { referenceIdOf } from "./reference-id.js";
import { type CandidateKind, selectWithPolicy } from "./selection-policy.js";

/** A source's state as `GET /v1/status` shows it (`chronyc sources` marks `* + ? x -`). */
export type SyncSourceState = SourceState | "unreachable";

/** An action of one source, for the runner. */
export interface SyncAction {
  readonly sourceId: string;
  /** NTP sources send packets; sample sources (any other protocol) ask for a `measure`. */
  readonly action: NtpSourceAction | SampleSourceAction;
}

/** A source measured through a TimeSource (issue 6 §5): `measure` actions, samples fed back. */
export interface SampleSourceSpec {
  readonly id: string;
  /** The configured protocol (`nts`, `https`, `auto`, `fallback`, …). */
  readonly protocol: string;
  readonly poll?: Partial<PollConfig>;
  /** Address whose reference id we advertise when it is the system peer; default from `id`. */
  readonly address?: string;
}

/** One source: a URL/address string, or its options. */
export type SyncSourceSpec =
  | string
  | (Omit<NtpSourceOptions, "filter"> & {
      /** Address whose reference id we advertise when it is the system peer; default from `id`. */
      readonly address?: string;
    });

export interface SyncEngineOptions {
  readonly sources: readonly SyncSourceSpec[];
  /** Poll settings for every source (a source's own `poll` wins). */
  readonly poll?: Partial<PollConfig>;
  readonly filter?: SampleFilterKind;
  readonly selection?: SelectionOptions;
  readonly kalman?: Partial<KalmanConfig>;
  /**
   * Bound settings; `holdoverAfterNs` defaults to 9 × the largest poll interval (≥ 300 s),
   * `maxDriftPpm` to {@link DEFAULT_MAX_DRIFT_PPM}.
   */
  readonly bound?: Partial<BoundConfig>;
  /** Precision of the local clock, log2 s, advertised downstream. Default −20 (≈ 1 µs). */
  readonly precisionLog2?: number;
}

/** Bounded time (`GET /v1/now`). */
export interface SyncNow {
  readonly earliestNs: Instant;
  readonly latestNs: Instant;
  readonly timeNs: Instant;
  readonly halfWidthNs: Duration;
  readonly status: SyncStatus;
  readonly sources: readonly { readonly id: string; readonly state: SyncSourceState }[];
}

/** One source in `GET /v1/status`. */
export interface SyncSourceStatus extends NtpSourceStats {
  /** `ntp` for the engine's own NTP; else what the last sample said (or the configured scheme). */
  readonly protocol: string;
  /** The last sample's time was cryptographically authenticated (NTS, Roughtime, HTTPS, ChronoSync). */
  readonly authenticated: boolean;
  /** Sample sources: the last measurement's failure, until the next sample. */
  readonly lastError?: { readonly code: string; readonly message: string };
  /** A fallback group (filled by the runner, which holds the group): its members, the one in use, switches. */
  readonly fallback?: SyncFallbackStatus;
  readonly selection: SyncSourceState;
  readonly falsetickers: number;
  /** Root distance λ at the last selection. */
  readonly rootDistanceNs: Duration | undefined;
}

/** A fallback group's standing (protocols' `FallbackSource.state()`). */
export interface SyncFallbackStatus {
  readonly members: readonly {
    readonly url: string;
    readonly failures: number;
    readonly lastError: { readonly code: string; readonly message: string } | null;
  }[];
  /** URL of the member in use. */
  readonly current: string;
  readonly switches: number;
}

/** `GET /v1/status`: tracking plus sources. */
export interface SyncStatusReport {
  readonly tracking: {
    /** Correction true − local at the instant, ns (0 before the first update). */
    readonly offsetNs: Duration;
    readonly frequencyPpm: number;
    /** Half-width of the bound. */
    readonly boundNs: Duration;
    readonly status: SyncStatus;
    /** Local time of the last accepted servo update. */
    readonly lastUpdateNs: Instant | undefined;
    readonly systemPeer: string | undefined;
    /** Our stratum (16 while unsynchronized). */
    readonly stratum: number;
  };
  readonly sources: readonly SyncSourceStatus[];
}

interface Entry {
  readonly source: NtpSource | SampleSource;
  readonly filter: CompensatedFilter;
  readonly referenceId: number;
  selection: SourceState | undefined;
  rootDistanceNs: Duration | undefined;
  falsetickers: number;
  leap: 0 | 1 | 2 | 3;
}

const S = 1_000_000_000n;
/** Polls of the reach register that count: a source is unreachable after 4 lost polls. */
const REACH_MASK = 0x0f;
/** Variance floor, ns²: timestamping granularity. */
const VARIANCE_FLOOR_NS2 = 100 * 100;
/**
 * Frequency error the bound allows beyond the servo's own (its k·√P_θθ already grows with
 * the frequency variance): chrony's `maxclockerror` default. RFC 5905's φ = 15 ppm is for
 * a clock whose frequency nobody estimates; on top of the Kalman estimate it counted the
 * frequency error twice and was most of the half-width (docs/servo.md).
 */
export const DEFAULT_MAX_DRIFT_PPM = 1;
/** Updates over which the mean ((δ − δ_min)/2)² is taken. */
const SPREAD_WINDOW = 16;

/** The pure multi-source engine. */
export class SyncEngine {
  readonly clock: BoundedClock;
  readonly #entries = new Map<string, Entry>();
  readonly #options: SyncEngineOptions;
  #lastSelection: SelectionSuccess | undefined;
  /** Local time of the newest sample fed to the servo. */
  #lastFedAtNs: Instant | undefined;
  #spreads: number[] = [];

  constructor(options: SyncEngineOptions) {
    this.#options = options;
    const servo = createServo("kalman", options.kalman === undefined ? {} : { kalman: options.kalman });
    let maxPoll = resolvePollConfig(options.poll).maxPoll;
    for (const spec of options.sources) {
      if (typeof spec !== "string" && spec.poll !== undefined) {
        maxPoll = Math.max(maxPoll, resolvePollConfig({ ...options.poll, ...spec.poll }).maxPoll);
      }
    }
    const interval = BigInt(Math.round(2 ** maxPoll * 1e9));
    // The servo gets every new sample of the system peer, but a peer may lose a few polls
    // (and the first polls of a source may not have a majority yet): 9 polls of slack.
    // Losing the sources is caught sooner, by reachability (see #bounded).
    const holdoverAfterNs = 9n * interval > 300n * S ? 9n * interval : 300n * S;
    this.clock = new BoundedClock(servo, {
      holdoverAfterNs,
      maxDriftPpm: DEFAULT_MAX_DRIFT_PPM,
      ...options.bound,
    });
    for (const spec of options.sources) this.addSource(spec);
  }

  /** Ids of the sources held. */
  get sourceIds(): string[] {
    return [...this.#entries.keys()];
  }

  /** Adds a source (e.g. a replacement pool member); call {@link start} to start it. */
  addSource(spec: SyncSourceSpec): void {
    const o = typeof spec === "string" ? { id: spec } : spec;
    if (this.#entries.has(o.id)) return;
    const filter = new CompensatedFilter(
      () => this.clock.servo.estimate(this.#lastFedAtNs ?? 0n)?.frequencyPpm ?? 0,
      this.#options.filter,
    );
    const poll = { ...this.#options.poll, ...o.poll };
    const source = new NtpSource({ ...o, poll, filter });
    const address = "address" in o && o.address !== undefined ? o.address : o.id;
    this.#entries.set(o.id, {
      source,
      filter,
      referenceId: referenceIdOf(address),
      selection: undefined,
      rootDistanceNs: undefined,
      falsetickers: 0,
      leap: 0,
    });
  }

  /** Adds a source measured through a TimeSource; call {@link start} to start it. */
  addSampleSource(spec: SampleSourceSpec): void {
    if (this.#entries.has(spec.id)) return;
    const filter = new CompensatedFilter(
      () => this.clock.servo.estimate(this.#lastFedAtNs ?? 0n)?.frequencyPpm ?? 0,
      this.#options.filter,
    );
    const poll = { ...this.#options.poll, ...spec.poll };
    this.#entries.set(spec.id, {
      source: new SampleSource({ id: spec.id, protocol: spec.protocol, poll, filter }),
      filter,
      referenceId: referenceIdOf(spec.address ?? spec.id),
      selection: undefined,
      rootDistanceNs: undefined,
      falsetickers: 0,
      leap: 0,
    });
  }

  /** The state to save (issue 3 §11): the servo's frequency, once it has an estimate. */
  exportState(localNs: Instant): AgentState | undefined {
    const est = this.clock.servo.estimate(localNs);
    if (est === null) return undefined;
    return {
      version: AGENT_STATE_VERSION,
      savedAtNs: localNs,
      frequencyPpm: est.frequencyPpm,
      frequencySigmaPpm: est.frequencySigmaPpm,
    };
  }

  /**
   * Warm start from a saved state: before the first update, the servo starts from the
   * saved frequency with its uncertainty widened for the time since ({@link warmStartSigmaPpm}).
   * Returns the sigma used, ppm, or undefined when the servo already has a measurement.
   */
  warmStart(state: AgentState, localNs: Instant): number | undefined {
    const cold =
      this.#options.kalman?.initialFrequencySigmaPpm ?? DEFAULT_KALMAN_CONFIG.initialFrequencySigmaPpm;
    const sigma = warmStartSigmaPpm(state, localNs, cold);
    return this.clock.servo.seedFrequency(state.frequencyPpm, sigma) ? sigma : undefined;
  }

  /** Drops a source (the runner cancels its timer). */
  removeSource(id: string): void {
    this.#entries.delete(id);
  }

  /** Starts every idle source: each asks for a timer at `nowNs`. */
  start(nowNs: Instant): SyncAction[] {
    const out: SyncAction[] = [];
    for (const [id, e] of this.#entries)
      for (const a of e.source.start(nowNs)) out.push({ sourceId: id, action: a });
    return out;
  }

  /** The timer of `sourceId` fired at local time `nowNs`. */
  handleTimer(sourceId: string, nowNs: Instant, random: RandomBytes): SyncAction[] {
    const e = this.#entries.get(sourceId);
    if (e === undefined) return [];
    const actions: (NtpSourceAction | SampleSourceAction)[] =
      e.source instanceof NtpSource ? e.source.handleTimer(nowNs, random) : e.source.handleTimer(nowNs);
    return actions.map((action) => ({ sourceId, action }));
  }

  /**
   * The measurement of sample source `sourceId` gave `sample`; `nowNs` is the local time it
   * completed, `random` in [0, 1) jitters the next poll. Runs selection and the servo.
   */
  handleMeasurement(sourceId: string, sample: SourceSample, nowNs: Instant, random: number): SyncAction[] {
    const e = this.#entries.get(sourceId);
    if (e === undefined || !(e.source instanceof SampleSource)) return [];
    const actions = e.source.handleSample(sample, nowNs, random);
    if (actions.some((a) => a.kind === "sample")) {
      e.leap = sample.leap;
      this.#update(nowNs);
    } else if (e.source.unsynchronized && e.selection !== undefined) {
      // It answered without knowing the time (`system`, or a group fallen back to it):
      // no longer selected, and the others are selected again without it.
      e.selection = undefined;
      e.rootDistanceNs = undefined;
      this.#update(nowNs);
    }
    return actions.map((action) => ({ sourceId, action }));
  }

  /** The measurement of sample source `sourceId` failed (backoff, reach register). */
  handleMeasureFailure(
    sourceId: string,
    error: { code: string; message: string },
    nowNs: Instant,
    random: number,
  ): SyncAction[] {
    const e = this.#entries.get(sourceId);
    if (e === undefined || !(e.source instanceof SampleSource)) return [];
    return e.source.handleFailure(error, nowNs, random).map((action) => ({ sourceId, action }));
  }

  /** The request `sourceId` last sent left at `t1Ns`. */
  markSent(sourceId: string, t1Ns: Instant): void {
    const s = this.#entries.get(sourceId)?.source;
    if (s instanceof NtpSource) s.markSent(t1Ns);
  }

  /** A datagram from `sourceId` arrived at local time `t4Ns`. */
  handleIncoming(sourceId: string, bytes: Uint8Array, t4Ns: Instant): SyncAction[] {
    const e = this.#entries.get(sourceId);
    if (e === undefined || !(e.source instanceof NtpSource)) return [];
    const actions = e.source.handleIncoming(bytes, t4Ns);
    for (const a of actions) {
      if (a.kind === "sample") {
        e.leap = a.sample.leap;
        this.#update(t4Ns);
      }
    }
    return actions.map((action) => ({ sourceId, action }));
  }

  /** Bounded time at local (system clock) time `localNs`. */
  now(localNs: Instant): SyncNow {
    const b = this.#bounded(localNs);
    return {
      ...b,
      sources: [...this.#entries].map(([id, e]) => ({ id, state: this.#stateOf(e) })),
    };
  }

  /** One source's statistics at local time `localNs`, or undefined when it is not held. */
  sourceStatus(id: string, localNs: Instant): SyncSourceStatus | undefined {
    const e = this.#entries.get(id);
    if (e === undefined) return undefined;
    return this.#sourceStatus(e, localNs);
  }

  #sourceStatus(e: Entry, localNs: Instant): SyncSourceStatus {
    const stats: SampleSourceStats =
      e.source instanceof SampleSource
        ? e.source.stats(localNs)
        : { ...e.source.stats(localNs), protocol: "ntp", authenticated: false, lastError: undefined };
    const { lastError, ...rest } = stats;
    return {
      ...rest,
      ...(lastError === undefined ? {} : { lastError }),
      selection: this.#stateOf(e),
      falsetickers: e.falsetickers,
      rootDistanceNs: e.rootDistanceNs,
    };
  }

  /** Tracking and per-source statistics at local time `localNs`. */
  status(localNs: Instant): SyncStatusReport {
    const b = this.#bounded(localNs);
    const est = this.clock.servo.estimate(localNs);
    const sel = this.#lastSelection;
    return {
      tracking: {
        offsetNs: est === null ? 0n : BigInt(Math.round(est.correctionNs)),
        frequencyPpm: est?.frequencyPpm ?? 0,
        boundNs: b.halfWidthNs,
        status: b.status,
        lastUpdateNs: est?.lastUpdateNs,
        systemPeer: b.status === "unsynchronized" ? undefined : sel?.systemPeer,
        stratum: b.status === "unsynchronized" || sel === undefined ? 16 : sel.stratum,
      },
      sources: [...this.#entries.values()].map((e) => this.#sourceStatus(e, localNs)),
    };
  }

  /**
   * What we serve downstream (issue 3 §6). Root dispersion is chosen so that a client's
   * root distance rootDelay/2 + rootDispersion equals our current half-width: the
   * selection's distance plus the estimator's uncertainty plus the drift since the update.
   */
  referenceState(localNs: Instant): NtpReferenceState {
    const b = this.#bounded(localNs);
    const sel = this.#lastSelection;
    const est = this.clock.servo.estimate(localNs);
    const precision = this.#options.precisionLog2 ?? -20;
    if (b.status === "unsynchronized" || sel === undefined || est === null) {
      return {
        leap: 3,
        stratum: 16,
        referenceId: 0,
        referenceTime: 0n,
        rootDelayNs: 0n,
        rootDispersionNs: b.halfWidthNs,
        precision,
      };
    }
    const peer = this.#entries.get(sel.systemPeer);
    const dispersion = b.halfWidthNs - sel.rootDelayNs / 2n;
    const upstreamLeap = peer?.leap ?? 0;
    return {
      leap: upstreamLeap === 3 ? 0 : upstreamLeap,
      stratum: Math.min(sel.stratum, 16),
      referenceId: peer?.referenceId ?? 0,
      referenceTime: est.lastUpdateNs + BigInt(Math.round(est.correctionNs)),
      rootDelayNs: sel.rootDelayNs,
      rootDispersionNs: dispersion > 0n ? dispersion : 0n,
      precision,
    };
  }

  #reachable(e: Entry): boolean {
    const s = e.source.pollState;
    return s.phase === "active" && (s.reach & REACH_MASK) !== 0;
  }

  #stateOf(e: Entry): SyncSourceState {
    if (!this.#reachable(e)) return "unreachable";
    if (e.source instanceof SampleSource && e.source.unsynchronized) return "unusable";
    return e.selection ?? "candidate";
  }

  #bounded(localNs: Instant): BoundedTime {
    const b = this.clock.now(localNs);
    if (b.status !== "synchronized") return b;
    const anySelected = [...this.#entries.values()].some(
      (e) => e.selection === "selected" && this.#reachable(e),
    );
    return anySelected ? b : { ...b, status: "holdover" };
  }

  /** Selection after a new sample at `nowNs`, then the servo if the system peer has news. */
  #update(nowNs: Instant): void {
    const candidates: SourceCandidate[] = [];
    for (const e of this.#entries.values()) {
      if (!this.#reachable(e)) continue;
      const c = e.source.candidate(nowNs);
      if (c !== undefined) candidates.push(c);
    }
    // Quorum: a majority of the sources that still have a say must have answered, so the
    // first source to answer (a falseticker, maybe) cannot synchronize us alone.
    let voters = 0;
    for (const e of this.#entries.values()) {
      const p = e.source.pollState;
      if (e.source instanceof SampleSource && e.source.unsynchronized) continue;
      if (p.phase === "active" && (this.#reachable(e) || p.sent < 4)) voters++;
    }
    if (2 * candidates.length <= voters) {
      for (const e of this.#entries.values()) e.selection = undefined;
      return;
    }
    const kinds = new Map<string, CandidateKind>();
    for (const [id, e] of this.#entries)
      if (e.source instanceof SampleSource)
        kinds.set(id, { timeSource: true, authenticated: e.source.last?.authenticated ?? false });
    // NTP only: exactly core's selection. Other protocols: coarse ones vote only, and
    // authenticated ones win ties (selection-policy.ts).
    const result =
      kinds.size === 0
        ? selectSources(candidates, this.#options.selection)
        : selectWithPolicy(candidates, kinds, this.#options.selection);
    for (const e of this.#entries.values()) {
      e.selection = undefined;
      e.rootDistanceNs = undefined;
    }
    // The agreeing group must be a majority of all voters, not only of those that have
    // answered: with 5 sources, 2 agreeing falsetickers that answer first, plus 1 good
    // source, are a majority of 3 but not of 5. Until it is, nobody is judged.
    // (A coarse sample source kept as a voter only is `candidate` after a successful
    // selection — selection-policy.ts; with NTP alone no source ends as `candidate`.)
    const agreeing = result.sources.filter(
      (v) => v.state === "selected" || v.state === "outlier" || (result.ok && v.state === "candidate"),
    ).length;
    if (result.ok && 2 * agreeing <= voters) return;
    for (const v of result.sources) {
      const e = this.#entries.get(v.id);
      if (e === undefined) continue;
      e.selection = v.state;
      e.rootDistanceNs = v.rootDistanceNs;
      if (v.state === "falseticker") e.falsetickers++;
    }
    if (!result.ok) return;
    this.#lastSelection = result;

    const peer = this.#entries.get(result.systemPeer);
    const peerCandidate = candidates.find((c) => c.id === result.systemPeer);
    const peerEstimate = peer?.filter.estimate(nowNs);
    if (peer === undefined || peerCandidate === undefined || peerEstimate === undefined) return;
    // The servo takes the system peer's newest sample, not only the filter's lowest-delay
    // choice: the Kalman weights each by its own variance, and the bound's age stays
    // within one poll instead of up to eight (docs/servo.md). Feeding the filter's choice
    // measured 222 µs in sim 012 (the real-peer link) and, on the real link, 89 µs in one
    // run but 1.6 ms (a stale choice held for 8 polls) in another.
    const chosen = peer.filter.samples()[0];
    if (chosen === undefined) return;
    const at = chosen.atNs;
    if (this.#lastFedAtNs !== undefined && at <= this.#lastFedAtNs) return;

    // Θ − θ_P (both at nowNs) carries the other survivors' view over to the peer's sample.
    const offsetAt = chosen.offsetNs + (result.offsetNs - peerCandidate.offsetNs);
    const { minDelayNs, count } = peer.filter.delayFloor();
    const delay = Number(chosen.delayNs);
    let variance: number;
    if (minDelayNs === undefined || count < 8) {
      // δ_min not known yet: the hard bound δ/2 (docs/servo.md).
      variance = (delay / 2) ** 2;
    } else {
      // The sample's own excess delay, weighted 4×, plus a quarter of its recent mean: a
      // queued sample barely moves the estimate, and a low-delay sample is not taken as
      // exact either (asymmetric jitter hides in any single delay). Measured (BENCHMARKS.md
      // §6 and sim 012): without the mean term the Kalman learnt a wrong frequency from
      // "exact" samples (sim 012: 761 µs mean |error|, 30 misses; the real link: a clock
      // drifting 6.7 ms for 110 s); with equal weights (1×, 1×) real queueing skew biased it
      // by +250 µs, against chronyd's +110–170 µs; 4× / ¼ gave 58 µs vs chronyd's 161 µs.
      const spread = (delay - Number(minDelayNs)) / 2;
      this.#spreads.push(spread * spread);
      if (this.#spreads.length > SPREAD_WINDOW) this.#spreads.shift();
      const meanSpread = this.#spreads.reduce((a, b) => a + b, 0) / this.#spreads.length;
      const selectionJitter2 = Math.max(
        Number(result.jitterNs) ** 2 - Number(peerCandidate.jitterNs) ** 2,
        0,
      );
      variance = 4 * spread * spread + meanSpread / 4 + selectionJitter2 + VARIANCE_FLOOR_NS2;
    }
    this.clock.update({
      localNs: at,
      offsetNs: offsetAt,
      rootDistanceNs: boundDistance(result, peerCandidate, chosen.dispersionNs),
      measurementVarianceNs2: variance,
    });
    this.#lastFedAtNs = at;
  }
}
