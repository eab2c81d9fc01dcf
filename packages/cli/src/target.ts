/**
 * Parsing of the places the command talks to: query targets (`ntp://host[:port]`,
 * `nts://…`, `roughtime://…`, `http(s)://…`, `ptp://…`, `local`, `auto://host`, or a
 * bare host) and listen addresses (`HOST:PORT`). Every failure is a {@link UsageError}
 * whose message names the input and what is wrong with it.
 */
import { isIPv4, isIPv6 } from "node:net";
import { parseTimeSourceUrl } from "@chronosync/protocols";
import { UsageError } from "./errors.js";

/** The well-known NTP port (RFC 5905 §7.2). */
export const NTP_PORT = 123;

export interface NtpTarget {
  readonly protocol: "ntp";
  /** Host name or IP literal, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;
// RFC 1123 labels, plus "_" which some internal names use; a trailing dot is allowed.
const HOSTNAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** Quotes user input for a message, keeping it on one short line. */
export function quote(input: string): string {
  return JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input);
}

/** Parses a decimal port; `allowZero` for listen addresses (0 = any free port). */
export function parsePort(text: string, context: string, allowZero = false): number {
  const min = allowZero ? 0 : 1;
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= min && port <= 65535)) {
    throw new UsageError(`invalid port ${quote(text)} in ${quote(context)} (expected ${min}–65535)`);
  }
  return port;
}

function checkHost(host: string, input: string): string {
  if (host === "") throw new UsageError(`missing host in ${quote(input)}`);
  if (isIPv4(host) || HOSTNAME.test(host)) return host;
  throw new UsageError(`invalid host ${quote(host)} in ${quote(input)}`);
}

/**
 * Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal into host and
 * port text (undefined when absent).
 */
function splitHostPort(authority: string, input: string): { host: string; port: string | undefined } {
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw new UsageError(`missing "]" in ${quote(input)}`);
    const host = authority.slice(1, close);
    if (!isIPv6(host)) throw new UsageError(`invalid IPv6 address ${quote(host)} in ${quote(input)}`);
    const rest = authority.slice(close + 1);
    if (rest === "") return { host, port: undefined };
    if (!rest.startsWith(":")) throw new UsageError(`unexpected ${quote(rest)} after "]" in ${quote(input)}`);
    return { host, port: rest.slice(1) };
  }
  const colon = authority.indexOf(":");
  if (colon < 0) return { host: checkHost(authority, input), port: undefined };
  if (authority.indexOf(":", colon + 1) >= 0) {
    throw new UsageError(`invalid address ${quote(input)} (write IPv6 addresses as [addr]:port)`);
  }
  return { host: checkHost(authority.slice(0, colon), input), port: authority.slice(colon + 1) };
}

/**
 * Parses a query target: `ntp://host[:port]`, `ntp://[v6][:port]`, or without a scheme
 * `host`, `host:port`, `[v6]:port` and a bare IPv6 literal such as `::1`. The port
 * defaults to 123. Other schemes are refused as unsupported.
 */
export function parseTarget(input: string): NtpTarget {
  const text = input.trim();
  if (text === "") throw new UsageError("missing target (e.g. ntp://time.example.com)");
  let authority = text;
  const scheme = SCHEME.exec(text);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name !== "ntp")
      throw new UsageError(`unsupported scheme "${name}:" in ${quote(input)} (supported: ntp://)`);
    const rest = scheme[2]!;
    const end = rest.search(/[/?#]/);
    authority = end < 0 ? rest : rest.slice(0, end);
    const tail = end < 0 ? "" : rest.slice(end);
    if (tail !== "" && tail !== "/")
      throw new UsageError(`unexpected path ${quote(tail)} in ${quote(input)}`);
    if (authority.includes("@")) throw new UsageError(`user info is not supported in ${quote(input)}`);
  } else if (text.includes("://") || /^[A-Za-z][A-Za-z0-9+.-]*:\/(?!\/)/.test(text)) {
    throw new UsageError(`malformed target ${quote(input)} (expected ntp://host[:port] or a host name)`);
  } else if (isIPv6(text)) {
    return { protocol: "ntp", host: text, port: NTP_PORT };
  }
  const { host, port } = splitHostPort(authority, input);
  return { protocol: "ntp", host, port: port === undefined ? NTP_PORT : parsePort(port, input) };
}

/** Parses `HOST:PORT` or `[v6]:PORT` for a server to listen on; port 0 picks a free port. */
export function parseListen(input: string): ListenAddress {
  const text = input.trim();
  const { host, port } = splitHostPort(text, input);
  if (port === undefined) throw new UsageError(`missing port in ${quote(input)} (expected HOST:PORT)`);
  return { host, port: parsePort(port, input, true) };
}

/** `host:port`, with IPv6 literals in brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The canonical form of a target, e.g. `ntp://[::1]:123`. */
export function formatTarget(target: NtpTarget): string {
  return `${target.protocol}://${formatHostPort(target.host, target.port)}`;
}

/** The schemes `chronosync query` speaks (the time source registry's built-ins). */
export const QUERY_SCHEMES = [
  "ntp",
  "nts",
  "roughtime",
  "http",
  "https",
  "ptp",
  "local",
  "auto",
  "chronosync",
  "chronosync+http",
] as const;
export type QueryProtocol = (typeof QUERY_SCHEMES)[number];

/** A query target of any scheme but ntp: its time source URL, checked for syntax. */
export interface UrlTarget {
  readonly protocol: Exclude<QueryProtocol, "ntp">;
  /** The time source URL (`auto://host` for a bare host). */
  readonly url: string;
  /** Host name, IP literal, interface (ptp) or `""` (local). */
  readonly host: string;
}

/** What `chronosync query` measures: an NTP server (issue 2's form) or any other scheme. */
export type QueryTarget = NtpTarget | UrlTarget;

/**
 * Parses a query target. `ntp://…` and a host *with* a port (`host:port`, `[v6]:port`)
 * are NTP as before; `local` is chronyd; other schemes are checked for syntax (the time
 * source's factory checks the rest); a bare host or IPv6 literal without a port means
 * automatic detection (`auto://host`).
 */
export function parseQueryTarget(input: string): QueryTarget {
  const text = input.trim();
  if (text === "") throw new UsageError("missing target (e.g. ntp://time.example.com)");
  if (text.toLowerCase() === "local") return { protocol: "local", url: "local", host: "" };
  const scheme = SCHEME.exec(text);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name === "ntp") return parseTarget(text);
    if (!(QUERY_SCHEMES as readonly string[]).includes(name))
      throw new UsageError(
        `unsupported scheme "${name}:" in ${quote(input)} (supported: ${QUERY_SCHEMES.map((s) => `${s}://`).join(", ")})`,
      );
    let host: string;
    try {
      host = parseTimeSourceUrl(text).host;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (host === "" && name !== "local") throw new UsageError(`missing host in ${quote(input)}`);
    return { protocol: name as UrlTarget["protocol"], url: text, host };
  }
  if (isIPv6(text)) return { protocol: "auto", url: `auto://[${text}]`, host: text };
  const target = parseTarget(text);
  if (/:[0-9]*$/.test(text) && !text.endsWith("]")) return target;
  return {
    protocol: "auto",
    url: `auto://${formatHostPort(target.host, 0).replace(/:0$/, "")}`,
    host: target.host,
  };
}

/** The time source URL of a query target. */
export function queryTargetUrl(target: QueryTarget): string {
  return target.protocol === "ntp" ? formatTarget(target) : target.url;
}
