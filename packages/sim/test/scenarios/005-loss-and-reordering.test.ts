/**
 * 005: loss and reordering. Lost requests or replies leave polls unanswered; a reply held
 * past the next poll fails the origin check of the real client code; every sample that
 * gets through is still within the bound (with J including the reordering delay).
 */
import { describe, expect, it } from "vitest";
import { runNtpExchangeScenario } from "../../src/index.js";
import { expectErrorIsHalfAsymmetry, expectWithinAsymmetryBound } from "./bounds.js";

const MS = 1_000_000n;
const S = 1_000_000_000n;

describe("005 loss and reordering", () => {
  it("loses about the configured fraction of exchanges", () => {
    const result = runNtpExchangeScenario({
      seed: 5,
      polls: 2_000,
      pollIntervalNs: 1n * S,
      up: { delayNs: 5n * MS, lossProbability: 0.2 },
      down: { delayNs: 5n * MS, lossProbability: 0.1 },
    });
    const { summary } = result;
    expect(summary.polls).toBe(2_000);
    expect(summary.samples / 2_000).toBeCloseTo(0.8 * 0.9, 1);
    expect(summary.up.lost / summary.up.sent).toBeCloseTo(0.2, 1);
    expect(summary.down.sent).toBe(summary.up.sent - summary.up.lost);
    // every poll is answered, lost, or the last one still in flight
    expect(summary.samples + summary.client.unanswered).toBeGreaterThanOrEqual(1_999);
    expectErrorIsHalfAsymmetry(result);
  });

  it("drops replies held past the next poll (origin mismatch), keeps the bound on the rest", () => {
    const maxExtraNs = 1_500n * MS;
    const result = runNtpExchangeScenario({
      seed: 55,
      polls: 1_000,
      pollIntervalNs: 1n * S,
      up: { delayNs: 10n * MS, jitter: { kind: "uniform", maxNs: 1n * MS } },
      down: {
        delayNs: 10n * MS,
        jitter: { kind: "uniform", maxNs: 1n * MS },
        reorder: { probability: 0.2, maxExtraNs },
      },
      server: { offsetNs: -1_750_000_000n },
      client: { frequencyPpm: 50 },
    });
    const { summary } = result;
    expect(summary.down.reordered).toBeGreaterThan(100);
    expect(summary.client.bogus["origin-mismatch"] ?? 0).toBeGreaterThan(10);
    expect(summary.client.unanswered).toBeGreaterThan(10);
    expectWithinAsymmetryBound(result, 0n, 1n * MS + maxExtraNs);
    expectErrorIsHalfAsymmetry(result);
    // a reordered reply that still makes it shows up as a large error and a large delay
    const held = result.samples.filter((s) => s.appliedDownNs > 11n * MS);
    expect(held.length).toBeGreaterThan(10);
    for (const s of held) expect(s.errorNs).toBeLessThan(0n);
  });
});
