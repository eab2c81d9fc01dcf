/**
 * Time source URLs: `scheme://host[:port][/path][?name=value&…]`, plus the bare words
 * `local` and `system[?name=value&…]`. Pure: no `node:` import. Query values are percent-decoded without turning `+`
 * into a space, so standard base64 keys (`?key=AbC+/x=`) survive as typed.
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3
 */
import { TimeSourceUrlError } from "../errors.js";

/** A parsed time source URL. `host` is `""` when absent; IPv6 literals without brackets. */
export interface TimeSourceUrl {
  /** Lower-case scheme without `:` (`ntp`, `nts`, `local`, …). */
  scheme: string;
  host: string;
  /** The explicit port, or null. */
  port: number | null;
  /** The path, `""` when absent (`/run/chrony/chronyd.sock` for `local:///…`). */
  path: string;
  params: ReadonlyMap<string, string>;
  /** The input as given (trimmed). */
  input: string;
}

const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/s;
const BARE_RE = /^(?:(local)|(system)(\?[^#]*)?)$/i;
const HOST_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?$/;
const IPV6_RE = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?$/;

function decode(text: string, input: string): string {
  try {
    return decodeURIComponent(text);
  } catch (err) {
    throw new TimeSourceUrlError(input, `bad percent-encoding in ${JSON.stringify(text)}`, { cause: err });
  }
}

/** Parses a time source URL; throws {@link TimeSourceUrlError} when it is malformed. */
export function parseTimeSourceUrl(text: string): TimeSourceUrl {
  const input = text.trim();
  // The bare words `local` and `system` (with `?params` for system) name host-less sources.
  const bare = BARE_RE.exec(input);
  const m = URL_RE.exec(bare === null ? input : `${bare[1] ?? bare[2]}://${bare[3] ?? ""}`);
  if (m === null) throw new TimeSourceUrlError(input, "expected scheme://host[:port][?params]");
  const scheme = m[1]!.toLowerCase();
  let authority = m[2]!;
  if (authority.includes("@")) throw new TimeSourceUrlError(input, "user info is not supported");
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw new TimeSourceUrlError(input, 'missing "]"');
    host = authority.slice(1, close);
    if (!host.includes(":") || !IPV6_RE.test(host)) throw new TimeSourceUrlError(input, "bad IPv6 literal");
    const rest = authority.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw new TimeSourceUrlError(input, `unexpected ${rest}`);
    portText = rest === "" ? undefined : rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon >= 0 && authority.indexOf(":") !== colon)
      throw new TimeSourceUrlError(input, "write IPv6 addresses as [addr]:port");
    if (colon >= 0) {
      portText = authority.slice(colon + 1);
      authority = authority.slice(0, colon);
    }
    host = decode(authority, input);
    if (host !== "" && !HOST_RE.test(host))
      throw new TimeSourceUrlError(input, `bad host ${JSON.stringify(host)}`);
  }
  let port: number | null = null;
  if (portText !== undefined) {
    port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535))
      throw new TimeSourceUrlError(input, `bad port ${JSON.stringify(portText)} (expected 1–65535)`);
  }
  const params = new Map<string, string>();
  for (const pair of (m[4] ?? "").split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decode(eq < 0 ? pair : pair.slice(0, eq), input);
    if (params.has(name)) throw new TimeSourceUrlError(input, `parameter ${JSON.stringify(name)} repeated`);
    params.set(name, decode(eq < 0 ? "" : pair.slice(eq + 1), input));
  }
  return { scheme, host, port, path: decode(m[3]!, input), params, input };
}

/** `host:port`, with IPv6 literals in brackets. */
export function formatAuthority(host: string, port: number | null): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return port === null ? h : `${h}:${port}`;
}

/** Throws unless the URL names a host, and has only the parameters listed. */
export function requireHost(url: TimeSourceUrl, allowedParams: readonly string[] = []): string {
  if (url.host === "") throw new TimeSourceUrlError(url.input, "missing host");
  for (const name of url.params.keys())
    if (!allowedParams.includes(name))
      throw new TimeSourceUrlError(url.input, `unknown parameter ${JSON.stringify(name)}`);
  return url.host;
}

/** Throws when the URL has a path other than `/`. */
export function requireNoPath(url: TimeSourceUrl): void {
  if (url.path !== "" && url.path !== "/")
    throw new TimeSourceUrlError(url.input, `unexpected path ${JSON.stringify(url.path)}`);
}
