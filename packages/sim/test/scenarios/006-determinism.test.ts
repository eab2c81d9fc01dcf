/** 006: a run is a function of its seed. */
import { describe, expect, it } from "vitest";
import { asymmetricLink, type NtpExchangeScenarioOptions, runNtpExchangeScenario } from "../../src/index.js";

const MS = 1_000_000n;

function options(seed: string | number): NtpExchangeScenarioOptions {
  return {
    seed,
    polls: 50,
    ...asymmetricLink({
      delayNs: 20n * MS,
      asymmetryNs: 1n * MS,
      jitter: { kind: "lognormal", medianNs: 200_000n, sigma: 1, maxNs: 10n * MS },
      lossProbability: 0.1,
      reorder: { probability: 0.05, maxExtraNs: 30n * MS },
    }),
    server: { offsetNs: 2_500_000_000n, frequencyPpm: 3, wander: { ppmPerSqrtS: 0.01 } },
    client: { frequencyPpm: 50, wander: { ppmPerSqrtS: 0.02 } },
    serverProcessingNs: 50_000n,
    serverProcessingJitter: { kind: "exponential", meanNs: 20_000n, maxNs: 1n * MS },
  };
}

describe("006 determinism", () => {
  it("the same seed gives the same samples and summary", () => {
    const a = runNtpExchangeScenario(options("same"));
    const b = runNtpExchangeScenario(options("same"));
    expect(a.samples.length).toBeGreaterThan(30);
    expect(b).toEqual(a);
  });

  it("a different seed gives a different run", () => {
    const a = runNtpExchangeScenario(options(1));
    const b = runNtpExchangeScenario(options(2));
    expect(b.samples).not.toEqual(a.samples);
    expect(b.samples.map((s) => s.errorNs)).not.toEqual(a.samples.map((s) => s.errorNs));
  });
});
