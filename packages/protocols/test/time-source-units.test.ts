/**
 * Unit tests of the pieces around the adapters: URL parsing, the registry (custom
 * adapters, typed errors), each built-in factory's URL checks, and fallback chains on a
 * ManualClock with scripted member sources (mocks are fine here: the chain is the unit).
 */
import { InvalidArgumentError, ManualClock, NetworkFailureError } from "@chronosync/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createDefaultTimeSourceRegistry,
  createTimeSource,
  fallbackSource,
  parseTimeSourceUrl,
  registerTimeSource,
  type TimeSample,
  type TimeSource,
  TimeSourceRegistry,
  TimeSourceUnavailableError,
  TimeSourceUnknownSchemeError,
  TimeSourceUrlError,
} from "../src/index.js";

describe("parseTimeSourceUrl", () => {
  it.each([
    ["ntp://time.example.com", { scheme: "ntp", host: "time.example.com", port: null, path: "" }],
    ["NTS://[::1]:4460/", { scheme: "nts", host: "::1", port: 4460, path: "/" }],
    ["local", { scheme: "local", host: "", port: null, path: "" }],
    [
      "local:///run/chrony/chronyd.sock",
      { scheme: "local", host: "", port: null, path: "/run/chrony/chronyd.sock" },
    ],
    [
      "https://example.com:8443/time?x=1",
      { scheme: "https", host: "example.com", port: 8443, path: "/time" },
    ],
  ])("%s", (input, expected) => {
    expect(parseTimeSourceUrl(input)).toMatchObject(expected);
  });

  it("keeps + and / in base64 parameters", () => {
    const key = "AbC+/dEf0123456789abcdefghijklmnopqrstuvwxy=";
    expect(parseTimeSourceUrl(`roughtime://h:2002?key=${key}`).params.get("key")).toBe(key);
    expect(parseTimeSourceUrl("roughtime://h?key=a%2Bb").params.get("key")).toBe("a+b");
  });

  it.each([
    ["time.example.com", /expected scheme/],
    ["ntp://h:0", /bad port "0"/],
    ["ntp://h:70000", /bad port/],
    ["ntp://::1:123", /\[addr\]:port/],
    ["ntp://[::1", /missing "\]"/],
    ["ntp://u@h", /user info/],
    ["ntp://bad host", /bad host/],
    ["ntp://h?a=1&a=2", /repeated/],
    ["ntp://h?a=%zz", /percent-encoding/],
  ])("refuses %s", (input, message) => {
    expect(() => parseTimeSourceUrl(input)).toThrow(TimeSourceUrlError);
    expect(() => parseTimeSourceUrl(input)).toThrow(message);
  });

  it("either parses or throws TimeSourceUrlError, for any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        for (const input of [s, `ntp://${s}`]) {
          try {
            const u = parseTimeSourceUrl(input);
            if (u.port !== null) expect(u.port >= 1 && u.port <= 65535).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(TimeSourceUrlError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("registry and factories", () => {
  it("has every built-in scheme and refuses unknown ones with a typed error", () => {
    const registry = createDefaultTimeSourceRegistry();
    expect(registry.schemes()).toEqual([
      "auto",
      "chronosync",
      "chronosync+http",
      "http",
      "https",
      "local",
      "ntp",
      "nts",
      "ptp",
      "roughtime",
      "system",
    ]);
    const err = (() => {
      try {
        registry.create("gopher://x");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TimeSourceUnknownSchemeError);
    expect(err).toMatchObject({ code: "TIME_SOURCE_UNKNOWN_SCHEME", scheme: "gopher" });
  });

  it("canonicalizes URLs with default ports", () => {
    expect(createTimeSource("ntp://time.example.com").url).toBe("ntp://time.example.com:123");
    expect(createTimeSource("nts://[::1]").url).toBe("nts://[::1]:4460");
    expect(createTimeSource("local").url).toBe("local");
    expect(createTimeSource("local://127.0.0.1").url).toBe("local://127.0.0.1:323");
    expect(createTimeSource("http://example.com").url).toBe("http://example.com/");
    expect(createTimeSource("ptp://eth0").protocol).toBe("ptp");
    const key = Buffer.alloc(32, 1).toString("base64");
    expect(createTimeSource(`roughtime://h?key=${key}`).url).toBe(`roughtime://h:2002?key=${key}`);
  });

  it.each([
    ["ntp://", /missing host/],
    ["ntp://h/path", /unexpected path/],
    ["ntp://h?x=1", /unknown parameter/],
    ["roughtime://h", /needs the server's public key/],
    ["roughtime://h?key=AAAA", /base64 Ed25519/],
    ["ptp://eth0:319", /ptp:\/\/<interface-or-address>/],
    ["ptp://eth0?domain=300", /domain/],
  ])("refuses %s", (url, message) => {
    expect(() => createTimeSource(url)).toThrow(TimeSourceUrlError);
    expect(() => createTimeSource(url)).toThrow(message);
  });

  it("accepts custom adapters, on its own registry and on the default one", async () => {
    const registry = new TimeSourceRegistry();
    registry.register("fixed", (url) => fixed(url.input, 42n));
    expect((await registry.create("fixed://x").measure()).offsetNs).toBe(42n);
    expect(() => registry.register("Bad Scheme", () => fixed("x", 0n))).toThrow(InvalidArgumentError);
    registerTimeSource("fixed-test", (url) => fixed(url.input, 7n));
    expect((await createTimeSource("fixed-test://y").measure()).offsetNs).toBe(7n);
  });
});

function sample(source: string, offsetNs: bigint): TimeSample {
  return {
    protocol: "test",
    source,
    address: null,
    offsetNs,
    delayNs: 0n,
    dispersionNs: 0n,
    uncertaintyNs: 0n,
    stratum: null,
    leap: null,
    referenceId: null,
    refId: null,
    rootDelayNs: null,
    rootDispersionNs: null,
    authenticated: false,
    at: 0n,
  };
}

function fixed(url: string, offsetNs: bigint): TimeSource {
  return { url, protocol: "test", measure: async () => sample(url, offsetNs), close: async () => {} };
}

/** A member that works while `up` says so, counting calls. */
function scripted(url: string, offsetNs: bigint) {
  const m = {
    up: true,
    calls: 0,
    closed: false,
    url,
    protocol: "test",
    async measure() {
      m.calls++;
      if (!m.up) throw new NetworkFailureError(`${url} down`);
      return sample(url, offsetNs);
    },
    async close() {
      m.closed = true;
    },
  };
  return m;
}

describe("fallbackSource", () => {
  it("uses the first that works, switches on failure with a log line, retries the preferred later", async () => {
    const clock = new ManualClock(0n);
    const lines: [string, string, Record<string, unknown> | undefined][] = [];
    const logger = {
      info: (m: string, f?: Record<string, unknown>) => lines.push(["info", m, f]),
      warn: (m: string, f?: Record<string, unknown>) => lines.push(["warn", m, f]),
    };
    const [a, b, c] = [scripted("nts://a", 1n), scripted("ntp://b", 2n), scripted("https://c/", 3n)];
    const chain = fallbackSource([a, b, c], { clock, logger, retryPreferredAfterMs: 60_000 });
    expect((await chain.measure()).offsetNs).toBe(1n);
    expect(chain.state()).toMatchObject({ current: 0, currentUrl: "nts://a", switches: 0 });

    a.up = false;
    b.up = false;
    expect((await chain.measure()).offsetNs).toBe(3n);
    expect(chain.state()).toMatchObject({ current: 2, switches: 1 });
    expect(chain.state().members.map((m) => m.failures)).toEqual([1, 1, 0]);
    expect(chain.state().members[0]?.lastError?.code).toBe("NETWORK_FAILURE");
    expect(lines.filter(([, m]) => m === "switched time source")).toEqual([
      ["warn", "switched time source", { from: "nts://a", to: "https://c/" }],
    ]);

    // Stays on c (no retry of a, no call to b) until the retry period has passed.
    a.up = true;
    const calls = a.calls;
    clock.advance(59_000n * 1_000_000n);
    expect((await chain.measure()).offsetNs).toBe(3n);
    expect(a.calls).toBe(calls);
    clock.advance(1_000n * 1_000_000n);
    expect((await chain.measure()).offsetNs).toBe(1n);
    expect(chain.state()).toMatchObject({ current: 0, switches: 2 });
    expect(lines.some(([, m]) => m === "retrying the preferred time source")).toBe(true);
  });

  it("a failed retry of the preferred waits another full period", async () => {
    const clock = new ManualClock(0n);
    const [a, b] = [scripted("a://", 1n), scripted("b://", 2n)];
    const chain = fallbackSource([a, b], { clock, retryPreferredAfterMs: 1000 });
    a.up = false;
    await chain.measure();
    clock.advance(1_000_000_000n);
    await chain.measure(); // retries a, fails, back to b
    const calls = a.calls;
    clock.advance(500_000_000n);
    await chain.measure();
    expect(a.calls).toBe(calls);
    expect(chain.state().current).toBe(1);
  });

  it("rejects with every cause when all fail, and closes all members", async () => {
    const [a, b] = [scripted("a://", 1n), scripted("b://", 2n)];
    a.up = false;
    b.up = false;
    const chain = fallbackSource([a, b]);
    const err = await chain.measure().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeSourceUnavailableError);
    expect((err as TimeSourceUnavailableError).causes).toHaveLength(2);
    await chain.close();
    expect(a.closed && b.closed).toBe(true);
    expect(() => fallbackSource([])).toThrow(InvalidArgumentError);
  });
});
