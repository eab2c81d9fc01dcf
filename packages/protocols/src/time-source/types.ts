/**
 * The `TimeSource` interface: every protocol (NTP, NTS, Roughtime, HTTP time, PTP,
 * chronyd's own state) measured one sample at a time through the same small contract,
 * so the agent, `chronosync query` and fallback chains need not know which is which.
 * See docs/time-sources.md.
 */
import type { Clock, Duration, Instant } from "@chronosync/core";

/** The protocols built in; custom adapters may report any other name. */
export type TimeProtocol =
  | "ntp"
  | "nts"
  | "roughtime"
  | "http"
  | "https"
  | "ptp"
  | "local"
  | "system"
  | "chronosync";

/** NTP-style four timestamps of one exchange (RFC 5905 §8; PTP's t1..t4). */
export interface ExchangeTimestamps {
  t1: Instant;
  t2: Instant;
  t3: Instant;
  t4: Instant;
}

/**
 * One measurement, with the fields every protocol can fill; `null` where a protocol has
 * no such notion (e.g. Roughtime has no stratum). Offsets are source − local: positive
 * when the source is ahead.
 */
export interface TimeSample {
  /** Which protocol measured it (`"ntp"`, `"nts"`, …, or a custom adapter's name). */
  protocol: TimeProtocol | (string & {});
  /** The canonical URL of the source, e.g. `ntp://127.0.0.1:123`. */
  source: string;
  /** The address actually spoken to (after resolution and negotiation), or null. */
  address: string | null;
  /** θ = source − local, ns. */
  offsetNs: Duration;
  /** Round trip (δ), ns; 0 for `local`. */
  delayNs: Duration;
  /** The protocol's own dispersion (NTP ε, Roughtime radius, HTTP half-width), ns. */
  dispersionNs: Duration;
  /** Half-width of the interval that holds the true offset from this sample alone, ns. */
  uncertaintyNs: Duration;
  stratum: number | null;
  leap: 0 | 1 | 2 | 3 | null;
  /** The raw reference id (NTP/chronyd), or null. */
  referenceId: number | null;
  /** The reference id as text (`GPS`, `127.0.0.1`), or null. */
  refId: string | null;
  rootDelayNs: Duration | null;
  rootDispersionNs: Duration | null;
  /** True only when the time itself was cryptographically authenticated (NTS, Roughtime, HTTPS). */
  authenticated: boolean;
  /** The local instant the sample describes (midpoint of send and receive). */
  at: Instant;
  /** NTP/NTS/PTP: the four timestamps. */
  timestamps?: ExchangeTimestamps;
  /** NTP/NTS: the server's precision, log2 s. */
  precision?: number;
  /** Roughtime: RADI, ns. */
  radiusNs?: Duration;
  /** Roughtime: the signed midpoint MIDP. */
  midpointNs?: Instant;
}

/** Per-measurement options. */
export interface MeasureOptions {
  /** How long to wait for the source, ms (adapter default otherwise). */
  timeoutMs?: number;
}

/**
 * A time source: measures one sample per call, keeps whatever state the protocol needs
 * between calls (NTS keys and cookies), and releases it on `close()`.
 */
export interface TimeSource {
  /** The canonical URL. */
  readonly url: string;
  readonly protocol: string;
  /** One measurement; rejects with the protocol's typed errors. */
  measure(options?: MeasureOptions): Promise<TimeSample>;
  /** Releases state; later `measure` calls may reject. Idempotent. */
  close(): Promise<void>;
}

/** Structured log lines from sources (fallback switches, detection). */
export interface TimeSourceLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Options every factory receives; each adapter takes what concerns it. */
export interface TimeSourceOptions {
  /** The local clock (default core's systemClock). */
  clock?: Clock;
  /** Default wait per measurement, ms. */
  timeoutMs?: number;
  /** Trusted CA / self-signed certificates, PEM, for nts and https. */
  ca?: string | Buffer;
  /** Roughtime long-term public key (32 bytes) when the URL has no `key`. */
  roughtimeKey?: Uint8Array;
  /** Where log lines go (default: nowhere). */
  logger?: TimeSourceLogger;
}

/** A logger that drops everything. */
export const silentLogger: TimeSourceLogger = { info() {}, warn() {} };
