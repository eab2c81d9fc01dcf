import { ManualClock } from "@chronosync/core";
import { asciiReferenceId, type NtpReferenceState, NtpResponder } from "@chronosync/protocols";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NtpSource, type NtpSourceAction, type NtpSourceOptions } from "../src/index.js";
import { MS, S, START, seededRandom, US } from "./helpers/seeded-random.js";

const SERVER_OFFSET = 2_500n * MS;

/** A local clock, a server clock +2.5 s ahead, the real responder, 10 ms each way. */
function testbed(rateLimit: ConstructorParameters<typeof NtpResponder>[0]["rateLimit"] = false) {
  const local = new ManualClock(START);
  const server = new ManualClock(START + SERVER_OFFSET);
  const reference: NtpReferenceState = {
    leap: 0,
    stratum: 1,
    referenceId: asciiReferenceId("GPS"),
    referenceTime: START + SERVER_OFFSET - S,
    rootDelayNs: 0n,
    rootDispersionNs: 1n * MS,
    precision: -20,
  };
  const responder = new NtpResponder({ clock: server, reference, rateLimit, rateLimitSeed: 1 });
  /** Carries a request to the server at t1 + 10 ms; returns the reply and T4 (1 ms in the server). */
  const exchange = (bytes: Uint8Array, t1: bigint) => {
    const t2 = t1 + 10n * MS + SERVER_OFFSET;
    server.set(t2 + 1n * MS);
    return { reply: responder.respond(bytes, t2, "192.0.2.1"), t4: t1 + 21n * MS };
  };
  return { local, server, responder, exchange };
}

const sendOf = (actions: NtpSourceAction[]) => actions.find((a) => a.kind === "send");
const timerOf = (actions: NtpSourceAction[]) => actions.find((a) => a.kind === "setTimer");

/** Drives `polls` polls: timer → send → responder → handleIncoming. Returns every action. */
function drive(source: NtpSource, bed: ReturnType<typeof testbed>, polls: number, random = seededRandom()) {
  const log: { at: bigint; timer: NtpSourceAction[]; incoming: NtpSourceAction[] }[] = [];
  let at = (timerOf(source.start(bed.local.now())) as { atNs: bigint }).atNs;
  for (let i = 0; i < polls; i++) {
    bed.local.set(at);
    const timer = source.handleTimer(bed.local.now(), random);
    const send = sendOf(timer);
    let incoming: NtpSourceAction[] = [];
    if (send?.kind === "send") {
      const { reply, t4 } = bed.exchange(send.bytes, at);
      if (reply !== null) incoming = source.handleIncoming(reply, t4);
    }
    log.push({ at, timer, incoming });
    const next = [...incoming, ...timer].find((a) => a.kind === "setTimer");
    if (next?.kind !== "setTimer") break;
    at = next.atNs;
  }
  return log;
}

const options: NtpSourceOptions = { id: "ntp://192.0.2.1" };

describe("NtpSource against the real NtpResponder", () => {
  it("measures the server's +2.5 s offset through the filter, iburst then minpoll", () => {
    const bed = testbed();
    const source = new NtpSource(options);
    const log = drive(source, bed, 12);
    const spacing = log.slice(1).map((e, i) => e.at - log[i]!.at);
    expect(spacing.slice(0, 3)).toEqual([2n * S, 2n * S, 2n * S]);
    expect(spacing[3]! >= 64n * S && spacing[3]! < 72n * S).toBe(true);
    for (const { incoming } of log) {
      const sample = incoming.find((a) => a.kind === "sample");
      if (sample?.kind !== "sample") throw new Error("no sample");
      expect(sample.sample.offsetNs - SERVER_OFFSET).toBeGreaterThanOrEqual(-1n * US);
      expect(sample.sample.offsetNs - SERVER_OFFSET).toBeLessThanOrEqual(1n * US);
      expect(sample.estimate.offsetNs - SERVER_OFFSET).toBeGreaterThanOrEqual(-1n * US);
      expect(sample.estimate.offsetNs - SERVER_OFFSET).toBeLessThanOrEqual(1n * US);
    }
    const estimate = source.filter.estimate(bed.local.now());
    expect(estimate?.sampleCount).toBe(8);
    const stats = source.stats(bed.local.now());
    expect(stats).toMatchObject({ state: "active", reach: 0xff, reachability: 1, stratum: 1, sent: 12 });
    expect(stats).toMatchObject({ samples: 12, bogus: 0, kisses: 0, timeouts: 0 });
    expect(stats.poll).toBeGreaterThan(6);
    expect(stats.lastDelayNs).toBe(20n * MS);
    const candidate = source.candidate(bed.local.now());
    expect(candidate).toMatchObject({ id: options.id, stratum: 1, delayNs: 20n * MS });
    // Root dispersion travels in NTP short format (resolution 2^-16 s ≈ 15 µs).
    expect(Number(candidate!.rootDispersionNs - MS)).toBeLessThan(16_000);
  });

  it("uses the T1 the runner reports with markSent", () => {
    const bed = testbed();
    const source = new NtpSource(options);
    source.start(START);
    const send = sendOf(source.handleTimer(START, seededRandom()));
    if (send?.kind !== "send") throw new Error("no send");
    const t1 = START + 5n * MS;
    source.markSent(t1);
    const { reply, t4 } = bed.exchange(send.bytes, t1);
    const sample = source.handleIncoming(reply!, t4).find((a) => a.kind === "sample");
    expect(sample?.kind === "sample" && sample.sample.offsetNs).toBe(SERVER_OFFSET);
  });

  it("drops bogus replies without actions and keeps the request open", () => {
    const bed = testbed();
    const source = new NtpSource(options);
    const random = seededRandom();
    source.start(START);
    const first = sendOf(source.handleTimer(START, random));
    const second = sendOf(source.handleTimer(START + 2n * S, random));
    if (first?.kind !== "send" || second?.kind !== "send") throw new Error("no send");
    const stale = bed.exchange(first.bytes, START);
    const good = bed.exchange(second.bytes, START + 2n * S);
    expect(source.handleIncoming(stale.reply!, stale.t4 + 2n * S)).toEqual([]);
    expect(source.handleIncoming(new Uint8Array(7), good.t4)).toEqual([]);
    expect(source.stats(START).lastBogusReason).toBe("malformed");
    expect(source.handleIncoming(good.reply!, good.t4).map((a) => a.kind)).toEqual(["sample"]);
    expect(source.handleIncoming(good.reply!, good.t4)).toEqual([]);
    expect(source.stats(START)).toMatchObject({
      bogus: 3,
      samples: 1,
      timeouts: 1,
      lastBogusReason: "unexpected",
    });
  });

  it("counts unanswered polls as timeouts and backs off after the burst", () => {
    const source = new NtpSource({ ...options, poll: { minPoll: 4, maxPoll: 7 } });
    const random = seededRandom();
    let at = START;
    source.start(at);
    const polls: number[] = [];
    for (let i = 0; i < 10; i++) {
      const timer = timerOf(source.handleTimer(at, random));
      if (timer?.kind !== "setTimer") throw new Error("no timer");
      at = timer.atNs;
      polls.push(source.pollState.poll);
    }
    expect(polls).toEqual([4, 4, 4, 4, 5, 6, 7, 7, 7, 7]);
    expect(source.stats(at)).toMatchObject({ reach: 0, reachability: 0, timeouts: 9, samples: 0 });
  });

  it("backs off on a RATE kiss from a rate-limited responder", () => {
    const bed = testbed({ minIntervalMs: 3_600_000, burst: 1 });
    const source = new NtpSource(options);
    const log = drive(source, bed, 3);
    expect(log[0]!.incoming.map((a) => a.kind)).toEqual(["sample"]);
    // Poll 2 gets the kiss; poll 3 is still over the rate and dropped (one kiss in four).
    expect(bed.responder.stats.rateLimited).toBe(2);
    expect(log[2]!.incoming).toEqual([]);
    expect(log[1]!.incoming).toEqual([{ kind: "setTimer", atNs: log[1]!.at + 128n * S }]);
    expect(log[2]!.at).toBe(log[1]!.at + 128n * S);
    expect(source.pollState).toMatchObject({ poll: 7, burstLeft: 0 });
    expect(source.stats(log[2]!.at)).toMatchObject({ kisses: 1, state: "active" });
  });

  it.each(["DENY", "RSTR"])("demobilizes on %s and never sends again", (code) => {
    const bed = testbed();
    const source = new NtpSource(options);
    source.start(START);
    const send = sendOf(source.handleTimer(START, seededRandom()));
    if (send?.kind !== "send") throw new Error("no send");
    const { reply, t4 } = bed.exchange(send.bytes, START);
    const kiss = kissOf(reply!, code);
    expect(source.handleIncoming(kiss, t4)).toEqual([{ kind: "demobilize", reason: `kiss ${code}` }]);
    expect(source.handleTimer(START + 2n * S, seededRandom())).toEqual([]);
    expect(source.handleIncoming(reply!, t4)).toEqual([]);
    expect(source.candidate(t4)).toBeUndefined();
    expect(source.stats(t4)).toMatchObject({ state: "demobilized", kisses: 1 });
  });

  it("property: a demobilized source never emits send", () => {
    type Op = "timer" | "reply" | "deny" | "rate" | "garbage";
    const opArb = fc.constantFrom<Op>("timer", "reply", "deny", "rate", "garbage");
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer(), (ops, seed) => {
        const bed = testbed();
        const source = new NtpSource({ ...options, poll: { minPoll: -2, maxPoll: 3 } });
        const random = seededRandom(seed);
        let at = START;
        let lastSend: Uint8Array | null = null;
        let demobilized = false;
        source.start(at);
        for (const op of ops) {
          at += 1n * S;
          bed.local.set(at);
          let actions: NtpSourceAction[] = [];
          if (op === "timer") {
            actions = source.handleTimer(at, random);
            const send = sendOf(actions);
            if (send?.kind === "send") lastSend = send.bytes;
          } else if (op === "garbage") {
            actions = source.handleIncoming(random(48), at);
          } else if (lastSend !== null) {
            const { reply } = bed.exchange(lastSend, at - 21n * MS);
            const bytes = op === "reply" ? reply! : kissOf(reply!, op === "deny" ? "DENY" : "RATE");
            actions = source.handleIncoming(bytes, at);
          }
          if (demobilized) expect(actions).toEqual([]);
          demobilized ||= actions.some((a) => a.kind === "demobilize");
          expect(source.pollState.phase === "demobilized").toBe(demobilized);
        }
      }),
    );
  });
});

/** The reply turned into a kiss-o'-death: stratum 0, the code as reference id (RFC 5905 §7.4). */
function kissOf(reply: Uint8Array, code: string): Uint8Array {
  const kiss = reply.slice();
  kiss[0] = (3 << 6) | (kiss[0]! & 0x3f);
  kiss[1] = 0;
  new DataView(kiss.buffer).setUint32(12, asciiReferenceId(code));
  return kiss;
}

describe("NtpSource with a slightly negative delay", () => {
  it("clamps δ to 0 (RFC 5905 keeps δ ≥ precision) instead of throwing from its filter", () => {
    const bed = testbed();
    const source = new NtpSource(options);
    const at = (timerOf(source.start(bed.local.now())) as { atNs: bigint }).atNs;
    const send = sendOf(source.handleTimer(at, seededRandom()));
    if (send?.kind !== "send") throw new Error("no send");
    // Loopback with a kernel receive timestamp: T4 − T1 (0.5 µs) < T3 − T2 (1 µs).
    const t2 = at + SERVER_OFFSET;
    bed.server.set(t2 + 1n * US);
    const reply = bed.responder.respond(send.bytes, t2, "192.0.2.1");
    if (reply === null) throw new Error("no reply");
    const actions = source.handleIncoming(reply, at + 500n);
    const sample = actions.find((a) => a.kind === "sample");
    expect(sample?.kind === "sample" && sample.sample.delayNs).toBe(-500n);
    expect(sample?.kind === "sample" && sample.estimate.delayNs).toBe(0n);
    expect(source.candidate(at + S)?.delayNs).toBe(0n);
  });
});
