// How precisely SystemClock anchors process.hrtime to Date.now(), what now() costs, and how
// well it agrees with Date.now() over time. Figures go to docs/time-core.md.
//
//   npx tsc -b packages/core && node bench/clock-anchoring.mjs [seconds=10] [--json]
//
// Busy-waits on one core for about `seconds` + 3 s. Never touches the system clock.
import os from "node:os";
import { measureAnchoring, SystemClock } from "../packages/core/dist/index.js";

const seconds = Number(process.argv.slice(2).find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 10);
const asJson = process.argv.includes("--json");

function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { n: sorted.length, median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

// Best of 15 rounds: the machine's other load only ever makes a round slower.
function costPerCall(fn, calls = 1_000_000) {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 15; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / calls);
  }
  return best;
}

/**
 * Spins for `durationS`; at every Date.now() tick edge, estimates the clock's reading at
 * the edge (midpoint of the readings just before and after) and compares it with the
 * edge's exact wall time. Also checks every reading lies within the millisecond Date.now()
 * named around it (±2 ms is the step threshold).
 */
function agreement(clock, durationS) {
  const errors = [];
  const elapsed = [];
  let outside = 0;
  let readings = 0;
  let worstOutsideNs = 0;
  const end = Date.now() + durationS * 1000;
  let tBefore = clock.now();
  let wallBefore = Date.now();
  const t0 = tBefore;
  while (wallBefore < end) {
    const t = clock.now();
    const wall = Date.now();
    const tAfter = clock.now();
    readings++;
    const lo = BigInt(wallBefore) * 1_000_000n;
    if (t < lo || t >= BigInt(wall + 1) * 1_000_000n) {
      outside++;
      worstOutsideNs = Math.max(worstOutsideNs, Number(t < lo ? lo - t : t - BigInt(wall + 1) * 1_000_000n));
    }
    if (wall === wallBefore + 1 && tAfter - tBefore < 5_000n) {
      errors.push(Number((tBefore + tAfter) / 2n - BigInt(wall) * 1_000_000n));
      elapsed.push(Number(tAfter - t0) / 1e9);
    }
    if (wall !== wallBefore) wallBefore = wall;
    tBefore = t;
  }
  // Least-squares slope of error against time: drift of the anchored clock, in ppb.
  const n = errors.length;
  const mx = elapsed.reduce((a, b) => a + b, 0) / n;
  const my = errors.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (elapsed[i] - mx) * (errors[i] - my);
    sxx += (elapsed[i] - mx) ** 2;
  }
  return {
    edges: n,
    meanErrorNs: Math.round(my),
    absErrorNs: spread(errors.map(Math.abs)),
    driftPpb: Math.round(sxx > 0 ? sxy / sxx : 0),
    readings,
    readingsOutsideDateNowMs: outside,
    worstOutsideNs,
    steps: clock.steps,
    anchors: clock.anchors,
    frequencyPpm: clock.frequencyPpm,
    precisionLog2: clock.precisionLog2,
  };
}

const clock = new SystemClock();
clock.now();
const result = {
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model ?? "unknown",
  periodicPolicy: measureAnchoring(200), // one edge, retried until bracket ≤ 5 µs
  firstEdgeAnyBracket: measureAnchoring(200, { edges: 1, goodBracketNs: 1n << 62n }),
  tightestOf5: measureAnchoring(40, { edges: 5 }),
  costNsPerCall: {
    "SystemClock#now": costPerCall(() => clock.now()),
    "process.hrtime.bigint": costPerCall(() => process.hrtime.bigint()),
    "Date.now": costPerCall(() => Date.now()),
  },
  agreementDefault: agreement(new SystemClock(), seconds),
  agreementReanchorEach1s: agreement(new SystemClock({ reanchorIntervalMs: 1000 }), Math.min(seconds, 5)),
};

if (asJson) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`node ${result.node} on ${result.platform} (${result.cpu})\n`);
  const row = (name, s) =>
    console.log(
      `${name.padEnd(30)} offset dev median ${s.offsetDeviationNs.median} / p99 ${s.offsetDeviationNs.p99} / max ${s.offsetDeviationNs.max} ns;` +
        ` bracket min ${s.bracketNs.min} / median ${s.bracketNs.median} / p99 ${s.bracketNs.p99} / max ${s.bracketNs.max} ns;` +
        ` missed ${s.edgesMissed}/${s.anchors}`,
    );
  row("periodic policy (200)", result.periodicPolicy);
  row("first edge, any bracket (200)", result.firstEdgeAnyBracket);
  row("tightest of 5 edges (40)", result.tightestOf5);
  console.log(`hrtime read resolution ${result.periodicPolicy.readResolutionNs} ns\n`);
  for (const [name, ns] of Object.entries(result.costNsPerCall))
    console.log(`${name.padEnd(24)} ${ns.toFixed(1)} ns/call`);
  for (const key of ["agreementDefault", "agreementReanchorEach1s"]) {
    const a = result[key];
    console.log(
      `\n${key}: ${a.edges} tick edges; |error| median ${a.absErrorNs.median} / p99 ${a.absErrorNs.p99} / max ${a.absErrorNs.max} ns;` +
        ` mean ${a.meanErrorNs} ns; drift ${a.driftPpb} ppb; readings outside Date.now() ms: ${a.readingsOutsideDateNowMs}/${a.readings}` +
        ` (worst ${a.worstOutsideNs} ns); anchors ${a.anchors}; steps ${a.steps}; frequency ${a.frequencyPpm.toFixed(3)} ppm; precision 2^${a.precisionLog2} s`,
    );
  }
}
