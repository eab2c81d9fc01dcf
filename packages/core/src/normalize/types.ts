/**
 * Types of the normalization engine (issue 4 §3, DESIGN.md "Normalize"): an event
 * timestamp read from some origin's clock is moved onto UTC by that clock's offset at the
 * instant, with an honest uncertainty. Sign convention of the whole repo: offset = true −
 * local (positive: the origin's clock is behind), so normalized = original + offset.
 */
import type { Duration, Instant } from "../time.js";

/** One offset report of a node's agent (its tracking at local instant `atNs`). */
export interface OffsetReport {
  /** The node's local clock reading the report is about, ns since the epoch. */
  readonly atNs: Instant;
  /** true − local at `atNs`, ns. */
  readonly offsetNs: Duration;
  /** The agent's error bound on `offsetNs`, ns (≥ 0). */
  readonly boundNs: Duration;
  /** Rate of change of the offset, ppm (ns per second of local time / 1000): the servo's `frequencyPpm`. */
  readonly frequencyPpm: number;
}

/** (a) The origin is a node with agent reports: interpolate or extrapolate its history. */
export interface AgentHistoryModel {
  readonly kind: "agent-history";
  /** Reports in strictly increasing `atNs` order, at least one. */
  readonly history: readonly OffsetReport[];
}

/** A configured one-way latency: anywhere in [minNs, maxNs]. */
export interface LatencyEstimate {
  readonly minNs: Duration;
  readonly maxNs: Duration;
}

/** (b) Offset from the request's own send time against the server's receive time. */
export interface RequestLatencyModel {
  readonly kind: "request-latency";
  /** The origin's clock when it sent the request (`requestMetadata.requestTimestamp`). */
  readonly requestTimestampNs: Instant;
  /** The server's (UTC) clock when the request arrived. */
  readonly serverReceiveNs: Instant;
  /** A round trip the client measured (e.g. on a previous exchange); latency = rtt / 2. */
  readonly roundTripNs?: Duration;
  /** Used without a round trip; latency = its midpoint. Default: the engine config's. */
  readonly latencyEstimate?: LatencyEstimate;
}

/** (c) Nothing known about the origin's clock. */
export interface NoOffsetModel {
  readonly kind: "none";
}

export type OffsetModel = AgentHistoryModel | RequestLatencyModel | NoOffsetModel;

/** What to normalize. */
export interface NormalizeInput {
  /** The timestamp as the origin's clock read it, ns since the epoch. */
  readonly originalNs: Instant;
  /** The precision the origin claims for it, seconds (≥ 0), e.g. 0.001. */
  readonly precisionS: number;
  readonly model: OffsetModel;
}

/** Tuning of the models; every field has a default in DEFAULT_NORMALIZE_CONFIG. */
export interface NormalizeConfig {
  /** Largest frequency error a clock may acquire beyond its estimate, ppm (RFC 5905 φ = 15). */
  readonly maxDriftPpm: number;
  /** Uncertainty of a reported frequency, ppm; also bounds the error of interpolating. */
  readonly frequencyUncertaintyPpm: number;
  /** One-way latency assumed without a measured round trip. */
  readonly latencyEstimate: LatencyEstimate;
}

/** Limits a result is checked against (issue 4 §3 policies). */
export interface NormalizePolicy {
  /** |offset| beyond this flags TIMESTAMP_DIVERGENCE. */
  readonly maxDivergenceNs: Duration;
  /** Uncertainty (claimed precision included) beyond this flags PRECISION_THRESHOLD_EXCEEDED. */
  readonly maxUncertaintyNs: Duration;
  /** Reject (a typed rejection) instead of flagging. */
  readonly strict: boolean;
}

export type NormalizeMethod = "agent-history" | "request-latency" | "none";
export type NormalizeFlag = "TIMESTAMP_DIVERGENCE" | "PRECISION_THRESHOLD_EXCEEDED";

/** A timestamp placed on UTC. normalizedNs − original = offsetNs. */
export interface NormalizedTimestamp {
  readonly normalizedNs: Instant;
  /** Half-width of the interval around normalizedNs that holds true UTC, claimed precision included. */
  readonly uncertaintyNs: Duration;
  readonly method: NormalizeMethod;
  readonly offsetNs: Duration;
  /** The one-way latency compensated for (request-latency only). */
  readonly latencyNs?: Duration;
  readonly flags: readonly NormalizeFlag[];
}

/** A strict policy's refusal: the first failed check's code, every failed check, and the result. */
export interface NormalizeRejection {
  readonly code: NormalizeFlag;
  readonly codes: readonly NormalizeFlag[];
  readonly message: string;
  readonly result: NormalizedTimestamp;
}

export type NormalizeOutcome =
  | { readonly ok: true; readonly result: NormalizedTimestamp }
  | { readonly ok: false; readonly rejection: NormalizeRejection };
