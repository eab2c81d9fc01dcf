/**
 * `auto://host[?ntp=PORT&nts=PORT&roughtime=PORT&https=PORT&http=PORT&ptp=IFACE&key=BASE64&deadline=MS]`:
 * runs {@link detectProtocolsWith} on first use, then measures with the picked protocol's
 * source. When that source fails, the next measurement detects again.
 */
import { TimeSourceUnavailableError, TimeSourceUrlError } from "../errors.js";
import { CA_PARAM, sourceCa } from "./ca.js";
import {
  type DETECTION_PORTS,
  type DetectionResult,
  type DetectOptions,
  detectProtocolsWith,
} from "./detect.js";
import type { TimeSourceRegistry } from "./registry.js";
import { decodeRoughtimeKey } from "./roughtime-source.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, requireNoPath, type TimeSourceUrl } from "./url.js";

const PORT_PARAMS = [
  "nts",
  "roughtime",
  "https",
  "ntp",
  "http",
] as const satisfies readonly (keyof typeof DETECTION_PORTS)[];

/** The auto source: detection, then the winner. */
export class AutoTimeSource implements TimeSource {
  readonly protocol = "auto";
  #detection: DetectionResult | null = null;
  #current: TimeSource | null = null;
  #closed = false;

  constructor(
    readonly url: string,
    private readonly host: string,
    private readonly registry: TimeSourceRegistry,
    private readonly options: DetectOptions,
  ) {}

  /** The last detection, or null before the first measurement. */
  detection(): DetectionResult | null {
    return this.#detection;
  }

  /** The source in use, or null. */
  current(): TimeSource | null {
    return this.#current;
  }

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    if (this.#closed) throw new TimeSourceUnavailableError(`${this.url} is closed`);
    if (this.#current === null) {
      const detection = await detectProtocolsWith(this.host, this.registry, this.options);
      this.#detection = detection;
      if (detection.picked === null) {
        const summary = detection.probes.map((p) => `${p.protocol}: ${p.status}`).join(", ");
        throw new TimeSourceUnavailableError(`no usable time protocol on ${this.host} (${summary})`);
      }
      this.#current = this.registry.create(detection.picked.url, this.options);
    }
    const current = this.#current;
    try {
      return await current.measure(options);
    } catch (err) {
      this.#current = null;
      await current.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#current?.close();
    this.#current = null;
  }
}

/** The factory of `auto://`. */
export function createAutoTimeSource(
  url: TimeSourceUrl,
  options: TimeSourceOptions,
  registry: TimeSourceRegistry,
): TimeSource {
  const host = requireHost(url, [...PORT_PARAMS, "ptp", "key", "deadline", CA_PARAM]);
  requireNoPath(url);
  if (url.port !== null)
    throw new TimeSourceUrlError(url.input, "auto:// takes per-protocol ports as ?ntp=PORT&…");
  const ports: DetectOptions["ports"] = {};
  for (const name of PORT_PARAMS) {
    const text = url.params.get(name);
    if (text === undefined) continue;
    const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(port >= 1 && port <= 65535))
      throw new TimeSourceUrlError(url.input, `bad ${name} port ${JSON.stringify(text)}`);
    ports[name] = port;
  }
  const { ca } = sourceCa(url, options);
  const detect: DetectOptions = { ...options, ports, ...(ca === undefined ? {} : { ca }) };
  const ptp = url.params.get("ptp");
  if (ptp !== undefined) detect.ptp = ptp;
  const keyText = url.params.get("key");
  if (keyText !== undefined) {
    const key = decodeRoughtimeKey(keyText);
    if (key === null)
      throw new TimeSourceUrlError(url.input, "key must be a base64 Ed25519 public key (32 bytes)");
    detect.roughtimeKey = key;
  }
  const deadline = url.params.get("deadline");
  if (deadline !== undefined) {
    const ms = /^[0-9]{1,6}$/.test(deadline) ? Number(deadline) : 0;
    if (!(ms >= 1)) throw new TimeSourceUrlError(url.input, `bad deadline ${JSON.stringify(deadline)}`);
    detect.deadlineMs = ms;
  }
  return new AutoTimeSource(`auto://${formatAuthority(host, null)}`, host, registry, detect);
}
