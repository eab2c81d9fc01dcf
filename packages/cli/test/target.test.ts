import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { formatTarget, parseListen, parseQueryTarget, parseTarget, queryTargetUrl } from "../src/target.js";

describe("parseTarget", () => {
  it.each([
    ["ntp://time.example.com", "time.example.com", 123],
    ["ntp://127.0.0.1:11123", "127.0.0.1", 11123],
    ["NTP://localhost:1/", "localhost", 1],
    ["ntp://[::1]:123", "::1", 123],
    ["ntp://[::1]", "::1", 123],
    ["ntp://[fe80::1]:65535", "fe80::1", 65535],
    ["time.example.com", "time.example.com", 123],
    ["time.example.com.", "time.example.com.", 123],
    ["127.0.0.1:11123", "127.0.0.1", 11123],
    ["::1", "::1", 123],
    ["2001:db8::5", "2001:db8::5", 123],
    ["[::1]:11123", "::1", 11123],
    ["x.invalid", "x.invalid", 123],
  ])("%s → %s port %d", (input, host, port) => {
    expect(parseTarget(input)).toEqual({ protocol: "ntp", host, port });
  });

  it.each([
    ["ptp://host", /unsupported scheme "ptp:"/],
    ["http://example.com", /unsupported scheme "http:"/],
    ["ntp://", /missing host/],
    ["ntp://:123", /missing host/],
    ["ntp:/host", /malformed target/],
    ["ntp://host:0", /invalid port "0"/],
    ["ntp://host:65536", /invalid port "65536"/],
    ["ntp://host:abc", /invalid port "abc"/],
    ["ntp://host:", /invalid port ""/],
    ["ntp://host:-1", /invalid port "-1"/],
    ["ntp://host:1e3", /invalid port "1e3"/],
    ["host:0", /invalid port "0"/],
    ["ntp://[::1", /missing "]"/],
    ["ntp://[nothex]:123", /invalid IPv6 address/],
    ["ntp://[::1]x", /unexpected "x"/],
    ["ntp://::1:123", /write IPv6 addresses as \[addr\]:port/],
    ["ntp://host/path", /unexpected path/],
    ["ntp://user@host", /user info/],
    ["ntp://bad host", /invalid host "bad host"/],
    ["ntp://bad_-.", /invalid host/],
    ["", /missing target/],
  ])("refuses %j", (input, message) => {
    expect(() => parseTarget(input)).toThrow(UsageError);
    expect(() => parseTarget(input)).toThrow(message);
  });

  it("formats back to a canonical target that parses to the same thing", () => {
    for (const input of ["ntp://[::1]:123", "::1", "localhost", "10.0.0.1:5"]) {
      const target = parseTarget(input);
      expect(parseTarget(formatTarget(target))).toEqual(target);
    }
    expect(formatTarget(parseTarget("::1"))).toBe("ntp://[::1]:123");
  });

  it("either parses or throws a UsageError, for any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (input) => {
        try {
          const t = parseTarget(input);
          expect(t.port).toBeGreaterThanOrEqual(1);
          expect(t.port).toBeLessThanOrEqual(65535);
          expect(t.host).not.toBe("");
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
          expect((err as Error).message).not.toContain("\n");
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseListen", () => {
  it("accepts HOST:PORT, [v6]:PORT and port 0", () => {
    expect(parseListen("127.0.0.1:11123")).toEqual({ host: "127.0.0.1", port: 11123 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen("localhost:123")).toEqual({ host: "localhost", port: 123 });
  });

  it.each([
    ["127.0.0.1", /missing port/],
    ["127.0.0.1:65536", /invalid port/],
    ["::1:123", /\[addr\]:port/],
    [":123", /missing host/],
  ])("refuses %j", (input, message) => {
    expect(() => parseListen(input)).toThrow(message);
  });
});

describe("parseQueryTarget (issue 6: every scheme, bare host = auto)", () => {
  it.each([
    ["ntp://127.0.0.1:11123", { protocol: "ntp", host: "127.0.0.1", port: 11123 }],
    ["127.0.0.1:11123", { protocol: "ntp", host: "127.0.0.1", port: 11123 }],
    ["[::1]:123", { protocol: "ntp", host: "::1", port: 123 }],
    ["time.example.com", { protocol: "auto", url: "auto://time.example.com", host: "time.example.com" }],
    ["::1", { protocol: "auto", url: "auto://[::1]", host: "::1" }],
    ["[::1]", { protocol: "auto", url: "auto://[::1]", host: "::1" }],
    ["local", { protocol: "local", url: "local", host: "" }],
    ["LOCAL", { protocol: "local", url: "local", host: "" }],
    ["local://127.0.0.1:323", { protocol: "local", url: "local://127.0.0.1:323", host: "127.0.0.1" }],
    ["nts://time.example.com", { protocol: "nts", url: "nts://time.example.com", host: "time.example.com" }],
    ["https://example.com/x", { protocol: "https", url: "https://example.com/x", host: "example.com" }],
    ["ptp://eth0", { protocol: "ptp", url: "ptp://eth0", host: "eth0" }],
    ["roughtime://h:2002?key=abc", { protocol: "roughtime", url: "roughtime://h:2002?key=abc", host: "h" }],
    ["auto://h?ntp=1", { protocol: "auto", url: "auto://h?ntp=1", host: "h" }],
  ])("%s", (input, expected) => {
    expect(parseQueryTarget(input)).toEqual(expected);
  });

  it.each([
    ["gopher://h", /unsupported scheme "gopher:"/],
    ["nts://", /missing host/],
    ["nts://h:0", /bad port/],
    ["host:0", /invalid port "0"/],
    ["", /missing target/],
  ])("refuses %j", (input, message) => {
    expect(() => parseQueryTarget(input)).toThrow(UsageError);
    expect(() => parseQueryTarget(input)).toThrow(message);
  });

  it("gives the URL the time source registry opens", () => {
    expect(queryTargetUrl(parseQueryTarget("127.0.0.1:5"))).toBe("ntp://127.0.0.1:5");
    expect(queryTargetUrl(parseQueryTarget("example.com"))).toBe("auto://example.com");
  });

  it("either parses or throws a UsageError, for any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (input) => {
        try {
          parseQueryTarget(input);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
          expect((err as Error).message).not.toContain("\n");
        }
      }),
      { numRuns: 2000 },
    );
  });
});
