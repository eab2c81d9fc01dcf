import { describe, expect, it } from "vitest";
import { parseCommandArgs, parseIntegerOption } from "../src/args.js";
import { parseQueryArgs, QUERY_DEFAULTS } from "../src/commands/query.js";
import { parseReferenceId, parseServeArgs } from "../src/commands/serve.js";
import { UsageError } from "../src/errors.js";

describe("parseIntegerOption", () => {
  const range = { min: 1, max: 64 };
  it("reads decimal integers in range, or the fallback", () => {
    expect(parseIntegerOption("samples", "8", range, 4)).toBe(8);
    expect(parseIntegerOption("samples", undefined, range, 4)).toBe(4);
  });
  it.each(["0", "65", "-1", "1.5", "1e1", "0x10", "", "abc", " ", "99999999999"])("refuses %j", (text) => {
    expect(() => parseIntegerOption("samples", text, range, 4)).toThrow(
      /invalid --samples .*expected an integer 1–64/,
    );
  });
});

describe("parseCommandArgs", () => {
  const options = { samples: { type: "string" as const }, json: { type: "boolean" as const } };
  it.each([
    [["--bogus"], /unknown option "--bogus" for query/],
    [["-x"], /unknown option "-x" for query/],
    [["--samples"], /option --samples needs a value/],
    [["--samples", "-1"], /option --samples needs a value/],
    [["--json=yes"], /option --json takes no value/],
  ])("turns %j into one line", (args, message) => {
    try {
      parseCommandArgs("query", args, options);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain("\n");
    }
  });
});

describe("parseQueryArgs", () => {
  it("applies the defaults", () => {
    expect(parseQueryArgs(["ntp://127.0.0.1:11123"])).toEqual({
      target: { protocol: "ntp", host: "127.0.0.1", port: 11123 },
      samples: QUERY_DEFAULTS.samples,
      intervalMs: QUERY_DEFAULTS.intervalMs,
      timeoutMs: QUERY_DEFAULTS.timeoutMs,
      json: false,
    });
  });
  it("reads every option, in any order", () => {
    // A bare host (no port) means automatic detection since issue 6; host:port stays NTP.
    expect(parseQueryArgs(["--json", "--samples=2", "::1", "--interval", "0", "--timeout", "50"])).toEqual({
      target: { protocol: "auto", url: "auto://[::1]", host: "::1" },
      samples: 2,
      intervalMs: 0,
      timeoutMs: 50,
      json: true,
    });
  });
  it("returns null for --help, even without a target", () => {
    expect(parseQueryArgs(["--help"])).toBeNull();
    expect(parseQueryArgs(["-h", "x"])).toBeNull();
  });
  it.each([
    [[], /needs a target/],
    [["a", "b"], /one target/],
    [["a", "--samples", "0"], /invalid --samples "0"/],
    [["a", "--timeout", "0"], /invalid --timeout "0"/],
    [["a", "--interval", "x"], /invalid --interval "x"/],
  ])("refuses %j", (args, message) => {
    expect(() => parseQueryArgs(args)).toThrow(message);
  });
});

describe("parseServeArgs", () => {
  it("defaults like chrony's local directive", () => {
    expect(parseServeArgs(["ntp"])).toEqual({
      listen: { host: "127.0.0.1", port: 11123 },
      stratum: 10,
      referenceId: 0x7f7f0101,
      rateLimit: true,
      transport: "auto",
      workers: 1,
    });
  });
  it("reads every option", () => {
    expect(
      parseServeArgs(["ntp", "--listen", "[::1]:0", "--stratum", "1", "--no-rate-limit", "--workers", "2"]),
    ).toEqual({
      listen: { host: "::1", port: 0 },
      stratum: 1,
      referenceId: 0x4c4f434c,
      rateLimit: false,
      transport: "auto",
      workers: 2,
    });
    expect(parseServeArgs(["ntp", "--refid", "GPS"])?.referenceId).toBe(0x47505300);
  });
  it.each([
    [[], /needs a protocol/],
    [["ptp"], /unsupported protocol "ptp"/],
    [["ntp", "extra"], /unexpected argument "extra"/],
    [["ntp", "--stratum", "16"], /invalid --stratum "16"/],
    [["ntp", "--stratum", "0"], /invalid --stratum "0"/],
    [["ntp", "--refid", "TOOLONG"], /invalid --refid/],
    [["ntp", "--listen", "127.0.0.1"], /missing port/],
    [["ntp", "--workers", "0"], /invalid --workers "0"/],
    [["ntp", "--transport", "quic"], /invalid --transport "quic"/],
    [["ntp", "--transport", "native", "--workers", "2"], /cannot be used with --transport native/],
  ])("refuses %j", (args, message) => {
    expect(() => parseServeArgs(args)).toThrow(message);
  });
  it("encodes reference IDs", () => {
    expect(parseReferenceId("127.127.1.1")).toBe(0x7f7f0101);
    expect(parseReferenceId("LOCL")).toBe(0x4c4f434c);
    expect(parseReferenceId("X")).toBe(0x58000000);
  });
});
