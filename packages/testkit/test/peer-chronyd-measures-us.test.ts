/**
 * Acceptance (b): chronyd (`-Q`, one-shot, clock untouched) measures our server —
 * `startNtpServer` with an `NtpResponder` on core's system clock — and finds it within
 * 1 ms of its own system clock (the same clock, so the truth is 0).
 */
import type { NtpServerHandle } from "@chronosync/protocols";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chronydOneShot, ensurePeerPrograms, startSystemNtpServer } from "../src/index.js";

let server: NtpServerHandle | null = null;

beforeAll(() => ensurePeerPrograms());
afterAll(async () => {
  await server?.close();
});

it("chronyd -Q measures our NTP server within 1 ms", { timeout: 60_000 }, async () => {
  server = await startSystemNtpServer({ host: "127.0.0.1", port: 0 });
  const { offsetSeconds } = await chronydOneShot({
    host: "127.0.0.1",
    port: server.address.port,
    timeoutS: 20,
  });
  console.log(`chronyd -Q against our server: ${(offsetSeconds * 1000).toFixed(3)} ms`, server.stats);
  expect(Math.abs(offsetSeconds)).toBeLessThan(0.001);
  expect(server.stats.answered).toBeGreaterThanOrEqual(1);
});
