import { describe, expect, it } from "vitest";
import { findIntersection, type IntervalCandidate, InvalidArgumentError } from "../src/index.js";

const ms = (x: number): bigint => BigInt(Math.round(x * 1e6));
const c = (id: string, offset: number, distance: number): IntervalCandidate => ({
  id,
  offsetNs: ms(offset),
  rootDistanceNs: ms(distance),
});

// Hand-worked vectors: the comments trace the chime scans of RFC 5905 A.5.5.1.
describe("intersection algorithm (RFC 5905 §11.2.1)", () => {
  it("3 truechimers + 1 falseticker far away: the falseticker is rejected", () => {
    // f=0 needs 4 overlapping: never. f=1 needs 3: low = −8 (B's lower edge), high = 9
    // (C's upper edge); only D's midpoint (100) lies outside: found 1 ≤ 1.
    const result = findIntersection([c("A", 0, 10), c("B", 2, 10), c("C", -1, 10), c("D", 100, 10)]);
    expect(result).toEqual({
      ok: true,
      truechimers: ["A", "B", "C"],
      falsetickers: ["D"],
      lowNs: ms(-8),
      highNs: ms(9),
      falsetickersAllowed: 1,
    });
  });

  it("2 against 2: no majority", () => {
    const result = findIntersection([c("A", 0, 10), c("B", 1, 10), c("C", 100, 10), c("D", 101, 10)]);
    expect(result).toEqual({ ok: false, reason: "no-majority", truechimers: [], falsetickers: [] });
  });

  it("all agree: the intersection is the common interval, no falseticker", () => {
    const result = findIntersection([c("A", 0, 10), c("B", 0, 10), c("C", 0, 10)]);
    expect(result).toMatchObject({ ok: true, lowNs: ms(-10), highNs: ms(10), falsetickers: [] });
  });

  it("a single source is its own majority", () => {
    expect(findIntersection([c("A", 5, 1)])).toMatchObject({ ok: true, lowNs: ms(4), highNs: ms(6) });
  });

  it("intervals of different widths: midpoints decide how many falsetickers to allow", () => {
    // A [−50, 50], B [5, 15], C [−22, 18]. f=0: all three meet in [5, 15], but the
    // midpoints of A (0) and C (−2) lie outside it (found 2 > 0). f=1: [−22, 18] holds
    // every midpoint, so all three are truechimers.
    const result = findIntersection([c("A", 0, 50), c("B", 10, 5), c("C", -2, 20)]);
    expect(result).toEqual({
      ok: true,
      truechimers: ["A", "B", "C"],
      falsetickers: [],
      lowNs: ms(-22),
      highNs: ms(18),
      falsetickersAllowed: 1,
    });
  });

  it("intervals sharing a point but with midpoints outside it give no majority (RFC behaviour)", () => {
    // A [−1, 1], B [−0.1, 3.9], C [−3.9, 0.1]: all contain 0, yet at f=0 the midpoints of
    // B and C lie outside [−0.1, 0.1], and at f=1 both lie outside [−1, 1].
    const result = findIntersection([c("A", 0, 1), c("B", 1.9, 2), c("C", -1.9, 2)]);
    expect(result.ok).toBe(false);
  });

  it("touching intervals count as overlapping only with width", () => {
    // A [0, 10], B [10, 20]: the common part is one point, high > low fails → no majority.
    expect(findIntersection([c("A", 5, 5), c("B", 15, 5)]).ok).toBe(false);
  });

  it("no candidates; duplicate ids and negative distances are rejected", () => {
    expect(findIntersection([])).toMatchObject({ ok: false, reason: "no-candidates" });
    expect(() => findIntersection([c("A", 0, 1), c("A", 1, 1)])).toThrow(InvalidArgumentError);
    expect(() => findIntersection([c("A", 0, -1)])).toThrow(InvalidArgumentError);
  });
});
