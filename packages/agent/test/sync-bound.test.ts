// Bound tightness (issue 3 §3): the half-width is the combination's δ/2 + dispersion, the
// estimator's uncertainty and 1 ppm × age, not RFC 5905's 5 ms MINDISP floor or φ = 15 ppm.
import type { SelectionSuccess, SourceCandidate } from "@chronosync/core";
import { asymmetricLink } from "@chronosync/sim";
import { describe, expect, it } from "vitest";
import { boundDistance, DEFAULT_MAX_DRIFT_PPM } from "../src/index.js";
import { median, runScenario, summarize, US } from "./helpers/sync-sim-harness.js";

const peer: SourceCandidate = {
  id: "a",
  offsetNs: 1_000n,
  delayNs: 20_000n,
  dispersionNs: 900_000n, // the filter's ε, aged over its other stages
  jitterNs: 2_000n,
  rootDelayNs: 0n,
  rootDispersionNs: 5_000n,
  stratum: 1,
};

describe("bound distance", () => {
  it("is (root delay + δ)/2 + root dispersion + the sample's ε + |Θ − θ_P|", () => {
    const selection = {
      offsetNs: 1_500n,
      rootDelayNs: 20_000n,
      jitterNs: 3_000n,
    } as SelectionSuccess;
    // 10 µs + 5 µs + 1 µs + 0.5 µs: neither the 5 ms MINDISP floor, nor the filter's aged ε,
    // nor the system jitter (the estimator's variance carries the random part).
    expect(boundDistance(selection, peer, 1_000n)).toBe(16_500n);
    expect(DEFAULT_MAX_DRIFT_PPM).toBe(1);
  });

  it("gives a sub-millisecond bound on a 20 µs path that still holds true time", () => {
    const run = runScenario(
      {
        servers: [
          {
            address: "10.0.0.1",
            link: asymmetricLink({
              delayNs: 10n * US,
              asymmetryNs: 4n * US,
              jitter: { kind: "exponential", meanNs: 2n * US, maxNs: 50n * US },
            }),
          },
        ],
        clock: { offsetNs: 1_000_000n, frequencyPpm: 20, wander: { ppmPerSqrtS: 0.001, maxPpm: 20 } },
        engine: { poll: { minPoll: 4, maxPoll: 6 } },
        durationS: 3600,
      },
      "bound-a",
    );
    const s = summarize(run.samples);
    console.log(
      `20 µs path: median half-width ${(s.medianHalfWidthNs / 1e3).toFixed(1)} µs, mean |error| ${(s.meanErrorNs / 1e3).toFixed(2)} µs`,
    );
    expect(s.coverage).toBe(1);
    // Before: ≥ 2.5 ms (MINDISP/2) + 15 ppm × age (up to 8 polls).
    expect(median(run.samples.map((x) => x.halfWidthNs))).toBeLessThan(100_000);
  });
});
