/**
 * Roughtime server lists (draft-ietf-ntp-roughtime-19 §8.3, media type
 * application/roughtime-server+json): `servers` with name, version, publicKeyType,
 * base64 publicKey and addresses ("host:port", IPv6 in brackets, udp or tcp); optional
 * https `sources` and a `reports` URL for malfeasance reports. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-8.3
 */
import { InvalidArgumentError } from "@chronosync/core";

/** A "host:port" of a list, split. */
export interface RoughtimeAddress {
  protocol: "udp" | "tcp";
  host: string;
  port: number;
}

/** A usable server of a list (Ed25519, 32-byte key). */
export interface RoughtimeListedServer {
  name: string;
  version: number;
  publicKey: Uint8Array;
  addresses: RoughtimeAddress[];
}

/** A parsed list. Servers with another key type are in `skipped`, not an error. */
export interface RoughtimeServerList {
  servers: RoughtimeListedServer[];
  skipped: { name: string; reason: string }[];
  sources: string[];
  reports: string | null;
}

/** Splits "host:port" or "[v6]:port" (§8.3). Throws core's InvalidArgumentError. */
export function parseRoughtimeAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(address);
  const port = m === null ? Number.NaN : Number(m[3]);
  if (m === null || port > 65535)
    throw new InvalidArgumentError(`not a Roughtime host:port: ${JSON.stringify(address)}`);
  return { host: m[1] ?? m[2]!, port };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function httpsUrl(value: unknown, what: string): string {
  if (typeof value !== "string" || !/^https:\/\/\S+$/.test(value))
    throw new InvalidArgumentError(`${what} must be an https URL`);
  return value;
}

function decodeKey(value: unknown): Uint8Array | null {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const binary = atob(value);
  return binary.length === 32 ? Uint8Array.from(binary, (c) => c.charCodeAt(0)) : null;
}

/** Parses a server list (the JSON value). Throws core's InvalidArgumentError when malformed. */
export function parseRoughtimeServerList(json: unknown): RoughtimeServerList {
  if (!isObject(json) || !Array.isArray(json.servers))
    throw new InvalidArgumentError("a server list needs a servers array");
  const list: RoughtimeServerList = { servers: [], skipped: [], sources: [], reports: null };
  json.servers.forEach((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry.name !== "string" || !Number.isInteger(entry.version))
      throw new InvalidArgumentError(`servers[${i}] needs a name and an integer version`);
    if (!Array.isArray(entry.addresses) || entry.addresses.length === 0)
      throw new InvalidArgumentError(`servers[${i}] needs addresses`);
    const addresses = entry.addresses.map((a: unknown, j): RoughtimeAddress => {
      if (!isObject(a) || (a.protocol !== "udp" && a.protocol !== "tcp") || typeof a.address !== "string")
        throw new InvalidArgumentError(`servers[${i}].addresses[${j}] needs protocol udp|tcp and an address`);
      return { protocol: a.protocol, ...parseRoughtimeAddress(a.address) };
    });
    if (entry.publicKeyType !== "ed25519") {
      list.skipped.push({ name: entry.name, reason: `publicKeyType ${JSON.stringify(entry.publicKeyType)}` });
      return;
    }
    const publicKey = decodeKey(entry.publicKey);
    if (publicKey === null)
      throw new InvalidArgumentError(`servers[${i}].publicKey is not 32 bytes of base64`);
    list.servers.push({ name: entry.name, version: entry.version as number, publicKey, addresses });
  });
  if (json.sources !== undefined) {
    if (!Array.isArray(json.sources)) throw new InvalidArgumentError("sources must be an array");
    list.sources = json.sources.map((s: unknown, i) => httpsUrl(s, `sources[${i}]`));
  }
  if (json.reports !== undefined) list.reports = httpsUrl(json.reports, "reports");
  return list;
}
