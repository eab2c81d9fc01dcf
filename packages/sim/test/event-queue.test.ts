import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../src/event-queue.js";

function drain<T>(queue: EventQueue<T>): T[] {
  const out: T[] = [];
  for (let e = queue.pop(); e !== undefined; e = queue.pop()) out.push(e.value);
  return out;
}

describe("EventQueue", () => {
  it("pops in time order", () => {
    const q = new EventQueue<string>();
    q.push(30n, "c");
    q.push(10n, "a");
    q.push(20n, "b");
    expect(q.size).toBe(3);
    expect(q.peek()?.value).toBe("a");
    expect(drain(q)).toEqual(["a", "b", "c"]);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
  });

  it("breaks ties by insertion order", () => {
    const q = new EventQueue<number>();
    for (let i = 0; i < 100; i++) q.push(5n, i);
    q.push(1n, -1);
    expect(drain(q)).toEqual([-1, ...Array.from({ length: 100 }, (_, i) => i)]);
  });

  it("skips cancelled events and counts only pending ones", () => {
    const q = new EventQueue<string>();
    const a = q.push(1n, "a");
    q.push(2n, "b");
    const c = q.push(3n, "c");
    expect(a.cancel()).toBe(true);
    expect(a.cancel()).toBe(false);
    expect(c.cancel()).toBe(true);
    expect(q.size).toBe(1);
    expect(q.peek()?.value).toBe("b");
    const b = q.pop();
    expect(b?.value).toBe("b");
    expect(b?.pending).toBe(false);
    expect(b?.cancel()).toBe(false);
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
  });

  it("matches a stable sort by time for any sequence of pushes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 20n }), { maxLength: 300 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => {
          q.push(t, i);
        });
        const expected = times
          .map((t, i) => ({ t, i }))
          .sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.i - y.i))
          .map((x) => x.i);
        expect(drain(q)).toEqual(expected);
      }),
    );
  });

  it("keeps order under interleaved pushes, pops and cancels (property)", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), t: fc.bigInt({ min: 0n, max: 50n }) }),
      fc.record({ kind: fc.constant("pop" as const) }),
      fc.record({ kind: fc.constant("cancel" as const), k: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new EventQueue<number>();
        const model: { t: bigint; seq: number; handle: ReturnType<typeof q.push> }[] = [];
        let seq = 0;
        let floor = -1n;
        for (const o of ops) {
          if (o.kind === "push") {
            const t = o.t > floor ? o.t : floor; // a simulator never schedules in the past
            model.push({ t, seq, handle: q.push(t, seq) });
            seq++;
          } else if (o.kind === "cancel" && model.length > 0) {
            const [victim] = model.splice(o.k % model.length, 1);
            victim?.handle.cancel();
          } else if (o.kind === "pop") {
            model.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.seq - y.seq));
            const want = model.shift();
            const got = q.pop();
            expect(got?.value).toBe(want?.seq);
            if (got) floor = got.at;
          }
          expect(q.size).toBe(model.length);
        }
      }),
    );
  });
});
