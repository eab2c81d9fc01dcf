/**
 * The pure PTP engines driven against each other on a simulated link with ground truth:
 * offsets and path delay from t1..t4 with correctionField, TAI → UTC from Announce, the
 * slave state machine, the BMCA, domains, one-step Sync, and CPU time per exchange.
 */
import { NS_PER_S, nsToPtpTimestamp } from "@chronosync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareAnnounceDatasets,
  computeE2e,
  decodePtpMessage,
  encodeAnnounce,
  encodeDelayReq,
  encodePtpMessage,
  encodeSync,
  newPtpHeader,
  nextSlaveState,
  type PtpAnnounce,
  PtpFlag,
  PtpMaster,
  type PtpMasterOptions,
  PtpMessageType,
  type PtpSample,
  PtpSlave,
  type PtpSlaveAction,
  PtpTimeoutError,
  recordPtpAnnounce,
  selectBestPtpMaster,
  summarizePtpSamples,
} from "../src/index.js";

const MASTER_ID = "aa00000000000001";
const SLAVE_ID = "bb00000000000002";
const T0 = 1_800_000_000n * NS_PER_S;

interface Link {
  /** master clock − true time */
  offset: bigint;
  forward: bigint;
  reverse: bigint;
  /** residence time a transparent clock adds to the Sync and writes into correctionField */
  syncResidence?: bigint;
}

/** Runs `seconds` one-second rounds; the slave's clock is true time. */
function simulate(link: Link, seconds: number, options: Partial<PtpMasterOptions> = {}, slave?: PtpSlave) {
  const master = new PtpMaster({ clockIdentity: MASTER_ID, ...options });
  const s = slave ?? new PtpSlave({ clockIdentity: SLAVE_ID });
  const actions: PtpSlaveAction[] = [...s.start()];
  const mclock = (t: bigint) => t + link.offset;
  for (let k = 0; k < seconds; k++) {
    const t = T0 + BigInt(k) * NS_PER_S;
    actions.push(...s.handleTimer(t));
    for (const send of master.handleTimer(mclock(t))) {
      let bytes = send.bytes;
      let arrival = t + link.forward;
      if (send.kind === "sync" && link.syncResidence !== undefined) {
        const d = decodePtpMessage(bytes);
        if (d.kind !== "message") throw new Error("sync");
        bytes = encodePtpMessage({
          ...d.message,
          header: { ...d.message.header, correctionField: link.syncResidence << 16n },
        });
        arrival += link.syncResidence;
      }
      const followUps = send.kind === "sync" ? master.syncSent(send.sequenceId, mclock(t)) : [];
      const slaveActions = s.handleMessage(bytes, arrival);
      for (const f of followUps) slaveActions.push(...s.handleMessage(f.bytes, t + link.forward + 1_000n));
      for (const a of slaveActions) {
        actions.push(a);
        if (a.type !== "send") continue;
        const t3 = arrival + 3_000_000n;
        s.delayReqSent(a.sequenceId, t3);
        for (const resp of master.handleMessage(a.bytes, mclock(t3 + link.reverse))) {
          actions.push(...s.handleMessage(resp.bytes, t3 + link.reverse + link.forward));
        }
      }
    }
  }
  const samples = actions.flatMap((a) => (a.type === "sample" ? [a.sample] : []));
  const states = actions.flatMap((a) => (a.type === "state" ? [a.to] : []));
  return { samples, states, slave: s, master };
}

describe("E2E arithmetic (IEEE 1588-2019 §11.3)", () => {
  it("gives offset and delay from t1..t4 and subtracts the correction fields", () => {
    // master 10 µs ahead, 50 µs each way, plus 7 µs residence corrected on the Sync
    const t1 = 1_000_000n;
    const t2 = t1 - 10_000n + 50_000n + 7_000n;
    const t3 = t2 + 100_000n;
    const t4 = t3 + 10_000n + 50_000n + 2_000n;
    const r = computeE2e({
      t1,
      t2,
      t3,
      t4,
      syncCorrection: 7_000n << 16n,
      delayRespCorrection: 2_000n << 16n,
    });
    expect(r).toEqual({ offsetNs: 10_000n, meanPathDelayNs: 50_000n });
  });

  it("keeps sub-nanosecond corrections until the end", () => {
    const r = computeE2e({
      t1: 0n,
      t2: 10n,
      t3: 20n,
      t4: 30n,
      syncCorrection: 0x8000n,
      delayRespCorrection: 0x8000n,
    });
    expect(r.meanPathDelayNs).toBe(10n); // (10 + 10 − 0.5 − 0.5) / 2 = 9.5 → 10 (half away from zero)
  });
});

describe("slave against master on a simulated link", () => {
  it("measures the master's offset (UTC, not TAI) and the path delay exactly on a symmetric link", () => {
    const { samples, states } = simulate({ offset: 123_456n, forward: 40_000n, reverse: 40_000n }, 10);
    expect(states).toEqual(["LISTENING", "UNCALIBRATED", "SLAVE"]);
    expect(samples.length).toBeGreaterThanOrEqual(7);
    for (const s of samples) {
      expect(s.offsetNs).toBe(123_456n);
      expect(s.meanPathDelayNs).toBe(40_000n);
      expect(s.utcOffsetS).toBe(37);
      expect(s.utcOffsetValid).toBe(true);
      expect(s.twoStep).toBe(true);
      expect(s.masterIdentity).toBe(MASTER_ID);
    }
  });

  it("errs by half the asymmetry, as the standard says", () => {
    const { samples } = simulate({ offset: 0n, forward: 60_000n, reverse: 20_000n }, 6);
    expect(samples.at(-1)!.offsetNs).toBe(-20_000n);
    expect(samples.at(-1)!.meanPathDelayNs).toBe(40_000n);
  });

  it("removes a transparent clock's residence time given in correctionField", () => {
    const { samples } = simulate(
      { offset: -5_000n, forward: 30_000n, reverse: 30_000n, syncResidence: 9_000n },
      6,
    );
    expect(samples.at(-1)!.offsetNs).toBe(-5_000n);
    expect(samples.at(-1)!.meanPathDelayNs).toBe(30_000n);
  });

  it("uses the fallback TAI − UTC when the master does not vouch for its offset", () => {
    const { samples } = simulate({ offset: 0n, forward: 1n, reverse: 1n }, 6, {
      currentUtcOffsetValid: false,
    });
    expect(samples.at(-1)!.utcOffsetS).toBe(37);
    expect(samples.at(-1)!.utcOffsetValid).toBe(false);
    expect(samples.at(-1)!.offsetNs).toBe(0n);
  });

  it("ignores another domain", () => {
    const slave = new PtpSlave({ clockIdentity: SLAVE_ID, domainNumber: 1 });
    const { samples, states } = simulate({ offset: 0n, forward: 1n, reverse: 1n }, 5, {}, slave);
    expect(samples).toEqual([]);
    expect(states).toEqual(["LISTENING"]);
    expect(slave.counters.otherDomain).toBeGreaterThan(5);
  });

  it("falls back to LISTENING when Announces stop, and never throws on garbage", () => {
    const { slave } = simulate({ offset: 0n, forward: 1n, reverse: 1n }, 5);
    expect(slave.state).toBe("SLAVE");
    expect(slave.handleMessage(new Uint8Array([1, 2, 3]), T0)).toEqual([]);
    expect(slave.counters.malformed).toBe(1);
    const later = T0 + 20n * NS_PER_S;
    expect(slave.handleTimer(later)).toEqual([
      { type: "state", from: "SLAVE", to: "LISTENING", master: null },
    ]);
  });

  it("uses a one-step Sync's originTimestamp as t1", () => {
    const slave = new PtpSlave({ clockIdentity: SLAVE_ID });
    simulate({ offset: 0n, forward: 1_000n, reverse: 1_000n }, 3, {}, slave);
    const t = T0 + 10n * NS_PER_S;
    const header = newPtpHeader(PtpMessageType.Sync, {
      sourcePortIdentity: { clockIdentity: MASTER_ID, portNumber: 1 },
      sequenceId: 500,
      flagField: PtpFlag.ptpTimescale,
    });
    const master = 250_000n;
    const sync = encodeSync({ header, originTimestamp: nsToPtpTimestamp(t + master + 37n * NS_PER_S) });
    const [send] = slave.handleMessage(sync, t + 1_000n);
    if (send?.type !== "send") throw new Error("no Delay_Req");
    slave.delayReqSent(send.sequenceId, t + 2_000n);
    const resp = new PtpMaster({ clockIdentity: MASTER_ID }).handleMessage(send.bytes, t + master + 3_000n);
    const [sample] = slave.handleMessage(resp[0]!.bytes, t + 4_000n);
    expect(sample?.type === "sample" && sample.sample).toMatchObject({
      offsetNs: master,
      meanPathDelayNs: 1_000n,
      twoStep: false,
    });
  });

  it("matches a Follow_Up that overtakes its Sync, and ignores Delay_Resps for other ports", () => {
    const slave = new PtpSlave({ clockIdentity: SLAVE_ID });
    simulate({ offset: 0n, forward: 1_000n, reverse: 1_000n }, 3, {}, slave);
    const master = new PtpMaster({ clockIdentity: MASTER_ID });
    const t = T0 + 10n * NS_PER_S;
    master.handleTimer(t);
    const [announce, sync] = master.handleTimer(t + 2n * NS_PER_S);
    expect(announce?.kind).toBe("announce");
    const [followUp] = master.syncSent(sync!.sequenceId, t + 2n * NS_PER_S + 77_000n);
    const base = t + 2n * NS_PER_S;
    expect(slave.handleMessage(followUp!.bytes, base + 1_000n)).toEqual([]); // general port first
    const [send] = slave.handleMessage(sync!.bytes, base + 78_000n);
    if (send?.type !== "send") throw new Error("no Delay_Req after the late Sync");
    slave.delayReqSent(send.sequenceId, base + 100_000n);
    const other = {
      ...decodeDelayReqHeader(send.bytes),
      sourcePortIdentity: { clockIdentity: "cc00000000000003", portNumber: 1 },
    };
    const foreign = master.handleMessage(encodeDelayReqWith(other), base + 101_000n);
    expect(slave.handleMessage(foreign[0]!.bytes, base + 102_000n)).toEqual([]);
    const [resp] = master.handleMessage(send.bytes, base + 101_000n);
    const [sample] = slave.handleMessage(resp!.bytes, base + 102_000n);
    expect(sample?.type === "sample" && sample.sample).toMatchObject({
      offsetNs: 0n,
      meanPathDelayNs: 1_000n,
    });
  });

  it("never throws on random or mutated input (engines)", () => {
    const { slave, master } = simulate({ offset: 0n, forward: 1n, reverse: 1n }, 4);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.integer({ min: 0, max: 15 }), (bytes, type) => {
        const b = bytes.slice();
        if (b.length > 4) {
          b[0] = type;
          b[1] = 2;
          b[2] = 0;
          b[3] = b.length;
        }
        slave.handleMessage(b, T0 + 5n * NS_PER_S);
        master.handleMessage(b, T0 + 5n * NS_PER_S);
      }),
      { numRuns: 10_000 },
    );
  });

  it("costs little CPU per exchange (both engines, codec included)", () => {
    const start = process.cpuUsage();
    const { samples } = simulate({ offset: 1n, forward: 1n, reverse: 1n }, 5_000);
    const used = process.cpuUsage(start);
    const perExchangeUs = (used.user + used.system) / samples.length;
    console.info(
      `PTP engine CPU per exchange (master + slave, 4 messages + Announce): ${perExchangeUs.toFixed(1)} µs`,
    );
    expect(samples.length).toBeGreaterThan(4_900);
    expect(perExchangeUs).toBeLessThan(2_000);
  });
});

function decodeDelayReqHeader(bytes: Uint8Array) {
  const d = decodePtpMessage(bytes);
  if (d.kind !== "message") throw new Error("Delay_Req");
  return d.message.header;
}

function encodeDelayReqWith(header: ReturnType<typeof decodeDelayReqHeader>): Uint8Array {
  return encodeDelayReq({ header, originTimestamp: { secondsField: 0n, nanosecondsField: 0 } });
}

describe("summarizePtpSamples (minimum-delay filter)", () => {
  it("keeps the lowest-delay third and takes medians", () => {
    const mk = (offsetNs: bigint, meanPathDelayNs: bigint, masterIdentity = MASTER_ID) =>
      ({ offsetNs, meanPathDelayNs, masterIdentity, utcOffsetS: 37, utcOffsetValid: true }) as PtpSample;
    const samples = [
      mk(-80n, 160n),
      mk(-2n, 40n),
      mk(-60n, 120n),
      mk(4n, 44n),
      mk(-75n, 150n),
      mk(-50n, 100n),
    ];
    const r = summarizePtpSamples(samples);
    expect(r.offsetNs).toBe(1n);
    expect(r.pathDelayNs).toBe(42n);
    expect(r.samples).toHaveLength(6);
    expect(summarizePtpSamples([mk(9n, 9n, "other"), mk(5n, 1n)]).samples).toHaveLength(1);
    expect(() => summarizePtpSamples([])).toThrow(PtpTimeoutError);
  });
});

describe("slave state machine and BMCA (IEEE 1588-2019 §9.2.5, §9.3)", () => {
  it("walks LISTENING → UNCALIBRATED → SLAVE and back", () => {
    let s = nextSlaveState("INITIALIZING", { type: "initialized" });
    expect(s).toBe("LISTENING");
    expect(nextSlaveState(s, { type: "calibrated" })).toBe("LISTENING");
    s = nextSlaveState(s, { type: "master-selected", changed: true });
    expect(s).toBe("UNCALIBRATED");
    s = nextSlaveState(s, { type: "calibrated" });
    expect(s).toBe("SLAVE");
    expect(nextSlaveState(s, { type: "master-selected", changed: false })).toBe("SLAVE");
    expect(nextSlaveState(s, { type: "master-selected", changed: true })).toBe("UNCALIBRATED");
    expect(nextSlaveState(s, { type: "announce-timeout" })).toBe("LISTENING");
  });

  const announce = (id: string, fields: Partial<PtpAnnounce> = {}, port = 1): PtpAnnounce => {
    const bytes = encodeAnnounce({
      header: newPtpHeader(PtpMessageType.Announce, {
        sourcePortIdentity: { clockIdentity: id, portNumber: port },
        sequenceId: 0,
        logMessageInterval: 1,
      }),
      originTimestamp: { secondsField: 0n, nanosecondsField: 0 },
      currentUtcOffset: 37,
      grandmasterPriority1: 128,
      grandmasterClockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0xffff },
      grandmasterPriority2: 128,
      grandmasterIdentity: id,
      stepsRemoved: 0,
      timeSource: 0xa0,
      ...fields,
    });
    const d = decodePtpMessage(bytes);
    if (d.kind !== "message" || d.message.kind !== "announce") throw new Error("announce");
    return d.message;
  };

  it("compares datasets in the standard's order", () => {
    const a = announce("0000000000000002");
    expect(
      compareAnnounceDatasets(announce("0000000000000009", { grandmasterPriority1: 127 }), a),
    ).toBeLessThan(0);
    const gps = { clockClass: 6, clockAccuracy: 0x21, offsetScaledLogVariance: 0x4e5d };
    expect(
      compareAnnounceDatasets(announce("0000000000000009", { grandmasterClockQuality: gps }), a),
    ).toBeLessThan(0);
    expect(
      compareAnnounceDatasets(announce("0000000000000009", { grandmasterPriority2: 1 }), a),
    ).toBeLessThan(0);
    expect(compareAnnounceDatasets(announce("0000000000000001"), a)).toBeLessThan(0);
    const viaBoundary = announce("00000000000000b1", {
      grandmasterIdentity: "0000000000000002",
      stepsRemoved: 1,
    });
    expect(compareAnnounceDatasets(a, viaBoundary)).toBeLessThan(0);
  });

  it("selects only qualified foreign masters (2 Announces within 4 intervals)", () => {
    const better = announce("0000000000000001", { grandmasterPriority1: 1 });
    const worse = announce("0000000000000002");
    const once = recordPtpAnnounce(undefined, better, T0);
    let twice = recordPtpAnnounce(undefined, worse, T0);
    twice = recordPtpAnnounce(twice, worse, T0 + 2n * NS_PER_S);
    expect(selectBestPtpMaster([once, twice], T0 + 2n * NS_PER_S)?.announce).toBe(worse);
    const better2 = recordPtpAnnounce(once, better, T0 + 2n * NS_PER_S);
    expect(selectBestPtpMaster([better2, twice], T0 + 2n * NS_PER_S)?.announce).toBe(better);
    expect(selectBestPtpMaster([better2, twice], T0 + 20n * NS_PER_S)).toBeNull();
  });
});
