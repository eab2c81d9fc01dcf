/**
 * `http://host[:port][/path]` and `https://…`: the server's Date header locked to its
 * second boundary (htpdate's method) through {@link queryHttpDate}, one estimate per
 * measurement. Over https the time is authenticated by the server's TLS certificate
 * (`?ca=/path/ca.pem` or `TimeSourceOptions.ca`: the certificates trusted instead of the
 * default roots; ca.ts).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
import { type Clock, systemClock } from "@chronosync/core";
import { queryHttpDate } from "../http/client.js";
import { CA_PARAM, caQuery, sourceCa } from "./ca.js";
import { closedGuard } from "./closed.js";
import { plainTimeSample } from "./sample.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, type TimeSourceUrl } from "./url.js";

class HttpTimeSource implements TimeSource {
  readonly url: string;
  readonly #guard = closedGuard(() => this.url);
  constructor(
    readonly protocol: "http" | "https",
    private readonly target: URL,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly ca: string | Buffer | undefined,
    caPath: string | undefined,
  ) {
    this.url = `${target.href}${caQuery(caPath)}`;
  }

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    const r = await queryHttpDate(this.target, {
      clock: this.clock,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      ...(this.ca === undefined ? {} : { ca: this.ca }),
    });
    const last = r.samples[r.samples.length - 1]!;
    return plainTimeSample(
      {
        protocol: this.protocol,
        source: this.url,
        address: this.target.hostname.replace(/^\[(.*)\]$/, "$1"),
        authenticated: this.protocol === "https",
      },
      {
        offsetNs: r.offsetNs,
        delayNs: r.rttNs,
        dispersionNs: r.uncertaintyNs,
        uncertaintyNs: r.uncertaintyNs,
        at: (last.sentNs + last.receivedNs) / 2n,
      },
    );
  }

  async close(): Promise<void> {
    this.#guard.close();
  }
}

/** The factory of `http://` and `https://`. */
export function createHttpTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  const protocol = url.scheme === "https" ? "https" : "http";
  // A CA file only means something over TLS.
  const host = requireHost(url, protocol === "https" ? [CA_PARAM] : []);
  const { ca, path } = sourceCa(url, options);
  const target = new URL(
    `${protocol}://${formatAuthority(host, url.port)}${url.path === "" ? "/" : url.path}`,
  );
  return new HttpTimeSource(
    protocol,
    target,
    options.clock ?? systemClock,
    options.timeoutMs ?? 5000,
    ca,
    path,
  );
}
