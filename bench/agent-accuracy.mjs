#!/usr/bin/env node
// Real-peer accuracy (issue 3 §10): our agent and a continuously tracking `chronyd -x`
// client side by side on the same impaired link, for --minutes.
//
//   chronyd -x under libfaketime FAKETIME="+2.5"   (serves exactly +2.5 s: the ground truth)
//        ▲
//   chronosync-impair (own process): up and down --delay-ms each, uniform ± --jitter-ms
//        ▲                         ▲
//   chronosync-agent.mjs agent  chronyd -x client (`server … minpoll P maxpoll P`, makestep)
//   --serve ntp://127.0.0.1:A   serving its own clock on 127.0.0.1:B
//
// Both clients use the same poll interval (--poll, log2 s) and see the same link. Every
// --probe-s seconds this script queries both of them over loopback with our NTP client
// (the native addon's kernel receive timestamps when built) and records
// error = measured offset − 2.5 s, i.e. how far each one's served clock is from the truth
// (the probe's own error, a few µs on loopback, is common to both). Reports mean, median and
// p99 |error| for each over the whole run after both first answered synchronized, and over
// the steady state (after --settle-s).
//
// Usage: node bench/agent-accuracy.mjs [--minutes 10] [--poll 2] [--delay-ms 5] [--jitter-ms 1]
//                                      [--probe-s 2] [--settle-s 120] [--seed 1]
// Requires `npm run build` (dist of testkit and protocols) and chronyd + libfaketime; the agent
// is the single-file bundle (rebuilt here, run as an executable like a user would).
// Writes bench/results/agent-accuracy-<time>.json.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { bundleAgent } from "../packages/agent/scripts/bundle.mjs";
import { queryNtp } from "../packages/protocols/dist/index.js";
import {
  findFreeUdpPort,
  spawnImpairmentRelay,
  startChronydRelay,
  startChronydServer,
} from "../packages/testkit/dist/index.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    poll: { type: "string", default: "2" },
    "delay-ms": { type: "string", default: "5" },
    "jitter-ms": { type: "string", default: "1" },
    "probe-s": { type: "string", default: "2" },
    "settle-s": { type: "string", default: "120" },
    seed: { type: "string", default: "1" },
  },
});
const minutes = Number(values.minutes);
const poll = Number(values.poll);
const delayMs = Number(values["delay-ms"]);
const jitterMs = Number(values["jitter-ms"]);
const probeS = Number(values["probe-s"]);
const settleS = Number(values["settle-s"]);
const TRUTH_NS = 2_500_000_000n;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = (xs) => {
  const abs = xs.map(Math.abs).sort((a, b) => a - b);
  if (abs.length === 0) return null;
  const rank = (p) => abs[Math.min(abs.length - 1, Math.ceil((p / 100) * abs.length) - 1)];
  const signed = [...xs].sort((a, b) => a - b);
  return {
    n: abs.length,
    meanAbsUs: abs.reduce((a, b) => a + b, 0) / abs.length,
    medianAbsUs: rank(50),
    p99AbsUs: rank(99),
    maxAbsUs: abs[abs.length - 1],
    meanSignedUs: xs.reduce((a, b) => a + b, 0) / xs.length,
    medianSignedUs: signed[Math.floor(signed.length / 2)],
  };
};

/** Served-clock error of the NTP server at port, µs, or null (no reply / unsynchronized). */
async function probe(port) {
  try {
    const r = await queryNtp({ host: "127.0.0.1", port }, { samples: 1, timeoutMs: 500 });
    if (r.best.leap === 3) return null;
    return Number(r.best.offsetNs - TRUTH_NS) / 1000;
  } catch {
    return null;
  }
}

const cleanups = [];
let agent = null;
async function cleanup() {
  if (agent !== null && agent.exitCode === null) agent.kill("SIGTERM");
  for (const c of cleanups.reverse()) await c().catch(() => {});
}
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

try {
  const server = await startChronydServer({ faketime: "+2.5" });
  cleanups.push(() => server.stop());
  const relay = await spawnImpairmentRelay({
    target: { host: "127.0.0.1", port: server.port },
    up: { delayMs, jitter: { kind: "uniform", halfWidthMs: jitterMs } },
    down: { delayMs, jitter: { kind: "uniform", halfWidthMs: jitterMs } },
    seed: Number(values.seed),
    maxSeconds: minutes * 60 + 300,
    maxPackets: 10_000_000,
  });
  cleanups.push(() => relay.stop());
  const relayPort = relay.address.port;

  const agentPort = await findFreeUdpPort();
  const apiPort = await findFreeUdpPort(); // free for UDP; TCP almost surely too
  const started = performance.now();
  // The single-file agent as shipped, run as an executable (its shebang's node flags).
  const { outfile: bundle } = await bundleAgent();
  agent = spawn(
    bundle,
    [
      "agent",
      "--source",
      `ntp://127.0.0.1:${relayPort}?minpoll=${poll}&maxpoll=${poll}&iburst=1`,
      "--serve",
      `ntp://127.0.0.1:${agentPort}`,
      "--api-listen",
      `127.0.0.1:${apiPort}`,
      "--state-file",
      "", // cold start, like the chronyd next to it (fresh drift file)
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let agentLog = "";
  agent.stderr.setEncoding("utf8").on("data", (d) => {
    if (agentLog.length < 1 << 20) agentLog += d;
  });
  const chrony = await startChronydRelay({
    upstreamPort: relayPort,
    offsetSeconds: 0,
    upstreamOffsetSeconds: 2.5,
    minPoll: poll,
    maxPoll: poll,
    toleranceMs: 20,
    syncTimeoutMs: 120_000,
    extraConfig: ["makestep 1 3"],
  });
  cleanups.push(() => chrony.stop());
  console.error(
    `server :${server.port} (faketime +2.5 s), relay :${relayPort} (${delayMs} ± ${jitterMs} ms each way), ` +
      `agent serving :${agentPort} (pid ${agent.pid}), chronyd client serving :${chrony.port}; poll ${poll}; ${minutes} min`,
  );

  const rows = [];
  const end = performance.now() + minutes * 60_000;
  let next = performance.now();
  while (performance.now() < end) {
    if (agent.exitCode !== null) throw new Error(`agent exited ${agent.exitCode}: ${agentLog.slice(-2000)}`);
    const t = (performance.now() - started) / 1000;
    // Alternate the order so neither is always probed first.
    const flip = rows.length % 2 === 1;
    const a = flip ? null : await probe(agentPort);
    const c = await probe(chrony.port);
    const a2 = flip ? await probe(agentPort) : a;
    rows.push({ t: Number(t.toFixed(1)), agentUs: a2, chronyUs: c });
    next += probeS * 1000;
    await sleep(Math.max(0, next - performance.now()));
  }
  const both = rows.filter((r) => r.agentUs !== null && r.chronyUs !== null);
  const firstBoth = both[0]?.t ?? Number.POSITIVE_INFINITY;
  const after = (from) => rows.filter((r) => r.t >= from);
  const summarize = (rs) => ({
    agent: stats(rs.map((r) => r.agentUs).filter((x) => x !== null)),
    chronyd: stats(rs.map((r) => r.chronyUs).filter((x) => x !== null)),
  });
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
    minutes,
    poll,
    link: { delayMs, jitterMs, kind: "uniform, each way" },
    probes: rows.length,
    missed: {
      agent: rows.filter((r) => r.agentUs === null).length,
      chronyd: rows.filter((r) => r.chronyUs === null).length,
    },
    firstBothSyncedS: firstBoth,
    all: summarize(after(firstBoth)),
    steady: summarize(after(Math.max(firstBoth, settleS))),
    rows,
  };
  const f = (s) =>
    s === null
      ? "n/a"
      : `mean ${s.meanAbsUs.toFixed(1)} µs, median ${s.medianAbsUs.toFixed(1)} µs, p99 ${s.p99AbsUs.toFixed(1)} µs, ` +
        `signed median ${s.medianSignedUs.toFixed(1)} µs (n ${s.n})`;
  console.log(`all (from ${firstBoth} s):   agent ${f(result.all.agent)}`);
  console.log(`                   chronyd ${f(result.all.chronyd)}`);
  console.log(`steady (from ${Math.max(firstBoth, settleS)} s): agent ${f(result.steady.agent)}`);
  console.log(`                   chronyd ${f(result.steady.chronyd)}`);
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const file = new URL(`./results/agent-accuracy-${result.date.replace(/[:.]/g, "-")}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`wrote ${file.pathname}`);
} finally {
  await cleanup();
}
