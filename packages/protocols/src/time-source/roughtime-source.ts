/**
 * `roughtime://host[:port]?key=<base64 Ed25519 public key>` (default port 2002): one
 * authenticated Roughtime exchange per measurement through {@link queryRoughtime}. The
 * key may also come from `TimeSourceOptions.roughtimeKey`. Standard and URL-safe base64
 * are both accepted.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */
import { type Clock, systemClock } from "@chronosync/core";
import { TimeSourceUrlError } from "../errors.js";
import { queryRoughtime } from "../roughtime/client.js";
import { closedGuard } from "./closed.js";
import { plainTimeSample } from "./sample.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, requireNoPath, type TimeSourceUrl } from "./url.js";

export const ROUGHTIME_PORT = 2002;

const BASE64_RE = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Decodes a 32-byte Ed25519 public key from base64 or base64url; null when it is not one. */
export function decodeRoughtimeKey(text: string): Uint8Array | null {
  if (!BASE64_RE.test(text)) return null;
  const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? new Uint8Array(bytes) : null;
}

class RoughtimeTimeSource implements TimeSource {
  readonly protocol = "roughtime";
  readonly url: string;
  readonly #guard = closedGuard(() => this.url);
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly key: Uint8Array,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly format: "ietf" | "google",
  ) {
    this.url = `roughtime://${formatAuthority(host, port)}?key=${Buffer.from(key).toString("base64")}${format === "google" ? "&format=google" : ""}`;
  }

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    // queryRoughtime waits ×1.5 per attempt; two attempts fit in about 2.5 × the first wait.
    const r = await queryRoughtime(this.host, this.port, this.key, {
      timeoutMs: Math.max(1, Math.floor(timeoutMs / 2.5)),
      attempts: 2,
      clock: this.clock,
      format: this.format,
    });
    const sample = plainTimeSample(
      { protocol: "roughtime", source: this.url, address: r.address, authenticated: true },
      {
        offsetNs: r.offsetNs,
        delayNs: r.rttNs,
        dispersionNs: r.radiusNs,
        uncertaintyNs: r.radiusNs + r.rttNs / 2n,
        at: (r.sentNs + r.receivedNs) / 2n,
      },
    );
    return { ...sample, radiusNs: r.radiusNs, midpointNs: r.midpointNs };
  }

  async close(): Promise<void> {
    this.#guard.close();
  }
}

/** The factory of `roughtime://`. */
export function createRoughtimeTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  const host = requireHost(url, ["key", "format"]);
  const format = url.params.get("format") ?? "ietf";
  if (format !== "ietf" && format !== "google")
    throw new TimeSourceUrlError(
      url.input,
      'format must be "ietf" (the draft, default) or "google" (pre-IETF)',
    );
  requireNoPath(url);
  const keyText = url.params.get("key");
  let key: Uint8Array | undefined = options.roughtimeKey;
  if (keyText !== undefined) {
    const decoded = decodeRoughtimeKey(keyText);
    if (decoded === null)
      throw new TimeSourceUrlError(url.input, "key must be a base64 Ed25519 public key (32 bytes)");
    key = decoded;
  }
  if (key === undefined)
    throw new TimeSourceUrlError(url.input, "Roughtime needs the server's public key (?key=BASE64)");
  if (key.length !== 32) throw new TimeSourceUrlError(url.input, "a Roughtime public key is 32 bytes");
  return new RoughtimeTimeSource(
    host,
    url.port ?? ROUGHTIME_PORT,
    key,
    options.clock ?? systemClock,
    options.timeoutMs ?? 2500,
    format,
  );
}
