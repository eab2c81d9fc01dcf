/**
 * `ntp://host[:port]` (default port 123): one RFC 5905 client exchange per measurement
 * through {@link queryNtp}.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-8
 */
import { type Clock, systemClock } from "@chronosync/core";
import type { NtpSample } from "../ntp/client-exchange.js";
import { queryNtp } from "../ntp/udp-client.js";
import { closedGuard } from "./closed.js";
import type { TimeSampleBase } from "./sample.js";
import type { TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, requireNoPath, type TimeSourceUrl } from "./url.js";

export const NTP_DEFAULT_PORT = 123;

/** Turns an NTP sample (also NTS's) into the common shape. */
export function ntpTimeSample(s: NtpSample, base: TimeSampleBase): TimeSample {
  return {
    ...base,
    offsetNs: s.offsetNs,
    delayNs: s.delayNs,
    dispersionNs: s.dispersionNs,
    uncertaintyNs: s.delayNs / 2n + s.dispersionNs,
    stratum: s.stratum,
    leap: s.leap,
    referenceId: s.referenceId,
    refId: s.refId,
    rootDelayNs: s.rootDelayNs,
    rootDispersionNs: s.rootDispersionNs,
    at: (s.t1 + s.t4) / 2n,
    timestamps: { t1: s.t1, t2: s.t2, t3: s.t3, t4: s.t4 },
    precision: s.precision,
  };
}

class NtpTimeSource implements TimeSource {
  readonly protocol = "ntp";
  readonly url: string;
  readonly #guard = closedGuard(() => this.url);
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    this.url = `ntp://${formatAuthority(host, port)}`;
  }

  async measure(options: { timeoutMs?: number } = {}): Promise<TimeSample> {
    this.#guard.check();
    const result = await queryNtp(
      { host: this.host, port: this.port },
      { samples: 1, timeoutMs: options.timeoutMs ?? this.timeoutMs, clock: this.clock },
    );
    return ntpTimeSample(result.best, {
      protocol: "ntp",
      source: this.url,
      address: result.address,
      authenticated: false,
    });
  }

  async close(): Promise<void> {
    this.#guard.close();
  }
}

/** The factory of `ntp://`. */
export function createNtpTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  const host = requireHost(url);
  requireNoPath(url);
  return new NtpTimeSource(
    host,
    url.port ?? NTP_DEFAULT_PORT,
    options.clock ?? systemClock,
    options.timeoutMs ?? 2000,
  );
}
