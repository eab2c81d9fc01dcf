/** 009: a star of clients polling one server (the benchmark's workload, small). */
import { describe, expect, it } from "vitest";
import { asymmetricLink, runNtpStarScenario } from "../../src/index.js";

const MS = 1_000_000n;
const S = 1_000_000_000n;

describe("009 star of clients", () => {
  const options = {
    seed: "star",
    clients: 50,
    durationNs: 600n * S,
    pollIntervalNs: 16n * S,
    link: (i: number) =>
      asymmetricLink({
        delayNs: BigInt(1 + (i % 10)) * MS,
        asymmetryNs: BigInt((i % 5) - 2) * 100_000n,
        jitter: { kind: "uniform", maxNs: 200_000n },
        lossProbability: 0.01,
      }),
    clientOffsetSpreadNs: 5n * S,
    clientFrequencySpreadPpm: 100,
    server: { offsetNs: 2_500_000_000n },
  };

  it("every client polls; errors stay within the worst link's bound", () => {
    const summary = runNtpStarScenario(options);
    expect(summary.clients).toBe(50);
    expect(summary.polls).toBeGreaterThanOrEqual(50 * 37);
    expect(summary.samples).toBeGreaterThan(summary.polls * 0.95);
    expect(summary.samples + summary.unanswered).toBeGreaterThanOrEqual(summary.polls - 50);
    expect(summary.answered).toBeGreaterThanOrEqual(summary.samples);
    expect(summary.error.maxAbsNs!).toBeLessThanOrEqual(100_000n + 200_000n + 4n);
    expect(summary.endedAt - 1_735_689_600n * S).toBe(600n * S);
  });

  it("is deterministic", () => {
    expect(runNtpStarScenario(options)).toEqual(runNtpStarScenario(options));
  });
});
