import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CANONICAL_JSON_MAX_DEPTH, CanonicalJsonError, canonicalJson } from "../src/index.js";
import documents from "./vectors/rfc8785-documents.json" with { type: "json" };
import numbers from "./vectors/rfc8785-numbers.json" with { type: "json" };

function fromIeee754(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("canonicalJson: RFC 8785 golden vectors", () => {
  for (const v of numbers) {
    it(`${v.title} (${v.ieee754})`, () => {
      const value = fromIeee754(v.ieee754);
      if ("error" in v) {
        expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
        expect(() => canonicalJson([value])).toThrow(/at \/0/);
      } else {
        expect(canonicalJson(value)).toBe(v.expected);
      }
    });
  }
  for (const v of documents) {
    it(v.title, () => {
      const out = canonicalJson(JSON.parse(v.input));
      if (v.expected !== undefined) expect(out).toBe(v.expected);
      if (v.expectedUtf8Hex !== undefined)
        expect(Buffer.from(out, "utf8").toString("hex")).toBe(v.expectedUtf8Hex);
      // JSON.parse would reorder the integer-like key "1", so read the values off the text.
      if (v.expectedValues !== undefined) {
        expect([...out.matchAll(/:"([^"]*)"/g)].map((m) => m[1])).toEqual(v.expectedValues);
      }
    });
  }
});

describe("canonicalJson: values without a canonical form", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  const deep = (n: number): unknown => (n === 0 ? 0 : [deep(n - 1)]);
  const cases: [string, unknown, RegExp][] = [
    ["NaN", Number.NaN, /not finite/],
    ["-Infinity inside an object", { x: { y: Number.NEGATIVE_INFINITY } }, /at \/x\/y/],
    ["undefined", undefined, /undefined/],
    ["undefined member", { a: undefined }, /at \/a/],
    ["undefined in an array", [1, undefined], /at \/1/],
    ["bigint", { seq: 1n }, /bigint/],
    ["function", () => 1, /function/],
    ["symbol", Symbol("s"), /symbol/],
    ["cycle", cyclic, /cycle/],
    ["lone high surrogate", "a\ud800b", /lone surrogate/],
    ["lone low surrogate as key", { "\udc00": 1 }, /lone surrogate/],
    ["Date", new Date(0), /Date is not a plain/],
    ["Map", new Map(), /Map is not a plain/],
    ["too deep", deep(CANONICAL_JSON_MAX_DEPTH + 1), /deeper/],
  ];
  for (const [title, value, message] of cases) {
    it(`rejects ${title} with a typed error`, () => {
      let caught: unknown;
      try {
        canonicalJson(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CanonicalJsonError);
      expect((caught as CanonicalJsonError).code).toBe("CANONICAL_JSON_INVALID");
      expect((caught as Error).message).toMatch(message);
    });
  }

  it("accepts shared (non-cyclic) references, the deepest allowed nesting, null-prototype objects", () => {
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
    expect(canonicalJson(deep(CANONICAL_JSON_MAX_DEPTH - 1))).toMatch(/^\[+0\]+$/);
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = [true, null, "é"];
    expect(canonicalJson(bare)).toBe('{"a":[true,null,"é"],"z":1}');
    expect(canonicalJson("\u2028\u001f\u007f")).toBe('"\u2028\\u001f\u007f"');
  });
});

describe("canonicalJson: properties", () => {
  const json = fc.jsonValue({ noUnicodeString: false }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

  it("is valid JSON that parses back to the same value and is a fixed point", () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("does not depend on the order object members were inserted in", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(dict));
      }),
      { numRuns: 300 },
    );
  });

  it("prints every finite double as ECMAScript does (and -0 as 0)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(canonicalJson(x)).toBe(Object.is(x, -0) ? "0" : String(x));
        expect(Number(canonicalJson(x))).toBe(x === 0 ? 0 : x);
      }),
    );
  });
});
