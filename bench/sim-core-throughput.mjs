#!/usr/bin/env node
/**
 * The simulator's own cost, without protocol code: the traffic pattern of
 * sim-throughput.mjs (N clients, one 48-byte request and echo per poll, drifting and
 * wandering clocks read on every packet, jittered links) but with the NTP codec, client
 * and responder replaced by an echo. Prints events/s of wall time.
 *
 *   node bench/sim-core-throughput.mjs [clients=1000] [hours=1] [pollSeconds=16]
 */
import { performance } from "node:perf_hooks";
import { Link, SimClock, SimNetwork, Simulator } from "@chronosync/sim";

const clients = Number(process.argv[2] ?? 1000);
const hours = Number(process.argv[3] ?? 1);
const poll = BigInt(process.argv[4] ?? 16) * 1_000_000_000n;

function run(seed) {
  const sim = new Simulator({ seed });
  const net = new SimNetwork(sim);
  const server = net.addNode("server", new SimClock(sim, { offsetNs: 5n }));
  server.onReceive((d) => {
    server.clock.now();
    server.send(d.from, d.bytes);
  });
  const jitter = { kind: "exponential", meanNs: 100_000n, maxNs: 2_000_000n };
  for (let i = 0; i < clients; i++) {
    const address = `client-${i}`;
    const clock = new SimClock(sim, {
      frequencyPpm: 10,
      wander: { ppmPerSqrtS: 0.001, stepNs: poll },
      prng: sim.prng.fork(`clock:${address}`),
    });
    const node = net.addNode(address, clock);
    net.connect(address, "server", new Link({ up: { delayNs: 1_000_000n, jitter } }, sim.prng.fork(address)));
    const bytes = new Uint8Array(48);
    node.onReceive(() => {
      clock.now();
      clock.trueOffsetAt(sim.now());
    });
    sim.every(
      poll,
      () => {
        clock.now();
        node.send("server", bytes);
      },
      sim.now() + (poll * BigInt(i)) / BigInt(clients),
    );
  }
  const start = performance.now();
  sim.runFor(BigInt(Math.round(hours * 3600)) * 1_000_000_000n);
  return { events: sim.eventsProcessed, seconds: (performance.now() - start) / 1000 };
}

run("warm-up");
const { events, seconds } = run("bench");
console.log(
  JSON.stringify(
    {
      benchmark: "sim-core-throughput",
      clients,
      simulatedHours: hours,
      events,
      wallSeconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(events / seconds),
    },
    null,
    2,
  ),
);
