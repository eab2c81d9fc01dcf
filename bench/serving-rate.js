#!/usr/bin/env node
// NTP serving rate: `chronosync serve ntp --no-rate-limit` against `chronyd -x` (no
// `ratelimit` directive, so no rate limiting), driven by the same C load generator
// (bench/ntp-load.c), alternating ours / chronyd for several rounds in one run.
//
// Each round runs every server once: chronosync with the native batching transport,
// with node:dgram, with node:dgram in 2 cluster workers sharing the socket, and chronyd.
// A variant whose server does not start (e.g. the native addon is not built) is skipped.
//
// Usage: node bench/serving-rate.js [--rounds 5] [--duration 5000] [--window 64] [--sockets 1]
//        [--ours native,dgram,dgram-w2] [--cpu-prof DIR]
// Requires a build (`npx tsc -b`) and root (chronyd drops to _chrony).
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import {
  buildLoadGenerator,
  cleanup,
  cpuTicks,
  freeUdpPort,
  machine,
  makeWorkDir,
  median,
  startChronosync,
  startChronyd,
} from "./lib/peers.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5000" },
    window: { type: "string", default: "64" },
    sockets: { type: "string", default: "1" },
    ours: { type: "string", default: "native,dgram,dgram-w2" },
    "cpu-prof": { type: "string" },
  },
});
const rounds = Number(values.rounds);
const load = ["-d", values.duration, "-w", values.window, "-s", values.sockets];

const dir = makeWorkDir();
const servers = [];
try {
  const loadgen = buildLoadGenerator(dir);
  const run = (port) => JSON.parse(execFileSync(loadgen, ["127.0.0.1", String(port), ...load]).toString());

  const chronyd = await startChronyd(dir, "server", await freeUdpPort(), ["local stratum 1"]);
  servers.push(chronyd);
  const nodeArgs = values["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${values["cpu-prof"]}`] : [];
  const targets = [];
  for (const variant of values.ours.split(",")) {
    const [transport, workers = "w1"] = variant.split("-");
    const args = ["--no-rate-limit", "--transport", transport, "--workers", workers.slice(1)];
    const server = await startChronosync(args, nodeArgs).catch((err) => {
      console.error(`skipping chronosync ${variant}: ${err.message.trim()}`);
      return null;
    });
    if (server === null) continue;
    servers.push(server);
    const name = `chronosync-${variant}`;
    targets.push({
      name,
      pid: server.pid,
      port: server.port,
      command: `chronosync serve ntp ${args.join(" ")}`,
    });
  }
  targets.push({
    name: "chronyd",
    pid: chronyd.pid,
    port: chronyd.port,
    command: "chronyd -x (local stratum 1, no ratelimit)",
  });

  // Warm-up: JIT for ours, caches for both; not counted.
  for (const t of targets) run(t.port);

  const results = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let r = 1; r <= rounds; r++) {
    for (const t of targets) {
      const cpuBefore = cpuTicks(t.pid);
      const result = run(t.port);
      // Server CPU over the generator's sending period plus its 100 ms drain, in % of one core.
      result.serverCpuPct = Math.round((cpuTicks(t.pid) - cpuBefore) / ((result.elapsedMs + 100) / 1000));
      results[t.name].push(result);
      console.error(`round ${r} ${t.name.padEnd(14)} ${JSON.stringify(result)}`);
    }
  }
  const summary = {};
  const chronydMedian = median(results.chronyd.map((x) => x.rate));
  for (const t of targets) {
    const list = results[t.name];
    const medianRate = median(list.map((x) => x.rate));
    summary[t.name] = {
      command: t.command,
      medianRate,
      ratioToChronyd: Number((medianRate / chronydMedian).toFixed(3)),
      rates: list.map((x) => x.rate),
      lostTotal: list.reduce((a, x) => a + x.lost, 0),
      invalidTotal: list.reduce((a, x) => a + x.invalid + x.kiss + x.duplicate, 0),
      generatorCpuPct: list.map((x) => x.generatorCpuPct),
      serverCpuPct: list.map((x) => x.serverCpuPct),
    };
  }
  console.log(
    JSON.stringify(
      {
        benchmark: "serving-rate",
        date: new Date().toISOString(),
        machine: machine(),
        load: `ntp-load 127.0.0.1 PORT ${load.join(" ")}`,
        rounds,
        servers: summary,
      },
      null,
      2,
    ),
  );
} finally {
  for (const server of servers.reverse()) await server.stop();
  cleanup(dir);
}
