/**
 * `ptp://<interface-or-IPv4-address>[?domain=N&event=PORT&general=PORT]`: a PTP slave
 * (IEEE 1588-2019, UDPv4 multicast, E2E) started on first use and kept running, so only
 * the first measurement waits for a master to qualify (two Announces); each measurement
 * returns the next complete exchange (the newest one not yet returned). Offsets are UTC
 * (the master's TAI timestamps minus its announced currentUtcOffset).
 * @see https://standards.ieee.org/ieee/1588/6825/ (§9, §11.3)
 */
import { type Clock, systemClock } from "@chronosync/core";
import { PtpTimeoutError, TimeSourceUrlError } from "../errors.js";
import type { PtpSample } from "../ptp/slave.js";
import { type PtpEndpointOptions, type PtpSlaveHandle, startPtpSlave } from "../ptp/slave-runner.js";
import { closedGuard } from "./closed.js";
import { plainTimeSample } from "./sample.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import type { TimeSourceUrl } from "./url.js";

const IPV4_RE = /^(?:\d{1,3}\.){3}\d{1,3}$/;

/** A PTP time source; see the module comment. */
export class PtpTimeSource implements TimeSource {
  readonly protocol = "ptp";
  #slave: Promise<PtpSlaveHandle> | null = null;
  #latest: PtpSample | null = null;
  #waiter: ((s: PtpSample) => void) | null = null;
  readonly #guard = closedGuard(() => this.url);

  constructor(
    readonly url: string,
    private readonly endpoint: PtpEndpointOptions,
    private readonly timeoutMs: number,
  ) {}

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    this.#slave ??= startPtpSlave({
      ...this.endpoint,
      onSample: (s) => {
        const w = this.#waiter;
        if (w !== null) {
          this.#waiter = null;
          w(s);
        } else this.#latest = s;
      },
    });
    await this.#slave.catch((err: unknown) => {
      this.#slave = null;
      throw err;
    });
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let s = this.#latest;
    this.#latest = null;
    if (s === null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      s = await new Promise<PtpSample | null>((resolve) => {
        this.#waiter = resolve;
        timer = setTimeout(() => {
          this.#waiter = null;
          resolve(null);
        }, timeoutMs);
      });
      clearTimeout(timer);
      if (s === null)
        throw new PtpTimeoutError(`no PTP exchange completed on ${this.url} within ${timeoutMs} ms`);
    }
    const sample = plainTimeSample(
      {
        protocol: "ptp",
        source: this.url,
        address: this.endpoint.address ?? this.endpoint.interface ?? null,
        authenticated: false,
      },
      {
        offsetNs: s.offsetNs,
        delayNs: 2n * s.meanPathDelayNs,
        dispersionNs: 0n,
        uncertaintyNs: s.meanPathDelayNs < 0n ? -s.meanPathDelayNs : s.meanPathDelayNs,
        at: (s.t2 + s.t3) / 2n,
      },
    );
    return { ...sample, refId: s.masterIdentity, timestamps: { t1: s.t1, t2: s.t2, t3: s.t3, t4: s.t4 } };
  }

  async close(): Promise<void> {
    this.#guard.close();
    const slave = this.#slave;
    this.#slave = null;
    if (slave !== null) await (await slave.catch(() => null))?.close();
  }
}

function portParam(url: TimeSourceUrl, name: string): number | undefined {
  const text = url.params.get(name);
  if (text === undefined) return undefined;
  const n = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= 65535)) throw new TimeSourceUrlError(url.input, `bad ${name} ${JSON.stringify(text)}`);
  return n;
}

/** The factory of `ptp://`. */
export function createPtpTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  for (const name of url.params.keys())
    if (!["domain", "event", "general"].includes(name))
      throw new TimeSourceUrlError(url.input, `unknown parameter ${JSON.stringify(name)}`);
  if (url.host === "")
    throw new TimeSourceUrlError(url.input, "PTP needs an interface name or an IPv4 address");
  if (url.port !== null || (url.path !== "" && url.path !== "/"))
    throw new TimeSourceUrlError(url.input, "write ptp://<interface-or-address> (ports as ?event=&general=)");
  const clock: Clock = options.clock ?? systemClock;
  const domain = portParam(url, "domain");
  if (domain !== undefined && domain > 255) throw new TimeSourceUrlError(url.input, "domain must be 0–255");
  const eventPort = portParam(url, "event");
  const generalPort = portParam(url, "general");
  const endpoint: PtpEndpointOptions = {
    ...(IPV4_RE.test(url.host) ? { address: url.host } : { interface: url.host }),
    clock,
    ...(domain === undefined ? {} : { domain }),
    ...(eventPort === undefined ? {} : { eventPort }),
    ...(generalPort === undefined ? {} : { generalPort }),
  };
  const query = [...url.params].map(([k, v]) => `${k}=${v}`).join("&");
  return new PtpTimeSource(
    `ptp://${url.host}${query === "" ? "" : `?${query}`}`,
    endpoint,
    options.timeoutMs ?? 10_000,
  );
}
