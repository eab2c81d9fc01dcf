/**
 * A clock may stall inside now(): core's SystemClock busy-waits for a Date.now() tick
 * edge when it (re-)anchors. Timestamps derived from kernel ages (native T1, T2, T4) or
 * read first thing on receipt (dgram T2, T4) must not absorb that stall: a 5 ms stall
 * once made the first exchange of a fresh `chronosync query` look like a negative delay.
 */
import { type Clock, getSystemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  NtpResponder,
  type NtpServerHandle,
  queryNtp,
  startNtpServer,
} from "../src/index.js";
import { clockNowAtCall } from "../src/ntp/udp-socket.js";

/** Real time, but every `period`-th read first spins for `stallMs`. */
class StallingClock implements Clock {
  readonly precisionLog2 = -23;
  reads = 0;
  constructor(
    private readonly stallMs: number,
    private readonly period: number,
  ) {}
  now(): bigint {
    if (this.reads++ % this.period === 0) {
      const until = performance.now() + this.stallMs;
      while (performance.now() < until) {
        // a re-anchor's busy-wait
      }
    }
    return getSystemClock().now();
  }
}

describe("clockNowAtCall", () => {
  it("takes a stall inside now() back out", () => {
    // A 20 ms stall on the first read; 5 ms of tolerance either way for a preempted test.
    const clock = new StallingClock(20, 2);
    const before = getSystemClock().now();
    const at = clockNowAtCall(clock);
    expect(Math.abs(Number(at - before))).toBeLessThan(5_000_000);
  });
});

for (const native of [true, false]) {
  describe(`exchanges with a stalling clock (${native ? "native" : "dgram"} transports)`, () => {
    let server: NtpServerHandle;
    beforeAll(async () => {
      const clock = new StallingClock(5, 3);
      const responder = new NtpResponder({
        clock,
        reference: {
          leap: 0,
          stratum: 1,
          referenceId: asciiReferenceId("LOCL"),
          referenceTime: getSystemClock().now(),
          rootDelayNs: 0n,
          rootDispersionNs: 0n,
          precision: -23,
        },
        rateLimit: false,
      });
      server = await startNtpServer({ host: "127.0.0.1", port: 0, responder, native });
    });
    afterAll(() => server.close());

    it("keeps every sample, with a sane delay and |offset| < 1 ms", async () => {
      const result = await queryNtp(
        { host: "127.0.0.1", port: server.address.port },
        { samples: 6, intervalMs: 0, timeoutMs: 2000, clock: new StallingClock(5, 2), native },
      );
      // No sample lost to a negative delay; the best one measures the shared clock.
      // (Single dgram samples can be off by ms when a loaded test machine preempts us.)
      expect(result.samples).toHaveLength(6);
      for (const s of result.samples) expect(s.delayNs > 0n).toBe(true);
      expect(Math.abs(Number(result.best.offsetNs))).toBeLessThan(1_000_000);
    });
  });
}
