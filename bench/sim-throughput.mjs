#!/usr/bin/env node
/**
 * Simulator throughput: a star of N NTP clients (real codec, client and responder code)
 * polling one server for a simulated duration. Prints events/s and NTP exchanges/s of
 * wall time. Needs the built package (`npx tsc -b packages/sim`).
 *
 *   node bench/sim-throughput.mjs [clients=1000] [hours=1] [pollSeconds=16]
 */
import { performance } from "node:perf_hooks";
import { asymmetricLink, runNtpStarScenario } from "@chronosync/sim";

const clients = Number(process.argv[2] ?? 1000);
const hours = Number(process.argv[3] ?? 1);
const pollSeconds = Number(process.argv[4] ?? 16);
const MS = 1_000_000n;
const S = 1_000_000_000n;

function run(seed) {
  return runNtpStarScenario({
    seed,
    clients,
    durationNs: BigInt(Math.round(hours * 3600)) * S,
    pollIntervalNs: BigInt(pollSeconds) * S,
    link: (i) =>
      asymmetricLink({
        delayNs: BigInt(1 + (i % 20)) * MS,
        asymmetryNs: BigInt((i % 7) - 3) * 100_000n,
        jitter: { kind: "exponential", meanNs: 100_000n, maxNs: 2n * MS },
        lossProbability: 0.001,
      }),
    clientOffsetSpreadNs: 1n * S,
    clientFrequencySpreadPpm: 100,
    clientWander: { ppmPerSqrtS: 0.001, stepNs: 16n * S },
    server: { offsetNs: 0n },
  });
}

run("warm-up"); // JIT warm-up on the same workload
const start = performance.now();
const summary = run("bench");
const seconds = (performance.now() - start) / 1000;
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;

console.log(
  JSON.stringify(
    {
      benchmark: "sim-throughput",
      clients,
      simulatedHours: hours,
      pollSeconds,
      events: summary.events,
      samples: summary.samples,
      wallSeconds: Number(seconds.toFixed(3)),
      eventsPerSecond: Math.round(summary.events / seconds),
      exchangesPerSecond: Math.round(summary.samples / seconds),
      speedup: Math.round((hours * 3600) / seconds),
      maxAbsErrorUs: Number(summary.error.maxAbsNs) / 1000,
      heapMb: Number(heapMb.toFixed(1)),
      node: process.version,
    },
    null,
    2,
  ),
);
