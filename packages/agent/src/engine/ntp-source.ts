/**
 * One NTP server as the agent's engine sees it: the association of RFC 5905 §9 in
 * client mode, after ntpd-rs `NtpSource`. It does no I/O and reads no clock: the
 * runner calls {@link NtpSource.handleTimer} when the timer it was told to set fires
 * and {@link NtpSource.handleIncoming} for every datagram from the server, and carries
 * out the {@link NtpSourceAction}s they return (STYLE.md "The engine returns actions").
 *
 * Contract with the runner:
 * - One timer per source: each `setTimer` replaces the previous one; `demobilize` cancels
 *   it and the source is dropped (it returns no more actions).
 * - T1 is the `nowNs` given to `handleTimer`. A runner that reads a better transmit
 *   time (just before the syscall, or a kernel timestamp) reports it with
 *   {@link NtpSource.markSent} before the reply can arrive.
 * - A poll is lost when the next timer fires with no good reply: no separate timeout.
 * - Bogus replies (failing the packet tests of RFC 5905 §8) are counted and dropped with
 *   no action; the pending request stays open, so a forged reply cannot cancel it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-9
 * @see https://github.com/pendulum-project/ntpd-rs/blob/main/ntp-proto/src/source.rs
 */
import {
  createSampleFilter,
  type FilterEstimate,
  type Instant,
  type SampleFilter,
  type SourceCandidate,
} from "@chronosync/core";
import {
  createNtpRequest,
  handleNtpReply,
  type NtpBogusReason,
  type NtpRequest,
  type NtpSample,
} from "@chronosync/protocols";
import { pollStats, sourceCandidate } from "./candidate.js";
import {
  exponentToNs,
  initialPollState,
  nextPollState,
  type PollConfig,
  type PollEvent,
  type PollPhase,
  type PollState,
  pollDelayNs,
  resolvePollConfig,
} from "./source-poll.js";

/** What the runner must do for a source. */
export type NtpSourceAction =
  | { readonly kind: "send"; readonly bytes: Uint8Array }
  | { readonly kind: "setTimer"; readonly atNs: Instant }
  | { readonly kind: "sample"; readonly sample: NtpSample; readonly estimate: FilterEstimate }
  | { readonly kind: "demobilize"; readonly reason: string };

/** Random bytes from the caller (a CSPRNG in the runner, a seeded generator in sim). */
export type RandomBytes = (n: number) => Uint8Array;

export interface NtpSourceOptions {
  /** Unique name of the source (address or URL), used as the selection candidate id. */
  readonly id: string;
  readonly poll?: Partial<PollConfig>;
  /** Per-source clock filter; default RFC 5905 lowest delay of the last 8. */
  readonly filter?: SampleFilter;
  readonly version?: 3 | 4;
  readonly maxDelayNs?: bigint;
  readonly clientPrecisionLog2?: number;
}

/** Per-source statistics (`chronyc sources` / `GET /v1/status`). */
export interface NtpSourceStats {
  readonly id: string;
  readonly state: PollPhase;
  readonly reach: number;
  /** Answered fraction of the last min(8, polls) polls. */
  readonly reachability: number;
  readonly poll: number;
  readonly stratum: number | undefined;
  readonly lastOffsetNs: bigint | undefined;
  readonly lastDelayNs: bigint | undefined;
  /** Filter jitter ψ. */
  readonly jitterNs: bigint | undefined;
  readonly sent: number;
  readonly samples: number;
  readonly bogus: number;
  readonly lastBogusReason: NtpBogusReason | "unexpected" | undefined;
  readonly kisses: number;
  readonly timeouts: number;
}

/** PGATE of RFC 5905 §7.3: a sample further than 4 ψ from the filter's offset is unstable. */
const PGATE = 4n;

/** A pure, action-returning NTP client association. */
export class NtpSource {
  readonly id: string;
  readonly filter: SampleFilter;
  readonly #config: PollConfig;
  readonly #options: NtpSourceOptions;
  #state: PollState;
  #pending: { request: NtpRequest; t1: Instant } | null = null;
  #last: NtpSample | undefined;
  #counts = { samples: 0, bogus: 0, kisses: 0, timeouts: 0 };
  #lastBogus: NtpSourceStats["lastBogusReason"];

  constructor(options: NtpSourceOptions) {
    this.id = options.id;
    this.#options = options;
    this.#config = resolvePollConfig(options.poll);
    this.#state = initialPollState(this.#config);
    this.filter = options.filter ?? createSampleFilter("lowest-delay");
  }

  /** The poll state (read-only snapshot). */
  get pollState(): PollState {
    return this.#state;
  }

  /** Starts the association: the first poll is due at `nowNs`. */
  start(nowNs: Instant): NtpSourceAction[] {
    if (this.#state.phase !== "idle") return [];
    this.#apply({ kind: "started" });
    return [{ kind: "setTimer", atNs: nowNs }];
  }

  /** The timer fired at `nowNs`: count a lost poll if one is pending, send the next. */
  handleTimer(nowNs: Instant, random: RandomBytes): NtpSourceAction[] {
    if (this.#state.phase === "idle") this.#apply({ kind: "started" });
    if (this.#state.phase === "demobilized") return [];
    if (this.#pending !== null) {
      this.#counts.timeouts++;
      this.#apply({ kind: "timeout" });
    }
    const request = createNtpRequest({ random, poll: this.#state.poll, version: this.#options.version ?? 4 });
    this.#pending = { request, t1: nowNs };
    this.#apply({ kind: "sent" });
    const r = random(2);
    const fraction = ((r[0] ?? 0) * 256 + (r[1] ?? 0)) / 65536;
    const atNs = nowNs + pollDelayNs(this.#state, this.#config, fraction);
    return [
      { kind: "send", bytes: request.bytes },
      { kind: "setTimer", atNs },
    ];
  }

  /** The request of the last `send` left at `t1Ns` (a better T1 than the timer's). */
  markSent(t1Ns: Instant): void {
    if (this.#pending !== null) this.#pending.t1 = t1Ns;
  }

  /** A datagram from the server arrived at `rxTimeNs` (T4, local clock). */
  handleIncoming(bytes: Uint8Array, rxTimeNs: Instant): NtpSourceAction[] {
    const pending = this.#pending;
    if (pending === null || this.#state.phase !== "active") return this.#bogus("unexpected");
    const result = handleNtpReply(pending.request, pending.t1, bytes, rxTimeNs, {
      ...(this.#options.maxDelayNs === undefined ? {} : { maxDelayNs: this.#options.maxDelayNs }),
      ...(this.#options.clientPrecisionLog2 === undefined
        ? {}
        : { clientPrecisionLog2: this.#options.clientPrecisionLog2 }),
    });
    switch (result.kind) {
      case "bogus":
        return this.#bogus(result.reason);
      case "kiss": {
        this.#counts.kisses++;
        if (result.action === "ignore") return [];
        this.#pending = null;
        if (result.action === "stop") {
          this.#apply({ kind: "kiss", code: result.code === "RSTR" ? "RSTR" : "DENY" });
          return [{ kind: "demobilize", reason: `kiss ${result.code}` }];
        }
        this.#apply({ kind: "kiss", code: "RATE" });
        return [{ kind: "setTimer", atNs: pending.t1 + exponentToNs(this.#state.poll) }];
      }
      case "sample": {
        const { sample } = result;
        this.#pending = null;
        this.#apply({ kind: "sample", stable: this.#isStable(sample) });
        this.filter.add({
          offsetNs: sample.offsetNs,
          // The packet tests accept δ down to −(ρ client + ρ server) (a kernel receive
          // timestamp on loopback can precede the user-space send time): clamp, as ntpd
          // does, since the filter takes no negative delay.
          delayNs: sample.delayNs < 0n ? 0n : sample.delayNs,
          dispersionNs: sample.dispersionNs,
          atNs: sample.t4,
        });
        this.#last = sample;
        this.#counts.samples++;
        const estimate = this.filter.estimate(rxTimeNs);
        return estimate === undefined ? [] : [{ kind: "sample", sample, estimate }];
      }
    }
  }

  /** The source as a selection candidate at `nowNs`, once it has a sample. */
  candidate(nowNs: Instant): SourceCandidate | undefined {
    return sourceCandidate(this.id, this.filter, this.#last, this.#state.phase === "active", nowNs);
  }

  /** Statistics at `nowNs`. */
  stats(nowNs: Instant): NtpSourceStats {
    const s = this.#state;
    return {
      ...pollStats(this.id, s, this.filter, this.#last, nowNs),
      ...this.#counts,
      lastBogusReason: this.#lastBogus,
    };
  }

  /** Stable: within PGATE·ψ + δ/2 of the filter's offset (always, with < 2 samples). */
  #isStable(sample: NtpSample): boolean {
    const estimate = this.filter.estimate(sample.t4);
    if (estimate === undefined || estimate.sampleCount < 2) return true;
    const diff = sample.offsetNs - estimate.offsetNs;
    return (diff < 0n ? -diff : diff) <= PGATE * estimate.jitterNs + sample.delayNs / 2n;
  }

  #bogus(reason: NtpBogusReason | "unexpected"): NtpSourceAction[] {
    this.#counts.bogus++;
    this.#lastBogus = reason;
    return [];
  }

  #apply(event: PollEvent): void {
    this.#state = nextPollState(this.#state, event, this.#config);
  }
}
