import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  asymmetryBound,
  dispersionGrowth,
  exchangeDelay,
  exchangeOffset,
  MINDISP_NS,
  NS_PER_S,
  precisionLog2ToNs,
  rootDistance,
  sampleDispersion,
} from "../src/index.js";

describe("on-wire clock math (RFC 5905 §8)", () => {
  it("known T1..T4: server 1 s ahead, 100 ns each way, 100 ns in the server", () => {
    const times = { t1: 0n, t2: 1_000_000_100n, t3: 1_000_000_200n, t4: 300n };
    expect(exchangeOffset(times)).toBe(NS_PER_S); // positive: the server is ahead
    expect(exchangeDelay(times)).toBe(200n);
  });

  it("server behind gives a negative offset", () => {
    const times = { t1: 10_000n, t2: 5_100n, t3: 5_200n, t4: 10_300n };
    expect(exchangeOffset(times)).toBe(-5_000n);
    expect(exchangeDelay(times)).toBe(200n);
  });

  it("asymmetric path: offset is off by half the asymmetry, within ±delay/2", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 7n }),
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        (theta, out, back, processing, t1) => {
          const t2 = t1 + out + theta;
          const t3 = t2 + processing;
          const t4 = t3 - theta + back;
          const times = { t1, t2, t3, t4 };
          expect(exchangeDelay(times)).toBe(out + back);
          const error = exchangeOffset(times) - theta;
          expect(error * 2n - (out - back)).toBeLessThanOrEqual(1n);
          expect(error * 2n - (out - back)).toBeGreaterThanOrEqual(-1n);
          const bound = asymmetryBound(out + back);
          expect(error <= bound + 1n && -error <= bound + 1n).toBe(true);
        },
      ),
    );
  });

  it("dispersion grows at 15 ppm", () => {
    expect(dispersionGrowth(NS_PER_S)).toBe(15_000n);
    expect(dispersionGrowth(-NS_PER_S)).toBe(15_000n);
    expect(sampleDispersion(-20, -20, 0n, NS_PER_S)).toBe(2n * precisionLog2ToNs(-20) + 15_000n);
    expect(asymmetryBound(-4n)).toBe(0n);
  });

  it("root distance: delay floored at MINDISP (RFC 5905 A.5.5.2)", () => {
    const base = { rootDelay: 0n, rootDispersion: 1_000n, delay: 100n, dispersion: 2_000n, jitter: 3_000n };
    expect(rootDistance(base)).toBe(MINDISP_NS / 2n + 6_000n);
    expect(rootDistance({ ...base, rootDelay: 20_000_000n, jitter: undefined })).toBe(10_000_050n + 3_000n);
    expect(rootDistance({ ...base, delay: -50_000_000n })).toBe(MINDISP_NS / 2n + 6_000n);
  });
});
