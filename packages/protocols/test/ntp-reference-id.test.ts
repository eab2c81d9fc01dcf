import { describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  formatReferenceId,
  ipv4ReferenceId,
  kissActionOf,
  kissCodeOf,
  NTP_KISS_CODES,
  referenceIdAscii,
} from "../src/index.js";

describe("reference ids (RFC 5905 §7.3)", () => {
  it.each([
    [1, "GPS", 0x47505300],
    [1, "LOCL", 0x4c4f434c],
    [1, "PPS", 0x50505300],
    [0, "RATE", 0x52415445],
  ])("stratum %i %s ↔ %s", (stratum, text, id) => {
    expect(asciiReferenceId(text)).toBe(id);
    expect(formatReferenceId(stratum, id)).toBe(text);
  });

  it("formats stratum ≥ 2 and unprintable stratum-1 ids as dotted quads", () => {
    expect(formatReferenceId(2, ipv4ReferenceId("192.0.2.1"))).toBe("192.0.2.1");
    expect(formatReferenceId(3, 0x47505300)).toBe("71.80.83.0");
    expect(formatReferenceId(1, 0x7f7f0101)).toBe("127.127.1.1"); // chronyd's local refid
    expect(formatReferenceId(1, 0)).toBe("0.0.0.0");
    expect(formatReferenceId(0, 0x41004200)).toBe("65.0.66.0"); // NUL inside
  });

  it("reads ASCII only when printable and left-aligned", () => {
    expect(referenceIdAscii(0x41424344)).toBe("ABCD");
    expect(referenceIdAscii(0x41000000)).toBe("A");
    expect(referenceIdAscii(0x00414243)).toBeNull();
    expect(referenceIdAscii(0x41424309)).toBeNull();
    expect(referenceIdAscii(0xffffffff)).toBeNull();
  });

  it("refuses what cannot be a reference id", () => {
    expect(() => asciiReferenceId("")).toThrow();
    expect(() => asciiReferenceId("TOOLONG")).toThrow();
    expect(() => asciiReferenceId("é")).toThrow();
    expect(() => ipv4ReferenceId("256.0.0.1")).toThrow();
    expect(() => ipv4ReferenceId("1.2.3")).toThrow();
  });
});

describe("kiss codes (RFC 5905 §7.4, Figure 13)", () => {
  it("lists the RFC 5905 codes", () => {
    expect(Object.keys(NTP_KISS_CODES).sort()).toEqual(
      [
        "ACST",
        "AUTH",
        "AUTO",
        "BCST",
        "CRYP",
        "DENY",
        "DROP",
        "RSTR",
        "INIT",
        "MCST",
        "NKEY",
        "NTSN",
        "RATE",
        "RMOT",
        "STEP",
      ].sort(),
    );
  });

  it("takes a code only from stratum 0 with a printable id", () => {
    expect(kissCodeOf({ stratum: 0, referenceId: asciiReferenceId("RATE") })).toBe("RATE");
    expect(kissCodeOf({ stratum: 1, referenceId: asciiReferenceId("RATE") })).toBeNull();
    expect(kissCodeOf({ stratum: 0, referenceId: 0 })).toBeNull();
    expect(kissCodeOf({ stratum: 0, referenceId: asciiReferenceId("XYZ") })).toBe("XYZ");
  });

  it("maps codes to actions", () => {
    expect(["RATE", "DENY", "RSTR", "INIT", "XYZ"].map(kissActionOf)).toEqual([
      "backoff",
      "stop",
      "stop",
      "ignore",
      "ignore",
    ]);
  });
});
