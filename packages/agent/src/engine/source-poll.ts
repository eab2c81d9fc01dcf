/**
 * Poll state of one NTP association as a pure state machine `(state, event) => state`
 * (STYLE.md "State machines are pure functions", after linuxptp `fsm.c`): when to poll
 * next, the 8-bit reach register of RFC 5905, `iburst` at start, backoff on lost replies
 * and on kiss-o'-death.
 *
 * Rules, all in one place:
 * - The poll exponent `poll` (interval 2^poll s) always stays in [minPoll, maxPoll]
 *   (negative exponents allowed, as chrony's `minpoll -2`). It starts at minPoll.
 * - `started`: the first `iburstCount` polls go out `min(2 s, 2^minPoll)` apart (chrony
 *   `iburst`), so a source is usable within seconds.
 * - `sent`: the reach register shifts left (RFC 5905 §13, A.5.7.2 `poll_update`).
 * - `sample`: a valid reply sets reach bit 0. `stable` samples count up; every
 *   `stepUpAfter` consecutive stable samples raise the poll one step. An unstable sample
 *   (offset outside the source's jitter, judged by the engine) lowers it one step.
 *   Adaptation pauses while polls of the burst are still to be sent.
 * - `timeout` (the previous poll went unanswered): the poll rises one step per
 *   consecutive loss (exponential backoff, bounded by maxPoll); during iburst losses do
 *   not slow the burst down. {@link pollDelayNs} adds up to 1/8 random jitter.
 * - `kiss` RATE: the poll at least doubles and the burst is abandoned. DENY or RSTR:
 *   `demobilized`, a terminal state that ignores every event (RFC 5905 §7.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.4
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-13
 * @see https://chrony-project.org/doc/4.3/chrony.conf.html#server
 */
import { InvalidArgumentError, NS_PER_S } from "@chronosync/core";

/** Poll settings of one source; see {@link resolvePollConfig} for the defaults. */
export interface PollConfig {
  /** Smallest poll exponent, log2 s (default 6: 64 s). */
  readonly minPoll: number;
  /** Largest poll exponent, log2 s (default 10: 1024 s). */
  readonly maxPoll: number;
  /** Polls sent in a burst at start, 2 s apart; 0 turns iburst off (default 4). */
  readonly iburstCount: number;
  /** Consecutive stable samples before the poll rises one step (default 4). */
  readonly stepUpAfter: number;
}

export type PollPhase = "idle" | "active" | "demobilized";

/** Poll state of one source. Plain immutable data. */
export interface PollState {
  readonly phase: PollPhase;
  /** Current poll exponent, log2 s, in [minPoll, maxPoll]. */
  readonly poll: number;
  /** Burst polls still to send. */
  readonly burstLeft: number;
  /** Consecutive stable samples since the poll last changed. */
  readonly stableStreak: number;
  /** Consecutive unanswered polls. */
  readonly lostStreak: number;
  /** RFC 5905 reach register, 8 bits: bit 0 is the latest poll. */
  readonly reach: number;
  /** Polls sent so far (for {@link reachability}). */
  readonly sent: number;
}

/** Kiss codes that change the poll state (others are dropped by the engine). */
export type PollKissCode = "RATE" | "DENY" | "RSTR";

export type PollEvent =
  | { readonly kind: "started" }
  | { readonly kind: "sent" }
  | { readonly kind: "sample"; readonly stable: boolean }
  | { readonly kind: "timeout" }
  | { readonly kind: "kiss"; readonly code: PollKissCode };

/** Poll exponent limits accepted in configuration (chrony allows −7…24 in minpoll). */
export const POLL_EXPONENT_MIN = -7;
export const POLL_EXPONENT_MAX = 17;
/** Interval between iburst polls at most: 2 s (exponent 1). */
const IBURST_POLL = 1;

/** Fills in defaults (minPoll 6, maxPoll 10, iburst 4, stepUpAfter 4) and checks ranges. */
export function resolvePollConfig(options: Partial<PollConfig> = {}): PollConfig {
  const config: PollConfig = { minPoll: 6, maxPoll: 10, iburstCount: 4, stepUpAfter: 4, ...options };
  const { minPoll, maxPoll, iburstCount, stepUpAfter } = config;
  const isExp = (v: number) => Number.isInteger(v) && v >= POLL_EXPONENT_MIN && v <= POLL_EXPONENT_MAX;
  if (!isExp(minPoll) || !isExp(maxPoll) || minPoll > maxPoll) {
    throw new InvalidArgumentError(
      `poll exponents must be integers in [${POLL_EXPONENT_MIN}, ${POLL_EXPONENT_MAX}] with minPoll ≤ maxPoll, got ${minPoll}, ${maxPoll}`,
    );
  }
  if (!Number.isInteger(iburstCount) || iburstCount < 0 || iburstCount > 16) {
    throw new InvalidArgumentError(`iburstCount must be an integer in [0, 16], got ${iburstCount}`);
  }
  if (!Number.isInteger(stepUpAfter) || stepUpAfter < 1) {
    throw new InvalidArgumentError(`stepUpAfter must be an integer ≥ 1, got ${stepUpAfter}`);
  }
  return config;
}

/** The state before `started`. */
export function initialPollState(config: PollConfig): PollState {
  return {
    phase: "idle",
    poll: config.minPoll,
    burstLeft: 0,
    stableStreak: 0,
    lostStreak: 0,
    reach: 0,
    sent: 0,
  };
}

/**
 * The poll state transition. Pure. A demobilized state is returned unchanged; an idle
 * one ignores everything but `started` (which also restarts an active source).
 */
export function nextPollState(state: PollState, event: PollEvent, config: PollConfig): PollState {
  if (state.phase === "demobilized") return state;
  if (state.phase === "idle" && event.kind !== "started") return state;
  const clamp = (poll: number) => Math.min(config.maxPoll, Math.max(config.minPoll, poll));
  switch (event.kind) {
    case "started":
      return { ...initialPollState(config), phase: "active", burstLeft: config.iburstCount };
    case "sent":
      return {
        ...state,
        reach: (state.reach << 1) & 0xff,
        sent: state.sent + 1,
        burstLeft: Math.max(0, state.burstLeft - 1),
      };
    case "sample": {
      const reach = state.sent > 0 ? state.reach | 1 : state.reach;
      if (state.burstLeft > 0) return { ...state, reach, lostStreak: 0 };
      if (!event.stable)
        return { ...state, reach, lostStreak: 0, stableStreak: 0, poll: clamp(state.poll - 1) };
      const streak = state.stableStreak + 1;
      if (streak < config.stepUpAfter) return { ...state, reach, lostStreak: 0, stableStreak: streak };
      return { ...state, reach, lostStreak: 0, stableStreak: 0, poll: clamp(state.poll + 1) };
    }
    case "timeout": {
      const inBurst = state.burstLeft > 0;
      return {
        ...state,
        lostStreak: state.lostStreak + 1,
        stableStreak: 0,
        poll: inBurst ? state.poll : clamp(state.poll + 1),
      };
    }
    case "kiss":
      if (event.code !== "RATE") return { ...state, phase: "demobilized", burstLeft: 0 };
      return { ...state, burstLeft: 0, stableStreak: 0, poll: clamp(state.poll + 1) };
  }
}

/**
 * Delay from a poll to the next one: `min(2 s, 2^minPoll)` while bursting, else 2^poll s
 * plus up to 1/8 of it as jitter, so that a fleet started together drifts apart.
 * `random` is a number in [0, 1) from the caller (never Math.random).
 */
export function pollDelayNs(state: PollState, config: PollConfig, random: number): bigint {
  if (state.burstLeft > 0) return exponentToNs(Math.min(IBURST_POLL, config.minPoll));
  const base = exponentToNs(state.poll);
  const fraction = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1 - 2 ** -16) : 0;
  return base + (BigInt(Math.floor(fraction * 8192)) * (base / 8n)) / 8192n;
}

/** 2^exponent seconds in ns (exact for the exponents allowed). */
export function exponentToNs(exponent: number): bigint {
  return exponent >= 0 ? NS_PER_S << BigInt(exponent) : NS_PER_S >> BigInt(-exponent);
}

/** Fraction of the last min(8, sent) polls that were answered, in [0, 1]. */
export function reachability(state: PollState): number {
  const window = Math.min(8, state.sent);
  if (window === 0) return 0;
  let bits = 0;
  for (let r = state.reach; r !== 0; r >>= 1) bits += r & 1;
  return bits / window;
}
