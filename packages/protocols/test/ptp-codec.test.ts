/**
 * PTP codec (IEEE 1588-2019 §13–15): golden vectors captured from ptp4l and hand-built
 * from the standard's layouts, byte-exact re-encoding, malformed and skipped inputs.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  decodeCurrentDataSet,
  decodePtpMessage,
  decodePtpUnicastTlv,
  decodeTimePropertiesDataSet,
  encodeManagement,
  encodePtpMessage,
  encodePtpUnicastTlv,
  hasPtpFlag,
  newPtpHeader,
  PTP_ALL_PORTS,
  PtpDecodeError,
  PtpFlag,
  PtpManagementAction,
  PtpManagementId,
  type PtpMessage,
  PtpMessageType,
  PtpTlvType,
} from "../src/index.js";

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./vectors/ptp/${name}`, import.meta.url), "utf8")) as T;
const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function decodeMessage(hex: string): PtpMessage {
  const result = decodePtpMessage(fromHex(hex));
  if (result.kind !== "message") throw new Error(`skipped: ${result.reason}`);
  return result.message;
}

describe("ptp4l 3.1.1 captures", () => {
  const captures = load<{ title: string; hex: string }[]>("ptp4l-captures.json");
  const byKind = new Map(captures.map((c) => [decodeMessage(c.hex).kind, c.hex]));
  type Management = Extract<PtpMessage, { kind: "management" }>;

  it.each(captures.map((c) => [c.title, c.hex]))("%s re-encodes byte for byte", (_title, hex) => {
    expect(toHex(encodePtpMessage(decodeMessage(hex)))).toBe(hex);
  });

  it("has an Announce with ptp4l's defaults and UTC offset 37 on the ARB timescale", () => {
    const m = decodeMessage(byKind.get("announce")!);
    if (m.kind !== "announce") throw new Error(m.kind);
    expect(m.currentUtcOffset).toBe(37);
    expect(m.grandmasterPriority1).toBe(128);
    expect(m.grandmasterPriority2).toBe(128);
    expect(m.grandmasterClockQuality).toEqual({
      clockClass: 248,
      clockAccuracy: 0xfe,
      offsetScaledLogVariance: 0xffff,
    });
    expect(m.grandmasterIdentity).toBe(m.header.sourcePortIdentity.clockIdentity);
    expect(m.stepsRemoved).toBe(0);
    expect(m.timeSource).toBe(0xa0);
    expect(m.header.logMessageInterval).toBe(1);
    expect(hasPtpFlag(m.header, PtpFlag.ptpTimescale)).toBe(false);
    expect(m.header.messageLength).toBe(64);
  });

  it("has a two-step Sync, its Follow_Up and a Delay_Resp", () => {
    const sync = decodeMessage(byKind.get("sync")!);
    const followUp = decodeMessage(byKind.get("follow-up")!);
    const resp = decodeMessage(byKind.get("delay-resp")!);
    expect(hasPtpFlag(sync.header, PtpFlag.twoStepFlag)).toBe(true);
    expect(sync.header.messageLength).toBe(44);
    if (followUp.kind !== "follow-up" || resp.kind !== "delay-resp") throw new Error("kinds");
    expect(followUp.preciseOriginTimestamp.secondsField).toBeGreaterThan(1_700_000_000n);
    expect(followUp.header.controlField).toBe(2);
    expect(resp.header.messageLength).toBe(54);
    expect(resp.requestingPortIdentity.portNumber).toBe(1);
  });

  it("has the master's Management RESPONSEs to pmc (CURRENT_DATA_SET, TIME_PROPERTIES_DATA_SET)", () => {
    const management = captures
      .map((c) => decodeMessage(c.hex))
      .filter((m): m is Management => m.kind === "management");
    const byId = new Map(management.map((m) => [m.managementId, m]));
    const current = byId.get(PtpManagementId.CURRENT_DATA_SET);
    const time = byId.get(PtpManagementId.TIME_PROPERTIES_DATA_SET);
    expect(current?.actionField).toBe(PtpManagementAction.RESPONSE);
    expect(decodeCurrentDataSet(current!.dataField!)).toEqual({
      stepsRemoved: 0,
      offsetFromMaster: 0n,
      meanPathDelay: 0n,
    });
    expect(decodeTimePropertiesDataSet(time!.dataField!)).toEqual({
      currentUtcOffset: 37,
      flags: 0,
      timeSource: 0xa0,
    });
  });
});

interface HandBuilt {
  title: string;
  hex: string;
  expect: Record<string, unknown>;
}

describe("hand-built vectors from the standard's layouts", () => {
  it.each(load<HandBuilt[]>("hand-built.json").map((v) => [v.title, v]))("%s", (_title, v) => {
    const m = decodeMessage(v.hex);
    const e = v.expect;
    expect(m.kind).toBe(e.kind);
    expect(toHex(encodePtpMessage(m))).toBe(v.hex);
    if (e.domainNumber !== undefined) expect(m.header.domainNumber).toBe(e.domainNumber);
    if (e.sequenceId !== undefined) expect(m.header.sequenceId).toBe(e.sequenceId);
    if (e.correctionField !== undefined)
      expect(m.header.correctionField).toBe(BigInt(e.correctionField as string));
    if (e.logMessageInterval !== undefined) expect(m.header.logMessageInterval).toBe(e.logMessageInterval);
    if (e.twoStep !== undefined) expect(hasPtpFlag(m.header, PtpFlag.twoStepFlag)).toBe(e.twoStep);
    const ts =
      m.kind === "follow-up" ? m.preciseOriginTimestamp : "originTimestamp" in m ? m.originTimestamp : null;
    if (e.seconds !== undefined) expect(ts?.secondsField).toBe(BigInt(e.seconds as string));
    if (e.nanoseconds !== undefined) expect(ts?.nanosecondsField).toBe(e.nanoseconds);
    if (m.kind === "delay-resp") {
      expect(m.requestingPortIdentity).toEqual({
        clockIdentity: e.requestingClockIdentity,
        portNumber: e.requestingPortNumber,
      });
    }
    if (m.kind === "announce") {
      expect(m.currentUtcOffset).toBe(e.currentUtcOffset);
      expect(m.grandmasterPriority1).toBe(e.grandmasterPriority1);
      expect(m.grandmasterClockQuality).toEqual({
        clockClass: e.clockClass,
        clockAccuracy: e.clockAccuracy,
        offsetScaledLogVariance: e.offsetScaledLogVariance,
      });
      expect(m.grandmasterPriority2).toBe(e.grandmasterPriority2);
      expect(m.grandmasterIdentity).toBe(e.grandmasterIdentity);
      expect(m.stepsRemoved).toBe(e.stepsRemoved);
      expect(m.timeSource).toBe(e.timeSource);
      expect(m.tlvs).toHaveLength(e.tlvs as number);
    }
    if (m.kind === "management") {
      expect(m.actionField).toBe(e.actionField);
      expect(m.managementId).toBe(e.managementId);
      if (m.managementId === PtpManagementId.TIME_PROPERTIES_DATA_SET) {
        const tp = decodeTimePropertiesDataSet(m.dataField!);
        expect(tp.currentUtcOffset).toBe(e.currentUtcOffset);
        expect(tp.flags & PtpFlag.ptpTimescale).not.toBe(0);
      }
    }
    if (m.kind === "signaling") {
      expect(hasPtpFlag(m.header, PtpFlag.unicastFlag)).toBe(true);
      expect(m.targetPortIdentity).toEqual(
        e.targetClockIdentity === undefined
          ? PTP_ALL_PORTS
          : { clockIdentity: e.targetClockIdentity, portNumber: e.targetPortNumber },
      );
      expect(m.tlvs).toHaveLength(e.tlvs as number);
      const unicast = m.tlvs.map((t) => decodePtpUnicastTlv(t));
      expect(unicast).toEqual(e.unicast);
      // Each TLV re-encodes byte for byte from its decoded form.
      for (const [i, tlv] of unicast.entries()) {
        const again = encodePtpUnicastTlv(tlv!);
        expect(again.tlvType).toBe(m.tlvs[i]!.tlvType);
        expect(toHex(again.valueField)).toBe(toHex(m.tlvs[i]!.valueField));
      }
    }
  });

  it("reads no unicast TLV from another TLV type, and rejects a short one", () => {
    expect(decodePtpUnicastTlv({ tlvType: PtpTlvType.PATH_TRACE, valueField: new Uint8Array(8) })).toBeNull();
    expect(() =>
      decodePtpUnicastTlv({
        tlvType: PtpTlvType.GRANT_UNICAST_TRANSMISSION,
        valueField: Uint8Array.of(0xb0, 1, 0, 0, 0, 60),
      }),
    ).toThrow(PtpDecodeError);
  });

  it("encodes a Management GET like pmc's", () => {
    const header = newPtpHeader(PtpMessageType.Management, {
      sourcePortIdentity: { clockIdentity: "0011223344556677", portNumber: 1 },
      sequenceId: 3,
    });
    const bytes = encodeManagement({
      header,
      targetPortIdentity: PTP_ALL_PORTS,
      startingBoundaryHops: 1,
      boundaryHops: 1,
      actionField: PtpManagementAction.GET,
      managementId: PtpManagementId.CURRENT_DATA_SET,
    });
    const vector = load<HandBuilt[]>("hand-built.json").find((v) =>
      v.title.includes("GET CURRENT_DATA_SET"),
    )!;
    expect(toHex(bytes)).toBe(vector.hex);
  });

  it("reads a CURRENT_DATA_SET dataField", () => {
    const data = fromHex("0001" + "fffffffffffe0000" + "0000000000018000");
    expect(decodeCurrentDataSet(data)).toEqual({
      stepsRemoved: 1,
      offsetFromMaster: -(2n << 16n),
      meanPathDelay: 0x18000n,
    });
    expect(() => decodeCurrentDataSet(data.subarray(0, 17))).toThrow(PtpDecodeError);
  });

  it("ignores padding after messageLength", () => {
    const hex = load<HandBuilt[]>("hand-built.json")[0]!.hex;
    const m = decodeMessage(`${hex}00000000`);
    expect(toHex(encodePtpMessage(m))).toBe(hex);
  });
});

describe("malformed and skipped inputs", () => {
  const { errors, skips } = load<{
    errors: { title: string; hex: string; reason: string }[];
    skips: { title: string; hex: string; reason: string }[];
  }>("malformed.json");

  it.each(errors.map((v) => [v.title, v]))("%s → PtpDecodeError", (_title, v) => {
    let caught: unknown;
    try {
      decodePtpMessage(fromHex(v.hex));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PtpDecodeError);
    expect((caught as PtpDecodeError).code).toBe("PTP_DECODE_ERROR");
    expect((caught as PtpDecodeError).reason).toBe(v.reason);
  });

  it.each(skips.map((v) => [v.title, v]))("%s → skip", (_title, v) => {
    const result = decodePtpMessage(fromHex(v.hex));
    expect(result.kind).toBe("skip");
    if (result.kind === "skip") expect(result.reason).toBe(v.reason);
  });
});
