import { describe, expect, it } from "vitest";
import { Link } from "../src/link.js";
import { type Datagram, SimNetwork } from "../src/network.js";
import { SimClock } from "../src/sim-clock.js";
import { Simulator } from "../src/simulator.js";

describe("SimNetwork", () => {
  function setup() {
    const sim = new Simulator({ start: 0n, seed: 1 });
    const net = new SimNetwork(sim);
    const a = net.addNode("a", new SimClock(sim, { offsetNs: 1_000n }));
    const b = net.addNode("b");
    net.connect("a", "b", new Link({ up: { delayNs: 100n }, down: { delayNs: 40n } }, sim.prng.fork("l")));
    return { sim, net, a, b };
  }

  it("delivers after the link delay, per direction, with the node's own clock", () => {
    const { sim, net, a, b } = setup();
    const got: { d: Datagram; local: bigint }[] = [];
    b.onReceive((d) => {
      got.push({ d, local: b.clock.now() });
      b.send("a", new Uint8Array([9]));
    });
    a.onReceive((d) => got.push({ d, local: a.clock.now() }));
    const bytes = new Uint8Array([1, 2, 3]);
    const outcome = a.send("b", bytes);
    expect(outcome).toEqual({ status: "scheduled", deliverAt: 100n, delayNs: 100n, reordered: false });
    bytes[0] = 99; // the network carries a copy
    sim.run();
    expect(got.map((g) => [g.d.from, g.d.to, g.d.sentAt, g.d.receivedAt, g.d.delayNs, g.local])).toEqual([
      ["a", "b", 0n, 100n, 100n, 100n],
      ["b", "a", 100n, 140n, 40n, 1_140n],
    ]);
    expect(got[0]!.d.bytes).toEqual(new Uint8Array([1, 2, 3]));
    expect(net.stats).toEqual({ sent: 2, delivered: 2, lost: 0, noRoute: 0, unhandled: 0 });
  });

  it("counts packets without a route or a handler", () => {
    const { sim, net, a } = setup();
    net.addNode("c");
    expect(a.send("c", new Uint8Array(1))).toEqual({ status: "no-route" });
    expect(a.send("nowhere", new Uint8Array(1))).toEqual({ status: "no-route" });
    a.send("b", new Uint8Array(1));
    sim.run();
    expect(net.stats).toMatchObject({ sent: 3, noRoute: 2, unhandled: 1, delivered: 0 });
  });

  it("rejects duplicate addresses and unknown or self links", () => {
    const { sim, net } = setup();
    const link = new Link({ up: { delayNs: 1n } }, sim.prng.fork("x"));
    expect(() => net.addNode("a")).toThrow(/duplicate/);
    expect(() => net.connect("a", "zz", link)).toThrow(/unknown node zz/);
    expect(() => net.connect("a", "a", link)).toThrow(/itself/);
    expect(net.node("a")?.address).toBe("a");
  });

  it("reports losses at send time", () => {
    const sim = new Simulator({ start: 0n });
    const net = new SimNetwork(sim);
    const a = net.addNode("a");
    net.addNode("b").onReceive(() => {});
    net.connect("a", "b", new Link({ up: { delayNs: 1n, lossProbability: 1 } }, sim.prng.fork("l")));
    expect(a.send("b", new Uint8Array(1))).toEqual({ status: "lost" });
    sim.run();
    expect(net.stats).toMatchObject({ sent: 1, lost: 1, delivered: 0 });
  });
});
