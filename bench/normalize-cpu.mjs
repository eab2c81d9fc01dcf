#!/usr/bin/env node
// Server CPU per request (issue 4 §9 analysis): the normalize route and a bare Fastify echo
// of the same body, both in one server child process (bench/normalize.mjs --serve), loaded
// by autocannon; the child's CPU time (utime + stime from /proc/<pid>/stat, all threads)
// over each run divided by the requests answered, and the same for the main thread alone
// (the event loop; normalize appends run on a thread of their own). Robust to a busy
// machine where req/s is not: it measures work, not waiting.
//
//   npx tsc -b && node bench/normalize-cpu.mjs [--batch 1] [--duration 6] [--connections 100]
//                                              [--node-args="--max-semi-space-size=64"] [--no-history]
//                                              [--no-append-thread]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { SEED, startNormalizeServer } from "./lib/normalize-server.mjs";

const { values: opts } = parseArgs({
  options: {
    batch: { type: "string", default: "1" },
    duration: { type: "string", default: "6" },
    connections: { type: "string", default: "100" },
    "node-args": { type: "string", default: "--max-semi-space-size=64" },
    "no-history": { type: "boolean", default: false },
    "no-append-thread": { type: "boolean", default: false },
  },
});
const batch = Number(opts.batch);
const { ports, child, stop } = await startNormalizeServer({
  noHistory: opts["no-history"],
  appendThread: !opts["no-append-thread"],
  nodeArgs: opts["node-args"].split(" ").filter((a) => a !== ""),
});
const clockTicks = 100; // USER_HZ on Linux
/** CPU µs of the whole child process, or of its main thread (the event loop). */
const cpuUs = (main = false) => {
  const path = main ? `/proc/${child.pid}/task/${child.pid}/stat` : `/proc/${child.pid}/stat`;
  const fields = readFileSync(path, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
};
try {
  const body = JSON.stringify(SEED(batch));
  const run = async (label, path) => {
    const before = cpuUs();
    const beforeMain = cpuUs(true);
    const r = await autocannon({
      url: `http://127.0.0.1:${path === "/echo" ? ports.echo : ports.grouped}${path}`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ports.token}` },
      body,
      connections: Number(opts.connections),
      duration: Number(opts.duration),
    });
    const used = cpuUs() - before;
    const usedMain = cpuUs(true) - beforeMain;
    return {
      label,
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
      non2xx: r.non2xx,
      serverCpuUsPerRequest: Math.round((used / r["2xx"]) * 10) / 10,
      // The event loop's share (the rest: the append thread, GC and libuv threads).
      mainThreadCpuUsPerRequest: Math.round((usedMain / r["2xx"]) * 10) / 10,
      serverCpuPercent: Math.round(used / (Number(opts.duration) * 1e4)),
    };
  };
  await run("warm-up", "/api/timestamps/normalize");
  const results = [await run("echo", "/echo"), await run("normalize", "/api/timestamps/normalize")];
  process.stdout.write(
    `${JSON.stringify({ batch, connections: Number(opts.connections), nodeArgs: opts["node-args"], appendThread: !opts["no-append-thread"], results }, null, 2)}\n`,
  );
} finally {
  await stop();
}
