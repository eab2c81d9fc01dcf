/** 001: a symmetric link without jitter: the measured offset is the true offset, to a few ns. */
import { describe, expect, it } from "vitest";
import { runNtpExchangeScenario } from "../../src/index.js";
import { expectErrorIsHalfAsymmetry, ROUNDING_NS } from "./bounds.js";

const MS = 1_000_000n;

describe("001 symmetric link, no jitter", () => {
  it("perfect clocks: error ≈ 0, delay = 2 × one-way", () => {
    const { samples, summary } = runNtpExchangeScenario({ seed: 1, up: { delayNs: 10n * MS } });
    expect(summary.polls).toBe(32);
    expect(samples).toHaveLength(32);
    for (const s of samples) {
      expect(s.appliedUpNs).toBe(10n * MS);
      expect(s.appliedDownNs).toBe(10n * MS);
      expect(s.trueOffsetNs).toBe(0n);
      expect(s.errorNs >= -ROUNDING_NS && s.errorNs <= ROUNDING_NS).toBe(true);
      expect(s.delayNs >= 20n * MS - ROUNDING_NS && s.delayNs <= 20n * MS + ROUNDING_NS).toBe(true);
      expect(s.receivedAt - s.sentAt).toBe(20n * MS);
    }
    expect(summary.client.unanswered).toBe(0);
    expect(summary.server.answered).toBe(32);
  });

  it("offset server and drifting client: still ≈ 0 error, whatever the offsets and frequencies", () => {
    for (const [serverOffset, serverPpm, clientPpm] of [
      [2_500_000_000n, 0, 50],
      [-1_750_000_000n, 0, 50],
      [2_500_000_000n, -20, 50],
      [-1_750_000_000n, 35, -50],
    ] as const) {
      const result = runNtpExchangeScenario({
        seed: `001-${serverOffset}-${serverPpm}`,
        up: { delayNs: 25n * MS },
        server: { offsetNs: serverOffset, frequencyPpm: serverPpm },
        client: { offsetNs: 123_456n, frequencyPpm: clientPpm },
        serverProcessingNs: 2n * MS,
      });
      expect(result.samples).toHaveLength(32);
      expectErrorIsHalfAsymmetry(result, serverPpm);
      for (const s of result.samples) {
        expect(s.errorNs >= -ROUNDING_NS && s.errorNs <= ROUNDING_NS).toBe(true);
        // the true offset follows both clocks' drift between polls
        const expected =
          serverOffset -
          123_456n +
          (((s.sentAt + s.receivedAt) / 2n - 1_735_689_600_000_000_000n) *
            BigInt((serverPpm - clientPpm) * 1000)) /
            1_000_000_000n;
        expect(s.trueOffsetNs - expected >= -2n && s.trueOffsetNs - expected <= 2n).toBe(true);
      }
    }
  });
});
