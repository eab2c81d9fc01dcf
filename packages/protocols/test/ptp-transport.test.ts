/**
 * queryPtp's failure modes without a network namespace: an unknown interface, and no
 * master within the timeout (on loopback, with unprivileged ports).
 */
import { describe, expect, it } from "vitest";
import { PtpInterfaceNotFoundError, PtpTimeoutError, ptpEndpointAddress, queryPtp } from "../src/index.js";

describe("queryPtp failures", () => {
  it("names a missing interface with a typed error", async () => {
    await expect(queryPtp({ interface: "cs-no-such-if0", timeoutMs: 100 })).rejects.toBeInstanceOf(
      PtpInterfaceNotFoundError,
    );
    expect(ptpEndpointAddress({ interface: "lo" })).toBe("127.0.0.1");
    expect(() => ptpEndpointAddress({})).toThrow(TypeError);
  });

  it("times out with PTP_TIMEOUT when no master announces", async () => {
    const started = Date.now();
    const err = await queryPtp({
      address: "127.0.0.1",
      eventPort: 41319,
      generalPort: 41320,
      timeoutMs: 600,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PtpTimeoutError);
    expect((err as PtpTimeoutError).code).toBe("PTP_TIMEOUT");
    expect((err as Error).message).toContain("LISTENING");
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });
});
