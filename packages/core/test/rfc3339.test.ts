import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatRfc3339,
  InvalidArgumentError,
  NS_PER_S,
  parseRfc3339,
  RFC3339_MAX_INSTANT,
  RFC3339_MIN_INSTANT,
  Rfc3339Error,
  type Rfc3339FractionDigits,
  TimestampRangeError,
} from "../src/index.js";
import invalid from "./vectors/rfc3339-invalid.json" with { type: "json" };
import valid from "./vectors/rfc3339-valid.json" with { type: "json" };

const floorTo = (instant: bigint, unit: bigint) => {
  const r = ((instant % unit) + unit) % unit;
  return instant - r;
};
const anyInstant = fc.bigInt({ min: RFC3339_MIN_INSTANT, max: RFC3339_MAX_INSTANT });
const anyDigits = fc.constantFrom<Rfc3339FractionDigits>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, "auto");

function reasonOf(input: string): string {
  try {
    parseRfc3339(input);
  } catch (err) {
    expect(err).toBeInstanceOf(Rfc3339Error);
    expect((err as Rfc3339Error).code).toBe("RFC3339_INVALID");
    return (err as Rfc3339Error).reason;
  }
  throw new Error(`accepted ${input}`);
}

describe("parseRfc3339 golden vectors", () => {
  it.each(valid)("$title: $input", ({ input, instant }) => {
    expect(parseRfc3339(input)).toBe(BigInt(instant));
  });

  it.each(invalid)("rejects $title: $input", ({ input, reason }) => {
    expect(reasonOf(input)).toContain(reason);
  });

  it("rejects non-strings with Rfc3339Error", () => {
    expect(() => parseRfc3339(42 as unknown as string)).toThrow(Rfc3339Error);
  });
});

describe("formatRfc3339", () => {
  it("golden cases", () => {
    expect(formatRfc3339(0n)).toBe("1970-01-01T00:00:00.000000000Z");
    expect(formatRfc3339(1_000_000_000_123_456_789n, 6)).toBe("2001-09-09T01:46:40.123456Z");
    expect(formatRfc3339(1_000_000_000_123_456_789n, 0)).toBe("2001-09-09T01:46:40Z");
    expect(formatRfc3339(1_000_000_000_120_000_000n, "auto")).toBe("2001-09-09T01:46:40.12Z");
    expect(formatRfc3339(1_000_000_000_000_000_000n, "auto")).toBe("2001-09-09T01:46:40Z");
    expect(formatRfc3339(RFC3339_MIN_INSTANT, 0)).toBe("0000-01-01T00:00:00Z");
    expect(formatRfc3339(RFC3339_MAX_INSTANT)).toBe("9999-12-31T23:59:59.999999999Z");
    expect(formatRfc3339(-62_135_596_800n * NS_PER_S, 0)).toBe("0001-01-01T00:00:00Z");
  });

  it("truncates toward the past, also before 1970", () => {
    expect(formatRfc3339(-1n)).toBe("1969-12-31T23:59:59.999999999Z");
    expect(formatRfc3339(-1n, 0)).toBe("1969-12-31T23:59:59Z");
    expect(formatRfc3339(-1n, 3)).toBe("1969-12-31T23:59:59.999Z");
    expect(formatRfc3339(1_999_999_999n, 0)).toBe("1970-01-01T00:00:01Z");
    expect(formatRfc3339(86_399_999_999_999n, 8)).toBe("1970-01-01T23:59:59.99999999Z");
  });

  it("rejects instants outside 0000–9999 and bad digit counts", () => {
    expect(() => formatRfc3339(RFC3339_MIN_INSTANT - 1n)).toThrow(TimestampRangeError);
    expect(() => formatRfc3339(RFC3339_MAX_INSTANT + 1n)).toThrow(TimestampRangeError);
    expect(() => formatRfc3339(0n, 10 as Rfc3339FractionDigits)).toThrow(InvalidArgumentError);
    expect(() => formatRfc3339(0n, 1.5 as Rfc3339FractionDigits)).toThrow(InvalidArgumentError);
  });

  it("agrees with Date#toISOString at millisecond precision", () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const ms = Number(floorTo(instant, 1_000_000n) / 1_000_000n);
        expect(formatRfc3339(instant, 3)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });
});

describe("round trips", () => {
  it("parse(format(i, d)) is i truncated toward the past to d digits", () => {
    fc.assert(
      fc.property(anyInstant, anyDigits, (instant, digits) => {
        const unit = digits === "auto" ? 1n : 10n ** BigInt(9 - digits);
        expect(parseRfc3339(formatRfc3339(instant, digits))).toBe(floorTo(instant, unit));
      }),
      { numRuns: 3000 },
    );
  });

  it("format(parse(s)) is s for canonical strings", () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const text = formatRfc3339(instant);
        expect(formatRfc3339(parseRfc3339(text))).toBe(text);
      }),
    );
  });

  it("a local time with an offset names the same instant as its UTC form", () => {
    const inner = fc.bigInt({
      min: RFC3339_MIN_INSTANT + 86_400n * NS_PER_S,
      max: RFC3339_MAX_INSTANT - 86_400n * NS_PER_S,
    });
    fc.assert(
      fc.property(
        inner,
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        (instant, offsetMinutes) => {
          const local = formatRfc3339(instant + BigInt(offsetMinutes) * 60n * NS_PER_S).slice(0, -1);
          const abs = Math.abs(offsetMinutes);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
          expect(parseRfc3339(local + offset)).toBe(instant);
        },
      ),
    );
  });
});

describe("leap seconds", () => {
  const before = parseRfc3339("2016-12-31T23:59:59.999999999Z");
  const after = parseRfc3339("2017-01-01T00:00:00Z");

  it("23:59:60.xxx maps to the last nanosecond of the day, preserving order", () => {
    for (const fraction of ["", ".0", ".5", ".999999999"]) {
      expect(parseRfc3339(`2016-12-31T23:59:60${fraction}Z`)).toBe(before);
    }
    expect(after - before).toBe(1n);
    expect(parseRfc3339("2016-12-31T23:59:59Z") < before).toBe(true);
    expect(formatRfc3339(parseRfc3339("2016-12-31T23:59:60Z"))).toBe("2016-12-31T23:59:59.999999999Z");
  });

  it("accepted at the end of any month, in any offset that makes it 23:59:60 UTC", () => {
    expect(parseRfc3339("2015-06-30T23:59:60Z")).toBe(parseRfc3339("2015-06-30T23:59:59.999999999Z"));
    expect(parseRfc3339("2016-12-31T18:29:60-05:30")).toBe(before);
    expect(parseRfc3339("2017-01-01T05:29:60+05:30")).toBe(before);
    expect(reasonOf("2016-12-31T23:58:60Z")).toContain("leap second");
    expect(reasonOf("2016-12-31T23:59:60-00:01")).toContain("leap second");
  });
});

describe("arbitrary text", () => {
  it("parses or throws Rfc3339Error, nothing else", () => {
    const mutated = fc
      .tuple(anyInstant, fc.nat(40), fc.string({ maxLength: 3 }))
      .map(([instant, at, insert]) => {
        const s = formatRfc3339(instant);
        return s.slice(0, at) + insert + s.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (text) => {
        try {
          expect(typeof parseRfc3339(text)).toBe("bigint");
        } catch (err) {
          expect(err).toBeInstanceOf(Rfc3339Error);
          expect((err as Rfc3339Error).reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
