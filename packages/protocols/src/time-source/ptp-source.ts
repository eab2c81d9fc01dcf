/**
 * `ptp://<interface-or-IPv4-address>[?domain=N&event=PORT&general=PORT]`: a PTP slave
 * (IEEE 1588-2019, UDPv4 multicast, E2E) started on first use and kept running, so only
 * the first measurement waits for a master to qualify (two Announces); each measurement
 * returns the next complete exchange (the newest one not yet returned). Offsets are UTC
 * (the master's TAI timestamps minus its announced currentUtcOffset).
 *
 * Unicast negotiation (§16.1, e.g. ptp4l with `unicast_listen 1`) instead of multicast:
 * - `ptp://<master-IPv4>?unicast=1[&interface=<interface-or-IPv4-address>]`: with that
 *   master, listening on `interface`, else on the address the route to the master leaves
 *   from;
 * - `ptp://<interface-or-IPv4-address>?unicast=<IPv4>[,<IPv4>…]`: with these masters.
 * @see https://standards.ieee.org/ieee/1588/6825/ (§9, §11.3, §16.1)
 */
import { createSocket } from "node:dgram";
import { type Clock, NetworkFailureError, systemClock } from "@chronosync/core";
import { PtpTimeoutError, TimeSourceUrlError } from "../errors.js";
import type { PtpSample } from "../ptp/slave.js";
import {
  type PtpEndpointOptions,
  type PtpSlaveHandle,
  type PtpSlaveRunOptions,
  startPtpSlave,
} from "../ptp/slave-runner.js";
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

  /**
   * `endpoint` without an interface or address (unicast only): the address the route to
   * the first of `run.unicastMasters` leaves from.
   */
  constructor(
    readonly url: string,
    private readonly endpoint: PtpEndpointOptions,
    private readonly timeoutMs: number,
    private readonly run: PtpSlaveRunOptions = {},
  ) {}

  async #start(): Promise<PtpSlaveHandle> {
    const masters = this.run.unicastMasters ?? [];
    const local =
      this.endpoint.address === undefined && this.endpoint.interface === undefined && masters.length > 0
        ? { address: await localAddressToward(masters[0]!) }
        : {};
    return startPtpSlave({
      ...this.endpoint,
      ...local,
      ...this.run,
      onSample: (s) => {
        const w = this.#waiter;
        if (w !== null) {
          this.#waiter = null;
          w(s);
        } else this.#latest = s;
      },
    });
  }

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    this.#slave ??= this.#start();
    const slave = await this.#slave.catch((err: unknown) => {
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
    // Unicast: the master spoken to; multicast: where we listen.
    const address =
      this.run.unicastMasters !== undefined
        ? (slave.unicast?.addressOf(s.masterPort) ?? this.run.unicastMasters[0] ?? null)
        : (this.endpoint.address ?? this.endpoint.interface ?? null);
    const sample = plainTimeSample(
      {
        protocol: "ptp",
        source: this.url,
        address,
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

/** The local IPv4 address a datagram to `address` would leave from (no packet is sent). */
async function localAddressToward(address: string): Promise<string> {
  const socket = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(320, address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return socket.address().address;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new NetworkFailureError(`no route to the PTP master ${address}: ${message}`, { cause: err });
  } finally {
    socket.close();
  }
}

/**
 * The `unicast` and `interface` parameters: the masters to negotiate with and the local
 * endpoint (null: the route to the master's), or null for multicast.
 */
function unicastParams(url: TimeSourceUrl): { masters: string[]; local: string | null } | null {
  const unicast = url.params.get("unicast");
  const local = url.params.get("interface");
  if (unicast === undefined || unicast === "0" || unicast === "false") {
    if (local !== undefined) throw new TimeSourceUrlError(url.input, "interface= goes with unicast=1");
    return null;
  }
  if (unicast === "1" || unicast === "true") {
    if (!IPV4_RE.test(url.host))
      throw new TimeSourceUrlError(url.input, "with unicast=1 the host is the master's IPv4 address");
    if (local === "") throw new TimeSourceUrlError(url.input, "empty interface");
    return { masters: [url.host], local: local ?? null };
  }
  if (local !== undefined)
    throw new TimeSourceUrlError(
      url.input,
      "interface= goes with unicast=1 (here the host is the interface)",
    );
  const masters = unicast.split(",");
  for (const master of masters)
    if (!IPV4_RE.test(master))
      throw new TimeSourceUrlError(
        url.input,
        `unicast= takes 1 or masters' IPv4 addresses, not ${JSON.stringify(master)}`,
      );
  return { masters, local: url.host };
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
    if (!["domain", "event", "general", "unicast", "interface"].includes(name))
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
  const unicast = unicastParams(url);
  const local = unicast === null ? url.host : unicast.local;
  const endpoint: PtpEndpointOptions = {
    ...(local === null ? {} : IPV4_RE.test(local) ? { address: local } : { interface: local }),
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
    unicast === null ? {} : { unicastMasters: unicast.masters },
  );
}
