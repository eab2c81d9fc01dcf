/**
 * `system`, the system clock itself as a time source (issue 6 §5: the last member of a
 * fallback chain): URL forms, the sample it gives (offset 0, leap 3, the stated
 * uncertainty, the injected clock's instant), and a chain whose real NTP member (our own
 * server on loopback) goes away, falling back to it.
 */
import { ManualClock, NS_PER_MS, systemClock } from "@chronosync/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  createTimeSource,
  fallbackSource,
  NtpResponder,
  type NtpServerHandle,
  parseTimeSourceUrl,
  SYSTEM_DEFAULT_MAX_ERROR_NS,
  startNtpServer,
  TimeSourceUrlError,
} from "../src/index.js";

describe("system time source", () => {
  it.each([
    ["system", "system"],
    ["SYSTEM", "system"],
    ["system://", "system"],
    ["system:///", "system"],
    ["system?maxerror=16000", "system"],
    ["system?maxerror=250", "system?maxerror=250"],
    ["system://?maxerror=250", "system?maxerror=250"],
  ])("%s is %s", (input, url) => {
    const source = createTimeSource(input);
    expect(source.url).toBe(url);
    expect(source.protocol).toBe("system");
    // The canonical URL names the same source again.
    expect(createTimeSource(source.url).url).toBe(url);
  });

  it.each([
    ["system://host", /no host/],
    ["system://:123", /bad port|no host/],
    ["system:///path", /no host, port or path/],
    ["system?x=1", /unknown parameter/],
    ["system?maxerror=0", /maxerror/],
    ["system?maxerror=1.5", /maxerror/],
    ["system?maxerror=86400001", /maxerror/],
  ])("refuses %s", (input, message) => {
    expect(() => createTimeSource(input)).toThrow(TimeSourceUrlError);
    expect(() => createTimeSource(input)).toThrow(message);
  });

  it("local takes no parameters as a bare word; systemx is no bare word", () => {
    expect(() => parseTimeSourceUrl("local?x=1")).toThrow(TimeSourceUrlError);
    expect(() => parseTimeSourceUrl("systemx")).toThrow(TimeSourceUrlError);
    expect(parseTimeSourceUrl("system?maxerror=5")).toMatchObject({
      scheme: "system",
      host: "",
      params: new Map([["maxerror", "5"]]),
    });
  });

  it("a sample: offset 0 at the clock's instant, leap 3, the stated uncertainty, not authenticated", async () => {
    const clock = new ManualClock(1_700_000_000_123_456_789n);
    const source = createTimeSource("system?maxerror=250", { clock });
    const s = await source.measure();
    expect(s).toMatchObject({
      protocol: "system",
      source: "system?maxerror=250",
      address: null,
      offsetNs: 0n,
      delayNs: 0n,
      dispersionNs: 250n * NS_PER_MS,
      uncertaintyNs: 250n * NS_PER_MS,
      stratum: null,
      leap: 3,
      refId: "LOCL",
      authenticated: false,
      at: 1_700_000_000_123_456_789n,
    });
    clock.advance(5_000_000_000n);
    expect((await source.measure()).at).toBe(1_700_000_005_123_456_789n);
    const byDefault = await createTimeSource("system", { clock }).measure();
    expect(byDefault.uncertaintyNs).toBe(SYSTEM_DEFAULT_MAX_ERROR_NS);
    expect(SYSTEM_DEFAULT_MAX_ERROR_NS).toBe(16_000_000_000n);
    await source.close();
    await source.close();
    await expect(source.measure()).rejects.toThrow(/closed/);
  });

  describe("as the last member of a chain", () => {
    let server: NtpServerHandle | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it("NTP while our server answers, then the system clock once it is gone", async () => {
      const responder = new NtpResponder({
        clock: systemClock,
        reference: {
          leap: 0,
          stratum: 1,
          referenceId: asciiReferenceId("LOOP"),
          referenceTime: systemClock.now(),
          rootDelayNs: 0n,
          rootDispersionNs: 1_000n,
          precision: -20,
        },
        rateLimit: false,
      });
      server = await startNtpServer({ host: "127.0.0.1", port: 0, responder });
      const ntpUrl = `ntp://127.0.0.1:${server.address.port}`;
      const warnings: string[] = [];
      const chain = fallbackSource(
        [createTimeSource(ntpUrl, { timeoutMs: 500 }), createTimeSource("system")],
        {
          clock: systemClock,
          logger: { info() {}, warn: (m, f) => warnings.push(`${m} ${f?.from ?? ""}→${f?.to ?? ""}`) },
        },
      );
      const first = await chain.measure();
      expect(first.protocol).toBe("ntp");
      expect(first.leap).not.toBe(3);
      expect(chain.state()).toMatchObject({ currentUrl: ntpUrl, switches: 0 });
      await server.close();
      server = undefined;
      const second = await chain.measure();
      expect(second).toMatchObject({ protocol: "system", offsetNs: 0n, leap: 3 });
      expect(chain.state()).toMatchObject({ current: 1, currentUrl: "system", switches: 1 });
      expect(chain.state().members[0]!.failures).toBe(1);
      expect(warnings).toContain(`switched time source ${ntpUrl}→system`);
      await chain.close();
    });
  });
});
