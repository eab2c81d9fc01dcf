import { createHash } from "node:crypto";
import { asciiReferenceId, type NtpReferenceState, NtpResponder } from "@chronosync/protocols";
import { describe, expect, it } from "vitest";
import {
  CompensatedFilter,
  hostOf,
  parseIPv6,
  referenceIdOf,
  type SyncAction,
  SyncEngine,
} from "../src/index.js";
import { MS, S, START, seededRandom, US } from "./helpers/seeded-random.js";

interface ServerSpec {
  id: string;
  offsetNs: bigint;
}

/**
 * Real NtpResponders at known offsets; the local clock is true time (+localOffset).
 * Each exchange takes 5 ms ± up to 200 µs each way.
 */
function testbed(servers: ServerSpec[], localOffsetNs = 0n) {
  const random = seededRandom(7);
  const jitter = () => {
    const b = random(2);
    return (BigInt((b[0] ?? 0) * 256 + (b[1] ?? 0)) * 200n * US) / 65536n;
  };
  let serverNow = 0n;
  const reference: NtpReferenceState = {
    leap: 0,
    stratum: 1,
    referenceId: asciiReferenceId("GPS"),
    referenceTime: START,
    rootDelayNs: 0n,
    rootDispersionNs: 10n * US,
    precision: -20,
  };
  const responders = new Map(
    servers.map((s) => [
      s.id,
      {
        spec: s,
        responder: new NtpResponder({
          clock: { now: () => serverNow, precisionLog2: -20 },
          reference,
          rateLimit: false,
        }),
      },
    ]),
  );
  const engine = new SyncEngine({
    sources: servers.map((s) => s.id),
    poll: { minPoll: 4, maxPoll: 6 },
  });
  const timers = new Map<string, bigint>();
  let local = START + localOffsetNs;
  let answering = true;
  const apply = (actions: SyncAction[], t1: bigint) => {
    for (const { sourceId, action } of actions) {
      if (action.kind === "setTimer") timers.set(sourceId, action.atNs);
      if (action.kind === "demobilize") timers.delete(sourceId);
      if (action.kind === "send" && answering) {
        const r = responders.get(sourceId)!;
        const up = 5n * MS + jitter();
        const down = 5n * MS + jitter();
        const trueT1 = t1 - localOffsetNs;
        serverNow = trueT1 + up + r.spec.offsetNs;
        const reply = r.responder.respond(action.bytes, serverNow, "198.51.100.7");
        if (reply !== null) apply(engine.handleIncoming(sourceId, reply, t1 + up + down), t1);
      }
    }
  };
  /** Runs every timer due up to local time `until`. */
  const runUntil = (until: bigint) => {
    for (;;) {
      let next: [string, bigint] | undefined;
      for (const entry of timers) if (next === undefined || entry[1] < next[1]) next = entry;
      if (next === undefined || next[1] > until) break;
      local = next[1];
      timers.delete(next[0]);
      apply(engine.handleTimer(next[0], local, random), local);
    }
    local = until;
  };
  apply(engine.start(local), local);
  return {
    engine,
    runUntil,
    get local() {
      return local;
    },
    /** True time at local time `l`. */
    trueAt: (l: bigint) => l - localOffsetNs,
    stopAnswering: () => {
      answering = false;
    },
  };
}

const good = (i: number, offsetNs: bigint): ServerSpec => ({ id: `ntp://192.0.2.${i}:123`, offsetNs });

describe("SyncEngine", () => {
  it("is unsynchronized before any sample and advertises leap 3 / stratum 16", () => {
    const bed = testbed([good(1, 0n)]);
    const now = bed.engine.now(bed.local);
    expect(now.status).toBe("unsynchronized");
    expect(now.timeNs).toBe(bed.local);
    const ref = bed.engine.referenceState(bed.local);
    expect(ref.leap).toBe(3);
    expect(ref.stratum).toBe(16);
    const st = bed.engine.status(bed.local);
    expect(st.tracking.status).toBe("unsynchronized");
    expect(st.tracking.stratum).toBe(16);
    expect(st.tracking.systemPeer).toBeUndefined();
  });

  it("flags a +500 ms falseticker and synchronizes on the three agreeing servers", () => {
    const localOffset = 37n * MS; // the local clock is 37 ms ahead of true time
    const servers = [good(1, 0n), good(2, 200n * US), good(3, -150n * US), good(4, 500n * MS)];
    const bed = testbed(servers, localOffset);
    bed.runUntil(START + 10n * S);
    // iburst: synchronized within seconds
    expect(bed.engine.now(bed.local).status).toBe("synchronized");
    bed.runUntil(START + 1800n * S);
    const now = bed.engine.now(bed.local);
    const truth = bed.trueAt(bed.local);
    expect(now.status).toBe("synchronized");
    expect(now.earliestNs <= truth && truth <= now.latestNs).toBe(true);
    const error = now.timeNs - truth;
    expect(error < 0n ? -error : error).toBeLessThan(300n * US);
    expect(now.halfWidthNs).toBeLessThan(20n * MS);
    const states = Object.fromEntries(now.sources.map((s) => [s.id, s.state]));
    expect(states["ntp://192.0.2.4:123"]).toBe("falseticker");
    for (const i of [1, 2, 3]) expect(states[`ntp://192.0.2.${i}:123`]).toBe("selected");

    const st = bed.engine.status(bed.local);
    expect(st.tracking.status).toBe("synchronized");
    expect(Number(st.tracking.offsetNs + localOffset)).toBeLessThan(300_000);
    expect(Number(st.tracking.offsetNs + localOffset)).toBeGreaterThan(-300_000);
    expect(Math.abs(st.tracking.frequencyPpm)).toBeLessThan(1);
    expect(st.tracking.stratum).toBe(2);
    expect(st.tracking.systemPeer).toMatch(/192\.0\.2\.[123]/);
    const ft = st.sources.find((s) => s.id === "ntp://192.0.2.4:123")!;
    expect(ft.selection).toBe("falseticker");
    expect(ft.falsetickers).toBeGreaterThan(10);
    expect(ft.reach).toBe(0xff);
    for (const s of st.sources.filter((s) => s !== ft)) expect(s.falsetickers).toBe(0);

    const ref = bed.engine.referenceState(bed.local);
    expect(ref.leap).toBe(0);
    expect(ref.stratum).toBe(2);
    expect(ref.referenceId).toBe(referenceIdOf(st.tracking.systemPeer!));
    expect(ref.referenceId >>> 8).toBe(0xc00002); // 192.0.2.x
    // Downstream root distance = our half-width.
    expect(ref.rootDelayNs / 2n + ref.rootDispersionNs).toBe(now.halfWidthNs);
    expect(ref.rootDelayNs).toBeGreaterThan(9n * MS);
  });

  it("goes to holdover when every source stops answering, then unsynchronized", () => {
    const bed = testbed([good(1, 0n), good(2, 100n * US), good(3, -100n * US)], -20n * MS);
    bed.runUntil(START + 900n * S);
    const synced = bed.engine.now(bed.local);
    expect(synced.status).toBe("synchronized");
    bed.stopAnswering();
    bed.runUntil(START + 1300n * S); // ≥ 4 lost polls at ≤ 64 s
    const held = bed.engine.now(bed.local);
    expect(held.status).toBe("holdover");
    expect(held.sources.every((s) => s.state === "unreachable")).toBe(true);
    expect(held.halfWidthNs).toBeGreaterThan(synced.halfWidthNs);
    const truth = bed.trueAt(bed.local);
    expect(held.earliestNs <= truth && truth <= held.latestNs).toBe(true);
    expect(bed.engine.referenceState(bed.local).leap).toBe(0);
    expect(bed.engine.status(bed.local).tracking.status).toBe("holdover");
    // The Kalman's random-walk frequency term (5·√(q2·t³/3)) plus 1 ppm of drift allowance
    // pass the 1 s maxBound after ~5 days.
    const later = bed.local + 7n * 86_400n * S;
    expect(bed.engine.now(later).status).toBe("unsynchronized");
    expect(bed.engine.now(later).halfWidthNs).toBeGreaterThan(1n * S);
    const ref = bed.engine.referenceState(later);
    expect(ref.leap).toBe(3);
    expect(ref.stratum).toBe(16);
    expect(bed.engine.status(later).tracking.systemPeer).toBeUndefined();
  });

  it("does not synchronize without a majority", () => {
    const bed = testbed([good(1, 0n), good(2, 300n * MS)]);
    bed.runUntil(START + 600n * S);
    const now = bed.engine.now(bed.local);
    expect(now.status).toBe("unsynchronized");
    expect(now.sources.map((s) => s.state)).toEqual(["candidate", "candidate"]);
  });
});

describe("reference ids", () => {
  it("uses the IPv4 address and the MD5 hash of an IPv6 address (RFC 5905 §7.3)", () => {
    expect(referenceIdOf("192.0.2.1")).toBe(0xc0000201);
    expect(referenceIdOf("ntp://203.0.113.9:11123")).toBe(0xcb007109);
    const v6 = Buffer.from("20010db8000000000000000000000001", "hex");
    const expected = createHash("md5").update(v6).digest().readUInt32BE(0);
    expect(referenceIdOf("[2001:db8::1]:123")).toBe(expected);
    expect(referenceIdOf("ntp://[2001:db8::1]")).toBe(expected);
    expect(referenceIdOf("2001:db8:0:0:0:0:0:1")).toBe(expected);
    expect(referenceIdOf("pool.ntp.org")).toBe(
      createHash("md5").update("pool.ntp.org").digest().readUInt32BE(0),
    );
  });

  it("parses hosts and IPv6 literals", () => {
    expect(hostOf("ntp://time.example:123")).toBe("time.example");
    expect(hostOf("[::1]:123")).toBe("::1");
    expect(hostOf("fe80::1")).toBe("fe80::1");
    expect([...(parseIPv6("::ffff:192.0.2.1") ?? [])].slice(10)).toEqual([255, 255, 192, 0, 2, 1]);
    expect(parseIPv6("1::2::3")).toBeUndefined();
    expect(parseIPv6("1:2:3")).toBeUndefined();
    expect(parseIPv6("192.0.2.1")).toBeUndefined();
  });
});

describe("CompensatedFilter", () => {
  it("projects samples along the servo's frequency, so drift is not counted as jitter", () => {
    let ppm = 0;
    const filter = new CompensatedFilter(() => ppm);
    // θ falls 50 µs per second (a clock 50 ppm fast); polls 64 s apart, delays 10 ms ± 1 ms.
    for (let i = 0; i < 8; i++) {
      const at = START + BigInt(i) * 64n * S;
      filter.add({
        offsetNs: -BigInt(i) * 3_200_000n,
        delayNs: 10n * MS + BigInt(i % 3) * MS,
        dispersionNs: 1n * US,
        atNs: at,
      });
    }
    const now = START + 7n * 64n * S;
    expect(Number(filter.estimate(now)!.jitterNs)).toBeGreaterThan(5_000_000);
    ppm = -50;
    const e = filter.estimate(now)!;
    expect(Number(e.jitterNs)).toBeLessThan(10);
    expect(e.offsetNs).toBe(-7n * 3_200_000n); // the lowest-delay sample, projected to now
    expect(filter.delayFloor()).toEqual({ minDelayNs: 10n * MS, count: 8 });
    expect(() => filter.add({ offsetNs: 0n, delayNs: -1n, dispersionNs: 0n, atNs: now })).toThrow();
  });
});
