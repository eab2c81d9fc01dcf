/**
 * 105: holdover. After 1 h of tracking (64 s poll, 500 µs jitter) the server is unreachable
 * for 1 h, then back for 1 h. During the gap the status turns "holdover" once no update
 * came for 300 s, the bound grows by 15 ppm × elapsed and still contains the truth; after
 * it, the servo resynchronizes.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink } from "../../src/index.js";
import { MS, reportServo, runServoScenario, S, US } from "./servo-harness.js";

const H = 3600n * S;

describe("105 servo, 1 h holdover", () => {
  it("goes holdover, keeps the bound, recovers", () => {
    const results = [1, 2, 3].map((seed) =>
      runServoScenario({
        seed: `105-${seed}`,
        durationNs: 3n * H,
        pollIntervalNs: 64n * S,
        link: asymmetricLink({ delayNs: 5n * MS, jitter: { kind: "uniform", maxNs: 500n * US } }),
        client: { offsetNs: 37n * MS, frequencyPpm: 50, wander: { ppmPerSqrtS: 0.001, maxPpm: 5 } },
        outages: [{ fromNs: H, toNs: 2n * H }],
      }),
    );
    const all = reportServo("105 1 h outage", results);
    expect(all.containment).toBeGreaterThanOrEqual(0.9999);
    for (const r of results) {
      const at = (t: bigint) => r.checks.find((c) => c.atNs >= t)!;
      expect(at(H / 2n).status).toBe("synchronized");
      expect(at(H + 600n * S).status).toBe("holdover");
      const end = at(2n * H - S);
      expect(end.status).toBe("holdover");
      // 15 ppm × 1 h = 54 ms of drift allowance on top of the synchronized width
      expect(end.halfWidthNs).toBeGreaterThan(54_000_000);
      expect(Math.abs(end.errorNs)).toBeLessThan(end.halfWidthNs);
      const back = at(2n * H + 600n * S);
      expect(back.status).toBe("synchronized");
      expect(back.halfWidthNs).toBeLessThan(10_000_000);
    }
  });
});
