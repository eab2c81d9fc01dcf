/**
 * Field types shared by chronyd command replies (candm.h): `IPAddr` (16 address bytes,
 * 16-bit family, 16-bit pad) and `Timespec` (seconds high 32, seconds low 32,
 * nanoseconds 32). Pure functions of bytes.
 * @see https://gitlab.com/chrony/chrony/-/blob/4.3/candm.h
 */
import type { Instant } from "@chronosync/core";
import { ChronyCmdDecodeError } from "../errors.js";

export const CHRONY_IP_ADDR_LENGTH = 20;
export const CHRONY_TIMESPEC_LENGTH = 12;

/**
 * An address as chronyd reports it: `"192.0.2.1"`, `"2001:db8::1"`, `""` (unspecified)
 * or, for a source known only by reference ID (`IPADDR_ID`, e.g. a refclock), `"ID#XXXXXXXX"`.
 */
export type ChronyIpAddr = string;

const FAMILY_UNSPEC = 0;
const FAMILY_INET4 = 1;
const FAMILY_INET6 = 2;
const FAMILY_ID = 3;

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");

/** Reads an IPAddr at `offset`. */
export function readChronyIpAddr(view: DataView, offset: number): ChronyIpAddr {
  const family = view.getUint16(offset + 16);
  switch (family) {
    case FAMILY_UNSPEC:
      return "";
    case FAMILY_INET4:
      return [0, 1, 2, 3].map((i) => view.getUint8(offset + i)).join(".");
    case FAMILY_INET6: {
      const groups: string[] = [];
      for (let i = 0; i < 8; i++) groups.push(view.getUint16(offset + 2 * i).toString(16));
      return compressIpv6(groups);
    }
    case FAMILY_ID:
      return `ID#${hex8(view.getUint32(offset))}`;
    default:
      throw new ChronyCmdDecodeError("bad-value", `address family ${family}`);
  }
}

/** RFC 5952 text: the longest run (≥ 2) of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === "0") j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLength).join(":")}`;
}

/** Writes an IPAddr at `offset` (the inverse of {@link readChronyIpAddr}). */
export function writeChronyIpAddr(view: DataView, offset: number, addr: ChronyIpAddr): void {
  if (addr === "") {
    view.setUint16(offset + 16, FAMILY_UNSPEC);
  } else if (addr.startsWith("ID#")) {
    view.setUint32(offset, Number.parseInt(addr.slice(3), 16));
    view.setUint16(offset + 16, FAMILY_ID);
  } else if (addr.includes(":")) {
    const [head = "", tail] = addr.split("::");
    const left = head === "" ? [] : head.split(":");
    const right = tail === undefined || tail === "" ? [] : tail.split(":");
    const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
    groups.forEach((g, i) => {
      view.setUint16(offset + 2 * i, Number.parseInt(g, 16));
    });
    view.setUint16(offset + 16, FAMILY_INET6);
  } else {
    addr.split(".").forEach((octet, i) => {
      view.setUint8(offset + i, Number(octet));
    });
    view.setUint16(offset + 16, FAMILY_INET4);
  }
}

/** Reads a Timespec at `offset` as an Instant (ns since the Unix epoch). */
export function readChronyTimespec(view: DataView, offset: number): Instant {
  const high = BigInt(view.getUint32(offset));
  const low = BigInt(view.getUint32(offset + 4));
  const nsecRaw = view.getUint32(offset + 8);
  if (nsecRaw >= 1_000_000_000)
    throw new ChronyCmdDecodeError("bad-value", `timespec nanoseconds ${nsecRaw}`);
  const nsec = BigInt(nsecRaw);
  return ((high << 32n) | low) * 1_000_000_000n + nsec;
}

/** Writes an Instant (≥ 0) as a Timespec at `offset`. */
export function writeChronyTimespec(view: DataView, offset: number, instant: Instant): void {
  const sec = instant / 1_000_000_000n;
  view.setUint32(offset, Number((sec >> 32n) & 0xffff_ffffn));
  view.setUint32(offset + 4, Number(sec & 0xffff_ffffn));
  view.setUint32(offset + 8, Number(instant % 1_000_000_000n));
}
