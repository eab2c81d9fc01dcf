/** Loads the golden vectors of test/vectors/ as NtpPackets. */
import { readFileSync } from "node:fs";
import type { NtpPacket } from "../../src/index.js";

export interface PacketVectorFields {
  leap: 0 | 1 | 2 | 3;
  version: number;
  mode: number;
  stratum: number;
  poll: number;
  precision: number;
  rootDelay: number;
  rootDispersion: number;
  referenceId: number;
  referenceTimestamp: string;
  originTimestamp: string;
  receiveTimestamp: string;
  transmitTimestamp: string;
  extensionFields: { fieldType: number; valueHex: string }[];
  macHex: string | null;
}

export interface PacketVector {
  title: string;
  source: string;
  hex: string;
  fields: PacketVectorFields;
  kissCode: string | null;
  refId: string;
}

export interface MalformedVector {
  title: string;
  source: string;
  hex: string;
  reason: string;
}

function load<T>(name: string): T[] {
  const url = new URL(`../vectors/${name}`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { vectors: T[] }).vectors;
}

export const rfcVectors = (): PacketVector[] => load<PacketVector>("ntp-rfc-packets.json");
export const chronydVectors = (): PacketVector[] => load<PacketVector>("ntp-chronyd-captures.json");
export const malformedVectors = (): MalformedVector[] => load<MalformedVector>("ntp-malformed.json");

export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, "hex"));
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** The NtpPacket a vector's fields describe. */
export function packetOf(f: PacketVectorFields): NtpPacket {
  return {
    leap: f.leap,
    version: f.version,
    mode: f.mode,
    stratum: f.stratum,
    poll: f.poll,
    precision: f.precision,
    rootDelay: f.rootDelay,
    rootDispersion: f.rootDispersion,
    referenceId: f.referenceId,
    referenceTimestamp: BigInt(f.referenceTimestamp),
    originTimestamp: BigInt(f.originTimestamp),
    receiveTimestamp: BigInt(f.receiveTimestamp),
    transmitTimestamp: BigInt(f.transmitTimestamp),
    extensionFields: f.extensionFields.map((e) => ({ fieldType: e.fieldType, value: fromHex(e.valueHex) })),
    mac: f.macHex === null ? null : fromHex(f.macHex),
  };
}
