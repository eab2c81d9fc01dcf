/** Pure parts of the impairment relay: flags, jitter specs, the seeded PRNG, the release queue. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildImpairArgs,
  createRandom,
  formatJitterSpec,
  type ImpairmentRelayOptions,
  type JitterSpec,
  parseImpairArgs,
  parseJitterSpec,
  ReleaseQueue,
  resolveRelayOptions,
  sampleJitterMs,
} from "../src/index.js";

/** Doubles in [0, max] without −0 (which prints as "0"). */
const nonNegative = (max: number) => fc.double({ min: 0, max, noNaN: true }).map((v) => v + 0);

const jitterArb: fc.Arbitrary<JitterSpec> = fc.oneof(
  fc.constant({ kind: "none" } as const),
  nonNegative(100).map((halfWidthMs) => ({ kind: "uniform", halfWidthMs }) as const),
  nonNegative(100).map((sdMs) => ({ kind: "normal", sdMs }) as const),
  nonNegative(100).map((meanMs) => ({ kind: "exponential", meanMs }) as const),
);

describe("chronosync-impair flags", () => {
  it("parses the documented example", () => {
    const options = parseImpairArgs(
      "--listen 127.0.0.1:0 --target 127.0.0.1:11123 --up-delay-ms 8 --down-delay-ms 2 --jitter uniform:0.5 --loss 0.01 --reorder 0.01 --seed 1 --max-seconds 60 --max-packets 100000".split(
        " ",
      ),
    );
    const resolved = resolveRelayOptions(options!);
    expect(resolved.listen).toEqual({ host: "127.0.0.1", port: 0 });
    expect(resolved.target).toEqual({ host: "127.0.0.1", port: 11123 });
    expect(resolved.up).toEqual({
      delayMs: 8,
      jitter: { kind: "uniform", halfWidthMs: 0.5 },
      loss: 0.01,
      reorder: 0.01,
      reorderExtraMs: 5,
    });
    expect(resolved.down.delayMs).toBe(2);
    expect(resolved.down.jitter).toEqual({ kind: "uniform", halfWidthMs: 0.5 });
    expect([resolved.seed, resolved.maxSeconds, resolved.maxPackets]).toEqual([1, 60, 100000]);
  });

  it("per-direction flags override the shared ones", () => {
    const o = parseImpairArgs([
      "--target",
      "[::1]:123",
      "--loss",
      "0.1",
      "--down-loss",
      "0.5",
      "--jitter",
      "none",
    ])!;
    expect(o.target).toEqual({ host: "::1", port: 123 });
    expect([o.up?.loss, o.down?.loss]).toEqual([0.1, 0.5]);
  });

  it("rejects bad input with INVALID_ARGUMENT", () => {
    for (const argv of [
      [],
      ["--target", "nohost"],
      ["--target", "127.0.0.1:1", "--loss", "abc"],
      ["--target", "127.0.0.1:1", "--jitter", "gauss:1"],
      ["--target", "127.0.0.1:1", "--bogus"],
    ]) {
      expect(() => parseImpairArgs(argv), argv.join(" ")).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    }
    expect(() => resolveRelayOptions({ target: { host: "127.0.0.1", port: 1 }, up: { loss: 1.5 } })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(parseImpairArgs(["--help"])).toBeNull();
  });

  it("buildImpairArgs is the inverse of parseImpairArgs", () => {
    const direction = fc.record(
      {
        delayMs: nonNegative(1000),
        jitter: jitterArb,
        loss: nonNegative(1),
        reorder: nonNegative(1),
        reorderExtraMs: nonNegative(100),
      },
      { requiredKeys: [] },
    );
    const optionsArb: fc.Arbitrary<ImpairmentRelayOptions> = fc.record(
      {
        target: fc.record({
          host: fc.constantFrom("127.0.0.1", "::1", "localhost"),
          port: fc.integer({ min: 1, max: 65535 }),
        }),
        listen: fc.record({
          host: fc.constantFrom("127.0.0.1", "::1"),
          port: fc.integer({ min: 0, max: 65535 }),
        }),
        up: direction,
        down: direction,
        seed: fc.integer(),
        maxSeconds: fc.double({ min: 0.001, max: 86400, noNaN: true }),
        maxPackets: fc.integer({ min: 1 }),
        maxRecords: fc.nat(),
        spinLeadMs: nonNegative(50),
        maxSessions: fc.integer({ min: 1 }),
      },
      { requiredKeys: ["target"] },
    );
    fc.assert(
      fc.property(optionsArb, (options) => {
        const parsed = parseImpairArgs(buildImpairArgs(options))!;
        expect(resolveRelayOptions(parsed)).toEqual(resolveRelayOptions(options));
      }),
    );
  });
});

describe("jitter and PRNG", () => {
  it("jitter specs round-trip through text", () => {
    fc.assert(
      fc.property(jitterArb, (spec) => {
        expect(parseJitterSpec(formatJitterSpec(spec))).toEqual(spec);
      }),
    );
  });

  it("samples stay in their distribution's support", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (u1, u2) => {
          const uniform = sampleJitterMs({ kind: "uniform", halfWidthMs: 2 }, u1, u2);
          expect(Math.abs(uniform)).toBeLessThanOrEqual(2);
          expect(sampleJitterMs({ kind: "exponential", meanMs: 1 }, u1, u2)).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(sampleJitterMs({ kind: "normal", sdMs: 1 }, u1, u2))).toBe(true);
          expect(sampleJitterMs({ kind: "none" }, u1, u2)).toBe(0);
        },
      ),
    );
  });

  it("is deterministic per seed and stream, uniform on [0, 1), with the right moments", () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(3), (seed, stream) => {
        const a = createRandom(seed, stream);
        const b = createRandom(seed, stream);
        for (let i = 0; i < 20; i++) expect(a()).toBe(b());
      }),
    );
    expect(createRandom(1, 0)()).not.toBe(createRandom(1, 1)());
    const random = createRandom(42);
    const n = 20000;
    let sum = 0;
    let sumNormal = 0;
    let sumSqNormal = 0;
    let sumExp = 0;
    for (let i = 0; i < n; i++) {
      const u = random();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      const z = sampleJitterMs({ kind: "normal", sdMs: 1 }, random(), random());
      sumNormal += z;
      sumSqNormal += z * z;
      sumExp += sampleJitterMs({ kind: "exponential", meanMs: 2 }, random(), random());
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(sumNormal / n)).toBeLessThan(0.04);
    expect(Math.abs(Math.sqrt(sumSqNormal / n) - 1)).toBeLessThan(0.03);
    expect(Math.abs(sumExp / n - 2)).toBeLessThan(0.08);
  });
});

describe("ReleaseQueue", () => {
  it("releases in deadline order, never early, and close to the deadline", async () => {
    const queue = new ReleaseQueue();
    const start = process.hrtime.bigint();
    const lateness: number[] = [];
    const order: number[] = [];
    const offsetsMs = [7, 3, 3.5, 0, 12, 5, 1];
    await new Promise<void>((resolve) => {
      offsetsMs.forEach((ms, i) => {
        const deadline = start + BigInt(ms * 1e6);
        queue.schedule(deadline, () => {
          lateness.push(Number(process.hrtime.bigint() - deadline) / 1e6);
          order.push(i);
          if (order.length === offsetsMs.length) resolve();
        });
      });
    });
    expect(order).toEqual([3, 6, 1, 2, 5, 0, 4]);
    for (const late of lateness) expect(late).toBeGreaterThanOrEqual(0);
    lateness.sort((a, b) => a - b);
    // Typically ~0.001 ms; generous for a loaded machine.
    expect(lateness[lateness.length >> 1]!).toBeLessThan(1);
  });

  it("clear() drops what is pending", async () => {
    const queue = new ReleaseQueue();
    let released = 0;
    queue.schedule(process.hrtime.bigint() + 5_000_000n, () => released++);
    expect(queue.clear()).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(0);
  });
});
