import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  exponentToNs,
  initialPollState,
  nextPollState,
  type PollConfig,
  type PollEvent,
  type PollState,
  pollDelayNs,
  reachability,
  resolvePollConfig,
} from "../src/index.js";

const S = 1_000_000_000n;

function run(config: PollConfig, events: PollEvent[], from?: PollState): PollState {
  return events.reduce((s, e) => nextPollState(s, e, config), from ?? initialPollState(config));
}

const started: PollEvent = { kind: "started" };
const sent: PollEvent = { kind: "sent" };
const good: PollEvent = { kind: "sample", stable: true };
const timeout: PollEvent = { kind: "timeout" };

describe("resolvePollConfig", () => {
  it("has chrony-like defaults", () => {
    expect(resolvePollConfig()).toEqual({ minPoll: 6, maxPoll: 10, iburstCount: 4, stepUpAfter: 4 });
  });
  it("rejects bad ranges", () => {
    expect(() => resolvePollConfig({ minPoll: 8, maxPoll: 6 })).toThrow(/minPoll/);
    expect(() => resolvePollConfig({ minPoll: 1.5 })).toThrow();
    expect(() => resolvePollConfig({ iburstCount: -1 })).toThrow(/iburst/);
    expect(() => resolvePollConfig({ stepUpAfter: 0 })).toThrow(/stepUpAfter/);
  });
});

describe("iburst", () => {
  it("sends iburstCount polls 2 s apart, then polls at minPoll", () => {
    const config = resolvePollConfig();
    let s = run(config, [started]);
    expect(s).toMatchObject({ phase: "active", poll: 6, burstLeft: 4 });
    const delays: bigint[] = [];
    for (let i = 0; i < 6; i++) {
      s = run(config, [sent, good], s);
      delays.push(pollDelayNs(s, config, 0));
    }
    expect(delays).toEqual([2n * S, 2n * S, 2n * S, 64n * S, 64n * S, 64n * S]);
  });
  it("uses 2^minPoll when that is shorter than 2 s", () => {
    const config = resolvePollConfig({ minPoll: -2, maxPoll: 4 });
    const s = run(config, [started, sent]);
    expect(pollDelayNs(s, config, 0.99)).toBe(S / 4n);
  });
  it("is off with iburstCount 0", () => {
    const config = resolvePollConfig({ iburstCount: 0 });
    expect(pollDelayNs(run(config, [started, sent]), config, 0)).toBe(64n * S);
  });
  it("does not back off on a loss during the burst", () => {
    const config = resolvePollConfig();
    const s = run(config, [started, sent, timeout, sent]);
    expect(s.poll).toBe(6);
    expect(s.lostStreak).toBe(1);
  });
});

describe("poll adaptation", () => {
  const config = resolvePollConfig({ iburstCount: 0, stepUpAfter: 3 });
  it("steps up after stepUpAfter stable samples, up to maxPoll", () => {
    let s = run(config, [started]);
    const polls: number[] = [];
    for (let i = 0; i < 18; i++) {
      s = run(config, [sent, good], s);
      polls.push(s.poll);
    }
    expect(polls).toEqual([6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10]);
  });
  it("steps down on an unstable sample, not below minPoll", () => {
    const s = run(config, [started, sent, good, sent, good, sent, good]);
    expect(s.poll).toBe(7);
    const down = run(config, [sent, { kind: "sample", stable: false }], s);
    expect(down).toMatchObject({ poll: 6, stableStreak: 0 });
    expect(run(config, [sent, { kind: "sample", stable: false }], down).poll).toBe(6);
  });
});

describe("backoff", () => {
  const config = resolvePollConfig({ minPoll: 4, maxPoll: 8, iburstCount: 0 });
  it("doubles the interval per lost poll, bounded by maxPoll", () => {
    let s = run(config, [started, sent]);
    const delays: bigint[] = [];
    for (let i = 0; i < 7; i++) {
      s = run(config, [timeout, sent], s);
      delays.push(pollDelayNs(s, config, 0) / S);
    }
    expect(delays).toEqual([32n, 64n, 128n, 256n, 256n, 256n, 256n]);
    expect(s.lostStreak).toBe(7);
    expect(run(config, [good], s)).toMatchObject({ lostStreak: 0, poll: 8 });
  });
  it("adds up to 1/8 jitter from the injected random number", () => {
    const s = run(config, [started, sent]);
    expect(pollDelayNs(s, config, 0)).toBe(16n * S);
    expect(pollDelayNs(s, config, 0.5)).toBe(17n * S);
    const max = pollDelayNs(s, config, 1);
    expect(max).toBeLessThan(18n * S);
    expect(max).toBeGreaterThan(17n * S);
  });
});

describe("kiss-o'-death", () => {
  const config = resolvePollConfig({ minPoll: 4, maxPoll: 6 });
  it("RATE doubles the poll and ends the burst", () => {
    const s = run(config, [started, sent, { kind: "kiss", code: "RATE" }]);
    expect(s).toMatchObject({ phase: "active", poll: 5, burstLeft: 0 });
    expect(pollDelayNs(s, config, 0)).toBe(32n * S);
    expect(
      run(
        config,
        [
          { kind: "kiss", code: "RATE" },
          { kind: "kiss", code: "RATE" },
        ],
        s,
      ).poll,
    ).toBe(6);
  });
  it.each(["DENY", "RSTR"] as const)("%s demobilizes for good", (code) => {
    const s = run(config, [started, sent, { kind: "kiss", code }]);
    expect(s.phase).toBe("demobilized");
    for (const e of [started, sent, good, timeout, { kind: "kiss", code: "RATE" } as const]) {
      expect(nextPollState(s, e, config)).toBe(s);
    }
  });
});

describe("reach register", () => {
  const config = resolvePollConfig();
  it("shifts left on every poll and sets bit 0 on a valid reply (RFC 5905 §13)", () => {
    let s = run(config, [started]);
    const trace: number[] = [];
    for (const answered of [true, true, false, true, false, false, true, true, true, false]) {
      s = run(config, answered ? [sent, good] : [sent], s);
      trace.push(s.reach);
    }
    expect(trace.map((r) => r.toString(2))).toEqual([
      "1",
      "11",
      "110",
      "1101",
      "11010",
      "110100",
      "1101001",
      "11010011",
      "10100111",
      "1001110",
    ]);
    expect(reachability(s)).toBe(4 / 8);
  });
  it("reachability counts only the polls sent so far", () => {
    expect(reachability(run(config, [started]))).toBe(0);
    expect(reachability(run(config, [started, sent, good, sent]))).toBe(1 / 2);
  });
});

describe("exponentToNs", () => {
  it("is exact for negative and positive exponents", () => {
    expect(exponentToNs(-2)).toBe(250_000_000n);
    expect(exponentToNs(0)).toBe(S);
    expect(exponentToNs(10)).toBe(1024n * S);
  });
});

describe("properties", () => {
  const eventArb: fc.Arbitrary<PollEvent> = fc.oneof(
    fc.constant(started),
    fc.constant(sent),
    fc.constant(timeout),
    fc.boolean().map((stable) => ({ kind: "sample", stable }) as const),
    fc.constantFrom("RATE", "DENY", "RSTR").map((code) => ({ kind: "kiss", code }) as const),
  );
  const configArb = fc
    .tuple(fc.integer({ min: -7, max: 17 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 8 }))
    .map(([minPoll, span, iburstCount]) =>
      resolvePollConfig({ minPoll, maxPoll: Math.min(17, minPoll + span), iburstCount }),
    );

  it("keeps the poll in [minPoll, maxPoll], the delay in bounds and reach in 8 bits", () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(eventArb, { maxLength: 60 }),
        fc.double({ min: 0, max: 1 }),
        (c, events, r) => {
          let s = initialPollState(c);
          for (const e of events) {
            s = nextPollState(s, e, c);
            expect(s.poll).toBeGreaterThanOrEqual(c.minPoll);
            expect(s.poll).toBeLessThanOrEqual(c.maxPoll);
            expect(s.reach).toBeGreaterThanOrEqual(0);
            expect(s.reach).toBeLessThanOrEqual(0xff);
            const d = pollDelayNs(s, c, r);
            expect(d).toBeGreaterThan(0n);
            expect(d).toBeLessThanOrEqual((exponentToNs(c.maxPoll) * 9n) / 8n);
            expect(reachability(s)).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it("never leaves demobilized", () => {
    fc.assert(
      fc.property(configArb, fc.array(eventArb, { maxLength: 40 }), (c, events) => {
        let seen = false;
        let s = initialPollState(c);
        for (const e of events) {
          s = nextPollState(s, e, c);
          if (seen) expect(s.phase).toBe("demobilized");
          seen ||= s.phase === "demobilized";
        }
      }),
    );
  });
});
