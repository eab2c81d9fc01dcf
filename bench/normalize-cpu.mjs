#!/usr/bin/env node
// Server CPU per request (issue 4 §9 analysis): the normalize route and a bare Fastify echo
// of the same body, both in one server child process (bench/normalize.mjs --serve), loaded
// by autocannon; the child's CPU time (utime + stime from /proc/<pid>/stat, all threads)
// over each run divided by the requests answered. Robust to a busy machine where req/s is
// not: it measures work, not waiting.
//
//   npx tsc -b && node bench/normalize-cpu.mjs [--batch 1] [--duration 6] [--connections 100]
//                                              [--node-args "--max-semi-space-size=64"] [--no-history]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";

const { values: opts } = parseArgs({
  options: {
    batch: { type: "string", default: "1" },
    duration: { type: "string", default: "6" },
    connections: { type: "string", default: "100" },
    "node-args": { type: "string", default: "--max-semi-space-size=64" },
    "no-history": { type: "boolean", default: false },
  },
});
const batch = Number(opts.batch);
const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `chronosync_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dataDir = mkdtempSync(join(tmpdir(), "chronosync-bench-cpu-"));
const script = new URL("./normalize.mjs", import.meta.url).pathname;
const child = spawn(
  process.execPath,
  [
    ...opts["node-args"].split(" ").filter((a) => a !== ""),
    script,
    "--serve",
    JSON.stringify({ url: url.toString(), dataDir, noHistory: opts["no-history"] }),
  ],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const clockTicks = 100; // USER_HZ on Linux
const cpuUs = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
};
try {
  const ports = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (c) => {
      text += c;
      if (text.includes("\n")) resolve(JSON.parse(text.split("\n")[0]));
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const body = JSON.stringify({
    sourceId: "cluster-01",
    timestamps: Array.from({ length: batch }, (_, i) => ({
      value: 1703054123456 + i,
      precision: 0.001,
      source: "ntp://pool.ntp.org",
    })),
    requestMetadata: { clientId: "unique-client-identifier", requestTimestamp: 1703054123500 },
  });
  const run = async (label, path) => {
    const before = cpuUs();
    const r = await autocannon({
      url: `http://127.0.0.1:${path === "/echo" ? ports.echo : ports.grouped}${path}`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ports.token}` },
      body,
      connections: Number(opts.connections),
      duration: Number(opts.duration),
    });
    const used = cpuUs() - before;
    return {
      label,
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
      non2xx: r.non2xx,
      serverCpuUsPerRequest: Math.round((used / r["2xx"]) * 10) / 10,
      serverCpuPercent: Math.round(used / (Number(opts.duration) * 1e4)),
    };
  };
  await run("warm-up", "/api/timestamps/normalize");
  const results = [await run("echo", "/echo"), await run("normalize", "/api/timestamps/normalize")];
  process.stdout.write(
    `${JSON.stringify({ batch, connections: Number(opts.connections), nodeArgs: opts["node-args"], results }, null, 2)}\n`,
  );
} finally {
  child.stdin.end();
  await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r()));
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}
