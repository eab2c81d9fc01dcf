/**
 * HTTP-date parsing (RFC 9110 §5.6.7) and the pure second-boundary estimator, driven by a
 * simulated server with a known offset: the interval always holds the truth and shrinks
 * to about one round trip.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatHttpDate, HttpDateOffsetEstimator, parseHttpDate } from "../src/index.js";

describe("parseHttpDate", () => {
  it.each([
    ["Sun, 06 Nov 1994 08:49:37 GMT", 784111777],
    ["Sunday, 06-Nov-94 08:49:37 GMT", 784111777],
    ["Sun Nov  6 08:49:37 1994", 784111777],
    ["Thu, 01 Jan 1970 00:00:00 GMT", 0],
    ["Tue, 29 Feb 2028 23:59:59 GMT", 1835481599],
  ])("%s → %i", (text, seconds) => {
    expect(parseHttpDate(text)).toBe(seconds);
  });

  it.each([
    "",
    "Sun, 06 Nov 1994 08:49:37 UTC",
    "Sun, 6 Nov 1994 08:49:37 GMT",
    "Xyz, 06 Nov 1994 08:49:37 GMT",
    "Sun, 31 Nov 1994 08:49:37 GMT",
    "Sun, 06 Foo 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 24:00:00 GMT",
    "1994-11-06T08:49:37Z",
  ])("rejects %j with HTTP_DATE_INVALID", (text) => {
    expect(() => parseHttpDate(text)).toThrow(expect.objectContaining({ code: "HTTP_DATE_INVALID" }));
  });

  it("round-trips formatHttpDate for any second from 1970 to 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (s) => parseHttpDate(formatHttpDate(s)) === s),
      { numRuns: 20_000 },
    );
  });
});

/** Runs the estimator's plan against a simulated server; returns the final estimate. */
function simulate(offsetNs: bigint, rttNs: bigint, steps: number, jitterNs = 0n) {
  const e = new HttpDateOffsetEstimator();
  let now = 1_700_000_000_123_456_789n;
  let lcg = 12345n;
  const jitter = () => {
    lcg = (lcg * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    return jitterNs === 0n ? 0n : lcg % jitterNs;
  };
  for (let i = 0; i < steps; i++) {
    const sent = i === 0 ? now : e.nextSendTime(now + 5_000_000n, e.minRttNs()!) + jitter();
    const stamped = sent + rttNs / 2n + (jitterNs === 0n ? 0n : jitter() - jitterNs / 2n);
    const received = sent + rttNs;
    const serverNs = stamped + offsetNs;
    const dateS = Number(
      (serverNs - (((serverNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n)) / 1_000_000_000n,
    );
    e.add({ sentNs: sent, receivedNs: received, dateS });
    const est = e.estimate()!;
    expect(est.lowNs).toBeLessThanOrEqual(offsetNs);
    expect(est.highNs).toBeGreaterThan(offsetNs);
    now = received;
  }
  return e.estimate()!;
}

describe("HttpDateOffsetEstimator", () => {
  it.each([
    [2_345_000_000n, 400_000n],
    [-700_000_000n, 400_000n],
    [123_456_789n, 3_000_000n],
    [-86_400_999_999_999n, 20_000_000n],
  ])("locks onto offset %i ns with rtt %i ns", (offset, rtt) => {
    const est = simulate(offset, rtt, 14);
    expect(est.uncertaintyNs).toBeLessThanOrEqual(rtt + 1_000_000n);
    const error = est.offsetNs - offset;
    expect(error < 0n ? -error : error).toBeLessThanOrEqual(est.uncertaintyNs);
    expect(est.resets).toBe(0);
  });

  it("keeps the truth inside the interval under random stamping jitter", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -5_000_000_000n, max: 5_000_000_000n }),
        fc.bigInt({ min: 100_000n, max: 50_000_000n }),
        (offset, rtt) => {
          simulate(offset, rtt, 10, rtt / 2n);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("restarts on a sample that contradicts the interval (a server clock step)", () => {
    const e = new HttpDateOffsetEstimator();
    e.add({ sentNs: 0n, receivedNs: 1_000_000n, dateS: 10 });
    e.add({ sentNs: 5_000_000_000n, receivedNs: 5_001_000_000n, dateS: 30 });
    expect(e.estimate()!.resets).toBe(1);
    expect(e.estimate()!.lowNs).toBe(30_000_000_000n - 5_001_000_000n);
  });
});
