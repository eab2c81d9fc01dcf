/**
 * 004: the server's offset (+2.5 s, −1.75 s) is measured to within the link's bound while
 * the client's 50 ppm frequency error moves the true offset by 800 µs per 16 s poll.
 */
import { describe, expect, it } from "vitest";
import { asymmetricLink, runNtpExchangeScenario } from "../../src/index.js";
import { expectWithinAsymmetryBound } from "./bounds.js";

const MS = 1_000_000n;

describe("004 offset server, drifting client", () => {
  for (const serverOffset of [2_500_000_000n, -1_750_000_000n]) {
    it(`server ${serverOffset} ns, client +50 ppm`, () => {
      const J = 1n * MS;
      const A = 2n * MS;
      const result = runNtpExchangeScenario({
        seed: `004-${serverOffset}`,
        polls: 64,
        ...asymmetricLink({ delayNs: 40n * MS, asymmetryNs: A, jitter: { kind: "uniform", maxNs: J } }),
        server: { offsetNs: serverOffset },
        client: { frequencyPpm: 50 },
        serverProcessingNs: 1n * MS,
      });
      expectWithinAsymmetryBound(result, A, J);
      const first = result.samples[0]!;
      const last = result.samples.at(-1)!;
      // true offset server − client falls by 50 µs per simulated second (between the midpoints)
      const elapsedS = Number(last.sentAt + last.receivedAt - first.sentAt - first.receivedAt) / 2e9;
      expect(Number(first.trueOffsetNs - last.trueOffsetNs)).toBeCloseTo(elapsedS * 50_000, -1);
      // and the measurement tracks it
      expect(Number(first.offsetNs - last.offsetNs)).toBeCloseTo(elapsedS * 50_000, -6);
      for (const s of result.samples) {
        const e = s.offsetNs - serverOffset;
        expect(e < 0n ? -e : e).toBeLessThan(500n * MS); // ±50 ppm × ~17 min
        expect(s.t2 - s.t1 > serverOffset - 500n * MS).toBe(true);
      }
      expect(result.summary.error.maxAbsNs!).toBeLessThanOrEqual(A / 2n + J + 4n);
    });
  }
});
