/**
 * Parsing of the address forms the configuration accepts: NTP source URLs
 * `ntp://host[:port][?minpoll=4&maxpoll=8&iburst=1&pool=1]`, bare `host`, `host:port`,
 * `[v6]:port`, bare IPv6 literals, and `host:port` listen addresses. Pure; each parser
 * returns a value or what was expected, never throws.
 */
import { isIPv4, isIPv6 } from "node:net";
import { suggest } from "./suggest.js";

export const NTP_PORT = 123;

/** A checked value or what the input should have been. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly expected: string;
      /** When the problem is inside the value: its sub-path (e.g. `.fallback[1]`) and what was there. */
      readonly at?: { readonly path: string; readonly got: unknown };
    };

/** One NTP source as written; options left out fall back to the global settings. */
export interface NtpSourceSpec {
  /** Normalized URL, e.g. `ntp://time.example.com:123?minpoll=4`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly minPoll?: number;
  readonly maxPoll?: number;
  readonly iburst?: boolean;
  /** The name resolves to a pool of servers (chrony's `pool`): use several of its addresses. */
  readonly pool?: boolean;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const SOURCE_OPTIONS = ["minpoll", "maxpoll", "iburst", "pool"] as const;
const HOST_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;
const fail = (expected: string) => ({ ok: false, expected }) as const;

/** True for a DNS name or an IPv4 address (IPv6 is checked by the callers). */
export function isHostName(host: string): boolean {
  if (isIPv4(host)) return true;
  if (/^[\d.]+$/.test(host) || host.length > 253) return false;
  const labels = (host.endsWith(".") ? host.slice(0, -1) : host).split(".");
  return labels.every((l) => HOST_LABEL.test(l));
}

/** `[host]` form for IPv6 literals, so the result can be put back into a URL. */
export function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Parses `host`, `host:port`, `[v6]`, `[v6]:port` and (when `allowBareV6`) a bare IPv6
 * literal. A missing port is `defaultPort`; without one the port is required.
 */
export function parseHostPort(text: string, defaultPort?: number, allowBareV6 = false): Parsed<HostPort> {
  let host: string;
  let port: string | undefined;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracket) {
    host = bracket[1] ?? "";
    port = bracket[2];
    if (!isIPv6(host)) return fail("an IPv6 address inside [ ]");
  } else if (allowBareV6 && isIPv6(text)) {
    host = text;
  } else {
    const colon = text.lastIndexOf(":");
    if (colon >= 0 && text.indexOf(":") !== colon) return fail("IPv6 addresses in brackets, as [::1]:123");
    host = colon < 0 ? text : text.slice(0, colon);
    port = colon < 0 ? undefined : text.slice(colon + 1);
    if (!isHostName(host)) return fail("a host name or IP address");
  }
  if (port === undefined) {
    return defaultPort === undefined
      ? fail("host:port with a port in 1..65535")
      : { ok: true, value: { host, port: defaultPort } };
  }
  const n = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (!(n >= 1 && n <= 65535)) return fail("a port in 1..65535");
  return { ok: true, value: { host, port: n } };
}

function splitScheme(text: string): { scheme?: string; rest: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  return m ? { scheme: (m[1] ?? "").toLowerCase(), rest: text.slice(m[0].length) } : { rest: text };
}

function parseOption(spec: Record<string, number | boolean>, pair: string): string | undefined {
  const eq = pair.indexOf("=");
  const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
  const value = eq < 0 ? "1" : pair.slice(eq + 1);
  if (name === "minpoll" || name === "maxpoll") {
    if (!/^-?\d{1,2}$/.test(value)) return `${name} to be an integer poll exponent`;
    spec[name] = Number(value);
  } else if (name === "iburst" || name === "pool") {
    const b = { "1": true, true: true, "0": false, false: false }[value.toLowerCase()];
    if (b === undefined) return `${name} to be 1, 0, true or false`;
    spec[name] = b;
  } else {
    const hint = suggest(name, SOURCE_OPTIONS);
    return `options ${SOURCE_OPTIONS.join(", ")} (unknown "${name}"${hint ? `; did you mean "${hint}"?` : ""})`;
  }
  return undefined;
}

/**
 * Parses an NTP source: `ntp://host[:port][?options]` or the same without the scheme,
 * a bare IPv6 literal included. Options: `minpoll`, `maxpoll` (poll exponents),
 * `iburst`, `pool` (1/0/true/false; bare `iburst` means 1).
 */
export function parseNtpSource(text: string): Parsed<NtpSourceSpec> {
  const { scheme, rest } = splitScheme(text.trim());
  if (scheme !== undefined && scheme !== "ntp") return fail("an ntp:// URL or host name");
  const q = rest.indexOf("?");
  const authority = (q < 0 ? rest : rest.slice(0, q)).replace(/\/$/, "");
  if (authority === "") return fail("an ntp:// URL or host name");
  const hp = parseHostPort(authority, NTP_PORT, scheme === undefined);
  if (!hp.ok) return hp;
  const options: Record<string, number | boolean> = {};
  for (const pair of q < 0 ? [] : rest.slice(q + 1).split("&")) {
    if (pair === "") continue;
    const problem = parseOption(options, pair);
    if (problem !== undefined) return fail(problem);
  }
  const minpoll = options.minpoll as number | undefined;
  const maxpoll = options.maxpoll as number | undefined;
  const iburst = options.iburst as boolean | undefined;
  const pool = options.pool as boolean | undefined;
  if (minpoll !== undefined && maxpoll !== undefined && minpoll > maxpoll) return fail("minpoll ≤ maxpoll");
  const query = SOURCE_OPTIONS.filter((k) => options[k] !== undefined)
    .map((k) => `${k}=${typeof options[k] === "boolean" ? Number(options[k]) : options[k]}`)
    .join("&");
  const { host, port } = hp.value;
  const url = `ntp://${hostForUrl(host)}${port === NTP_PORT ? "" : `:${port}`}${query ? `?${query}` : ""}`;
  return {
    ok: true,
    value: {
      url,
      host,
      port,
      ...(minpoll !== undefined && { minPoll: minpoll }),
      ...(maxpoll !== undefined && { maxPoll: maxpoll }),
      ...(iburst !== undefined && { iburst }),
      ...(pool !== undefined && { pool }),
    },
  };
}

/** Parses a serving address `ntp://host:port` (port required, no options). */
export function parseServeUrl(text: string): Parsed<string> {
  const { scheme, rest } = splitScheme(text.trim());
  if (scheme !== "ntp" || rest.includes("?")) return fail("an ntp://host:port URL to serve on");
  const hp = parseHostPort(rest.replace(/\/$/, ""));
  if (!hp.ok) return hp;
  return { ok: true, value: `ntp://${hostForUrl(hp.value.host)}:${hp.value.port}` };
}
