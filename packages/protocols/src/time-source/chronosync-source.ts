/**
 * `chronosync://host[:port]` (HTTPS, port 443 by default) and `chronosync+http://host[:port]`
 * (plain HTTP, port 8080 by default, for labs): ChronoSync's signed four-timestamp exchange
 * with its server's `POST /api/time` (chronosync-time/), best of `?samples=` exchanges
 * (default 4) per measurement. Authenticated: every answer is Ed25519-signed with a key the
 * server publishes, on top of TLS for `chronosync://`.
 */
import { type Clock, systemClock } from "@chronosync/core";
import { queryChronosyncTime } from "../chronosync-time/client.js";
import { TimeSourceUrlError } from "../errors.js";
import { CA_PARAM, caQuery, sourceCa } from "./ca.js";
import { closedGuard } from "./closed.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, type TimeSourceUrl } from "./url.js";

class ChronosyncTimeSource implements TimeSource {
  readonly protocol = "chronosync";
  readonly url: string;
  readonly #guard = closedGuard(() => this.url);
  constructor(
    url: string,
    private readonly base: URL,
    private readonly samples: number,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly ca: string | Buffer | undefined,
  ) {
    this.url = url;
  }

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    const r = await queryChronosyncTime(this.base.href, {
      samples: this.samples,
      clock: this.clock,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      ...(this.ca === undefined ? {} : { ca: this.ca }),
    });
    const b = r.best;
    return {
      protocol: this.protocol,
      source: this.url,
      address: this.base.hostname.replace(/^\[(.*)\]$/, "$1"),
      offsetNs: b.offsetNs,
      delayNs: b.delayNs,
      dispersionNs: 0n,
      uncertaintyNs: b.delayNs / 2n,
      stratum: null,
      leap: b.leap,
      referenceId: null,
      refId: null,
      rootDelayNs: null,
      rootDispersionNs: null,
      authenticated: true,
      at: (b.t1 + b.t4) / 2n,
      timestamps: { t1: b.t1, t2: b.t2, t3: b.t3, t4: b.t4 },
    };
  }

  async close(): Promise<void> {
    this.#guard.close();
  }
}

/** The factory of `chronosync://` (HTTPS) and `chronosync+http://`. */
export function createChronosyncTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  const tls = url.scheme === "chronosync";
  const host = requireHost(url, tls ? ["samples", CA_PARAM] : ["samples"]);
  const { ca, path } = sourceCa(url, options);
  const port = url.port ?? (tls ? 443 : 8080);
  const samplesText = url.params.get("samples") ?? "4";
  const samples = Number(samplesText);
  if (!/^[0-9]{1,2}$/.test(samplesText) || samples < 1 || samples > 64) {
    throw new TimeSourceUrlError(url.input, "samples must be 1–64");
  }
  const authority = formatAuthority(host, port);
  const base = new URL(`${tls ? "https" : "http"}://${authority}/`);
  return new ChronosyncTimeSource(
    `${url.scheme}://${authority}${caQuery(path)}`,
    base,
    samples,
    options.clock ?? systemClock,
    options.timeoutMs ?? 3000,
    ca,
  );
}
