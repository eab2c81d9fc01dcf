/**
 * queryNtp's typed failures on loopback: timeout, refused, name not resolved, bad
 * arguments. queryNtp against startNtpServer over both transports, kiss-o'-death
 * included, is in the server contract (helpers/ntp-server-contract.ts).
 */
import { ManualClock } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { NameNotResolvedError, NtpRefusedError, NtpTimeoutError, queryNtp } from "../src/index.js";
import { freeUdpPort, silentListener } from "./helpers/udp.js";

describe("queryNtp failures", () => {
  it("times out against a silent port: NtpTimeoutError", async () => {
    const silent = await silentListener();
    try {
      const started = performance.now();
      const err = await queryNtp(
        { host: "127.0.0.1", port: silent.port },
        { samples: 2, intervalMs: 10, timeoutMs: 150 },
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NtpTimeoutError);
      expect(err).toMatchObject({ code: "NTP_TIMEOUT" });
      expect(silent.received()).toBe(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      silent.socket.close();
    }
  });

  it("is refused by a closed port: NtpRefusedError", async () => {
    const port = await freeUdpPort();
    const err = await queryNtp({ host: "127.0.0.1", port }, { samples: 3, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NtpRefusedError);
    expect(err).toMatchObject({ code: "NTP_REFUSED" });
  });

  it("is refused by a closed IPv6 port too", async () => {
    const port = await freeUdpPort("udp6");
    const err = await queryNtp({ host: "::1", port }, { samples: 1, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NtpRefusedError);
  });

  it("does not resolve nonexistent.invalid: NameNotResolvedError", async () => {
    const err = await queryNtp({ host: "nonexistent.invalid", port: 123 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameNotResolvedError);
    expect(err).toMatchObject({ code: "NAME_NOT_RESOLVED", host: "nonexistent.invalid" });
  });

  it("validates its arguments", async () => {
    const clock = new ManualClock();
    await expect(queryNtp({ host: "127.0.0.1", port: 0 }, { clock })).rejects.toThrow(/port/);
    await expect(queryNtp({ host: "127.0.0.1", port: 123 }, { samples: 0 })).rejects.toThrow(/samples/);
    await expect(queryNtp({ host: "127.0.0.1", port: 123 }, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});
