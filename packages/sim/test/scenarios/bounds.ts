/**
 * Shared checks of the numbered NTP scenarios. Theory (two-way time transfer): with
 * applied one-way delays u (up) and d (down) and a server whose clock runs at rate
 * (1 + f), the measured offset errs by (u − d)/2·(1 + f), whatever the clocks' offsets
 * and the client's frequency; the rest is timestamp rounding (NTP 2^-32 s encoding, ns
 * floors, halving): a few ns.
 */
import { expect } from "vitest";
import type { NtpExchangeResult } from "../../src/index.js";

/** Rounding slack of one sample, ns. */
export const ROUNDING_NS = 4n;

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** Every sample's error is (up − down)/2, up to the server's frequency term and rounding. */
export function expectErrorIsHalfAsymmetry(result: NtpExchangeResult, serverPpm = 0, slackNs = 0n): void {
  expect(result.samples.length).toBeGreaterThan(0);
  for (const s of result.samples) {
    const diff = s.appliedUpNs - s.appliedDownNs;
    const drift = BigInt(Math.ceil((Math.abs(serverPpm) * Number(abs(diff))) / 2e6));
    expect(abs(s.errorNs - diff / 2n)).toBeLessThanOrEqual(drift + ROUNDING_NS + slackNs);
  }
}

/**
 * The bound: |error| ≤ |A|/2 + J, A the base-delay asymmetry (up − down) and J
 * the bound of the extra delay per direction, plus the drift term and rounding.
 */
export function expectWithinAsymmetryBound(
  result: NtpExchangeResult,
  asymmetryNs: bigint,
  jitterBoundNs: bigint,
  serverPpm = 0,
  slackNs = 0n,
): void {
  expect(result.samples.length).toBeGreaterThan(0);
  const half = abs(asymmetryNs) / 2n + jitterBoundNs;
  const drift = BigInt(Math.ceil((Math.abs(serverPpm) * Number(half)) / 1e6));
  for (const s of result.samples) {
    expect(abs(s.errorNs)).toBeLessThanOrEqual(half + drift + ROUNDING_NS + slackNs);
    expect(s.errorNs).toBe(s.offsetNs - s.trueOffsetNs);
  }
}
