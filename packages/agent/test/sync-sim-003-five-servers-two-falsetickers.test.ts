/**
 * sync-sim-003: five servers, two of them falsetickers agreeing with each other (both
 * +30 ms, ~100 µs apart). The three true servers are the majority and still win.
 *
 * Seed 003-a has the two falsetickers and one truechimer answer first (3 of 5). The
 * engine once selected among those answers alone and followed the falsetickers (coverage
 * 99.2 %); now the agreeing group must be a majority of all five, so it waits.
 */
import { asymmetricLink } from "@chronosync/sim";
import { describe, expect, it } from "vitest";
import { MS, report, runScenario, type SimScenario, US } from "./helpers/sync-sim-harness.js";

const FALSE = new Set(["10.0.0.4", "10.0.0.5"]);
const jitter = { kind: "exponential", meanNs: 100n * US, maxNs: 2n * MS } as const;
const scenario: SimScenario = {
  servers: [
    { address: "10.0.0.1", link: asymmetricLink({ delayNs: 2n * MS, jitter }) },
    { address: "10.0.0.2", link: asymmetricLink({ delayNs: 3n * MS, asymmetryNs: 200n * US, jitter }) },
    { address: "10.0.0.3", link: asymmetricLink({ delayNs: 5n * MS, asymmetryNs: -200n * US, jitter }) },
    { address: "10.0.0.4", offsetNs: 30n * MS, link: asymmetricLink({ delayNs: 2n * MS, jitter }) },
    {
      address: "10.0.0.5",
      offsetNs: 30n * MS + 100n * US,
      link: asymmetricLink({ delayNs: 3n * MS, jitter }),
    },
  ],
  clock: { offsetNs: -20n * MS, frequencyPpm: -15, wander: { ppmPerSqrtS: 0.001, maxPpm: 20 } },
  engine: { poll: { minPoll: 4, maxPoll: 6 } },
  durationS: 2 * 3600,
};

describe("sync-sim-003 five servers, two agreeing falsetickers", () => {
  it("follows the majority and keeps true time inside the bound", () => {
    const runs = ["003-b", "003-c"].map((seed) => runScenario(scenario, seed));
    const s = report("sync-sim-003", runs);
    expect(s.coverage).toBeGreaterThanOrEqual(0.9999);
    expect(s.meanErrorNs).toBeLessThan(Number(1n * MS));
    expect(s.p99ErrorNs).toBeLessThan(Number(5n * MS));
    for (const r of runs) {
      // Not "synchronized" always: see the holdover note in helpers/sync-sim-harness.ts.
      expect(r.final.tracking.status).not.toBe("unsynchronized");
      expect(FALSE.has(r.final.tracking.systemPeer ?? "")).toBe(false);
      for (const x of r.final.sources) {
        if (FALSE.has(x.id)) expect(x.selection).toBe("falseticker");
        else expect(x.falsetickers).toBe(0);
      }
    }
  });

  // Engine defect, see the header: the first answers (two falsetickers, one truechimer) win.
  it("keeps true time inside the bound when the falsetickers answer first (seed 003-a)", () => {
    const s = report("sync-sim-003 (003-a)", [runScenario(scenario, "003-a")]);
    expect(s.coverage).toBeGreaterThanOrEqual(0.9999);
  });
});
