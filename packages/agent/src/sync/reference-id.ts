/**
 * The reference identifier a server at stratum ≥ 2 advertises for its upstream
 * (RFC 5905 §7.3): the upstream's IPv4 address, or the first four octets of the MD5
 * hash of its IPv6 address. A name that is no address literal (an unresolved host name)
 * is hashed the same way over its UTF-8 bytes, so it still gets a stable id.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3
 */
import { createHash } from "node:crypto";

/** The host part of `ntp://host:port`, `host:port`, `[v6]:port` or a bare address. */
export function hostOf(address: string): string {
  let rest = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, "");
  const bracket = /^\[([^\]]+)\]/.exec(rest);
  if (bracket !== null) return bracket[1] ?? rest;
  // One colon: host:port. Several: a bare IPv6 literal.
  if (rest.indexOf(":") === rest.lastIndexOf(":")) rest = rest.replace(/:\d*$/, "");
  return rest;
}

function parseIPv4(host: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

/** The 16 bytes of an IPv6 literal (with `::` and an optional IPv4 tail), or undefined. */
export function parseIPv6(host: string): Uint8Array | undefined {
  const text = host.replace(/%.*$/, "");
  if (!text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined): number[] | undefined => {
    if (part === undefined || part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      const v4 = parseIPv4(g);
      if (v4 !== undefined) out.push(v4 >>> 16, v4 & 0xffff);
      else if (/^[0-9a-f]{1,4}$/i.test(g)) out.push(Number.parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >>> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** The reference id of an upstream server given by address (or URL, or host name). */
export function referenceIdOf(address: string): number {
  const host = hostOf(address);
  const v4 = parseIPv4(host);
  if (v4 !== undefined) return v4 >>> 0;
  const digest = createHash("md5")
    .update(parseIPv6(host) ?? new TextEncoder().encode(host))
    .digest();
  return digest.readUInt32BE(0);
}
