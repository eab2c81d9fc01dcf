import { describe, expect, it } from "vitest";
import { renderFields, renderTable } from "../src/format/table.js";
import { formatLeap, formatMs, formatPrecision } from "../src/format/units.js";

describe("formatMs", () => {
  it.each([
    [0n, false, "0.000"],
    [0n, true, "+0.000"],
    [12_345_678n, true, "+12.346"],
    [-12_345_678n, true, "-12.346"],
    [499n, true, "+0.000"],
    [500n, true, "+0.001"],
    [-500n, true, "-0.001"],
    [-499n, true, "+0.000"],
    [2_500_000_000n, false, "2500.000"],
  ])("%d ns (signed %s) → %s", (ns, signed, text) => {
    expect(formatMs(ns, signed)).toBe(text);
  });
});

describe("formatPrecision and formatLeap", () => {
  it("shows the value of a log2 precision", () => {
    expect(formatPrecision(-24)).toBe("2^-24 s (59.6 ns)");
    expect(formatPrecision(-20)).toBe("2^-20 s (954 ns)");
    expect(formatPrecision(-6)).toBe("2^-6 s (15.6 ms)");
  });
  it("names the leap indicator", () => {
    expect(formatLeap(0)).toBe("0 (none)");
    expect(formatLeap(3)).toBe("3 (unsynchronized)");
  });
});

describe("renderTable", () => {
  it("aligns columns and trims trailing blanks", () => {
    const lines = renderTable(
      [
        { title: "#", align: "right" },
        { title: "name", align: "left" },
      ],
      [
        ["1", "a"],
        ["10", "bbbbbb"],
      ],
    );
    expect(lines).toEqual([" #  name", " 1  a", "10  bbbbbb"]);
    expect(
      renderFields([
        ["a", "1"],
        ["long", "2"],
      ]),
    ).toEqual(["a     1", "long  2"]);
  });
});
