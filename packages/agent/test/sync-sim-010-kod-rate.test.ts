/**
 * sync-sim-010: KoD RATE. The only server limits each client to one request per 60 s
 * (burst 2); the client starts with an iburst and polls every 16 s, so it is limited and
 * kissed. The source backs off (the poll rises towards 64 s) and sync continues.
 */
import { asymmetricLink } from "@chronosync/sim";
import { describe, expect, it } from "vitest";
import { MS, report, runScenario, type SimScenario, US } from "./helpers/sync-sim-harness.js";

const scenario: SimScenario = {
  servers: [
    {
      address: "10.0.0.1",
      link: asymmetricLink({
        delayNs: 2n * MS,
        jitter: { kind: "exponential", meanNs: 100n * US, maxNs: 2n * MS },
      }),
      rateLimit: { minIntervalMs: 60_000, burst: 2 },
    },
  ],
  clock: { offsetNs: -4n * MS, frequencyPpm: 15, wander: { ppmPerSqrtS: 0.001, maxPpm: 20 } },
  engine: { poll: { minPoll: 4, maxPoll: 7 } },
  durationS: 3 * 3600,
};

describe("sync-sim-010 KoD RATE", () => {
  it("backs off on RATE kisses and stays synchronized", () => {
    const runs = ["010-a", "010-b"].map((seed) => runScenario(scenario, seed));
    const s = report("sync-sim-010", runs);
    expect(s.coverage).toBeGreaterThanOrEqual(0.9999);
    expect(s.meanErrorNs).toBeLessThan(Number(100n * US));
    expect(s.p99ErrorNs).toBeLessThan(Number(1n * MS));
    for (const r of runs) {
      const src = r.final.sources[0]!;
      const server = r.servers.get("10.0.0.1")!;
      console.log(
        `  kisses ${src.kisses}, poll ${src.poll}, limited ${server.stats.rateLimited}/${server.stats.received}`,
      );
      // Not "synchronized" always: see the holdover note in helpers/sync-sim-harness.ts.
      expect(r.final.tracking.status).not.toBe("unsynchronized");
    }
  });
});
