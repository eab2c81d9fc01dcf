#!/usr/bin/env node
// Agent footprint (issue 3 §8 "Lightweight"): runs the single-file agent bundle
// (packages/agent/dist-bundle/chronosync-agent.mjs, rebuilt here first) against 4 local
// `chronyd -x` servers with minpoll = maxpoll = --poll, and samples the agent's RSS
// (VmRSS of /proc/PID/status) and CPU (utime + stime of /proc/PID/stat) every
// --sample-s seconds for --minutes. Also times the first "synchronized" status from the
// spawn (GET /v1/status every 50 ms until then; the local API is not queried afterwards).
// Goals: RSS < 60 MB and CPU < 0.2 % of one core at --poll 4 (16 s); first synchronized
// within 3 s (iburst, local server).
//
// Usage: node bench/agent-overhead.mjs [--poll 4] [--minutes 10] [--sources 4] [--sample-s 5]
//        [--no-build] [--dgram] [--node-args="--flag …"]
// --node-args: V8/node flags for the agent; default the bundle's shebang flags (NODE_FLAGS
// in packages/agent/scripts/bundle.mjs); --node-args= runs it with node's defaults.
// --dgram: run without the native addon (CHRONOSYNC_NATIVE_ADDON pointed at nothing).
// Requires `npx tsc -b` (for the testkit's chronyd harness) and chronyd. Linux only (/proc).
// Writes bench/results/agent-overhead-poll<P>-<time>.json.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { BUNDLE_NAME, bundleAgent, DEFAULT_OUTDIR, NODE_FLAGS } from "../packages/agent/scripts/bundle.mjs";
import { startChronydServer } from "../packages/testkit/dist/peers/chronyd.js";

const { values } = parseArgs({
  options: {
    poll: { type: "string", default: "4" },
    minutes: { type: "string", default: "10" },
    sources: { type: "string", default: "4" },
    "sample-s": { type: "string", default: "5" },
    "no-build": { type: "boolean", default: false },
    dgram: { type: "boolean", default: false },
    "node-args": { type: "string" },
  },
});
const poll = Number(values.poll);
const minutes = Number(values.minutes);
const nSources = Number(values.sources);
const sampleS = Number(values["sample-s"]);
if (
  ![poll, minutes, nSources, sampleS].every(Number.isFinite) ||
  minutes <= 0 ||
  nSources < 1 ||
  sampleS <= 0
) {
  console.error("agent-overhead: bad --poll/--minutes/--sources/--sample-s");
  process.exit(2);
}

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const PAGE = 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** { rssKiB, cpuTicks } of a live process from /proc. */
function sample(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuTicks = Number(rest[11]) + Number(rest[12]);
  return { t: performance.now(), rssKiB, cpuTicks };
}

function getStatus(api) {
  return new Promise((resolve) => {
    const [host, port] = api.split(":");
    const req = request({ host, port: Number(port), path: "/v1/status", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body));
        } catch {
          resolve(null);
        }
      });
    });
    req.setTimeout(1000, () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

const bundle = values["no-build"] ? `${DEFAULT_OUTDIR}/${BUNDLE_NAME}` : (await bundleAgent()).outfile;
const bundleBytes = readFileSync(bundle).length;

const servers = [];
let agent = null;
let cleaningUp = false;
async function cleanup() {
  if (cleaningUp) return;
  cleaningUp = true;
  if (agent !== null && agent.exitCode === null) agent.kill("SIGTERM");
  await Promise.all(servers.map((s) => s.stop().catch(() => {})));
}
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

try {
  for (let i = 0; i < nSources; i++) servers.push(await startChronydServer());
  const api = `127.0.0.1:${await freeTcpPort()}`;
  // As the bundle's shebang runs it, unless --node-args says otherwise ("" = V8 defaults).
  const nodeArgs = (values["node-args"] ?? NODE_FLAGS.join(" ")).split(" ").filter((a) => a !== "");
  const args = [...nodeArgs, bundle, "agent", "--api-listen", api, "--state-file", ""];
  for (const s of servers) args.push("--source", `ntp://127.0.0.1:${s.port}?minpoll=${poll}&maxpoll=${poll}`);
  const env = { PATH: process.env.PATH ?? "" };
  if (values.dgram) env.CHRONOSYNC_NATIVE_ADDON = "/nonexistent/ntp_udp.node";
  const started = performance.now();
  agent = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  agent.stderr.setEncoding("utf8").on("data", (d) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  const exited = new Promise((resolve) => agent.on("close", (code, signal) => resolve({ code, signal })));

  let firstSyncMs = null;
  while (performance.now() - started < 30_000 && agent.exitCode === null) {
    const doc = await getStatus(api);
    if (doc?.tracking?.status === "synchronized") {
      firstSyncMs = performance.now() - started;
      break;
    }
    await sleep(50);
  }
  console.error(
    `agent pid ${agent.pid}: ${nSources} sources at poll ${poll} (${2 ** poll} s), first synchronized ` +
      `${firstSyncMs === null ? "never (30 s)" : `${firstSyncMs.toFixed(0)} ms`} after spawn; sampling ${minutes} min`,
  );

  const startup = sample(agent.pid);
  const samples = [startup];
  const end = started + minutes * 60_000;
  while (performance.now() < end && agent.exitCode === null) {
    await sleep(Math.min(sampleS * 1000, Math.max(0, end - performance.now())));
    if (agent.exitCode !== null) break;
    samples.push(sample(agent.pid));
  }
  const finalDoc = await getStatus(api);
  agent.kill("SIGTERM");
  const exit = await exited;

  const last = samples[samples.length - 1];
  const pct = (ticks, ms) => (ticks / CLK_TCK / (ms / 1000)) * 100;
  const intervals = samples.slice(1).map((s, i) => pct(s.cpuTicks - samples[i].cpuTicks, s.t - samples[i].t));
  const rss = samples.map((s) => s.rssKiB / PAGE);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
    transport: values.dgram ? "dgram (forced)" : "native if built, else dgram",
    nodeArgs,
    bundleBytes,
    sources: nSources,
    poll,
    minutes,
    sampleS,
    samples: samples.length,
    firstSyncMs: firstSyncMs === null ? null : Math.round(firstSyncMs),
    startupCpuS: startup.cpuTicks / CLK_TCK,
    rssMiB: { median: median(rss), max: Math.max(...rss), final: rss[rss.length - 1] },
    cpuPctOfOneCore: {
      // From the first synchronized status to the end: the steady-state cost.
      average: pct(last.cpuTicks - startup.cpuTicks, last.t - startup.t),
      medianInterval: median(intervals),
      maxInterval: Math.max(...intervals),
    },
    cpuTickMs: 1000 / CLK_TCK,
    finalStatus: finalDoc?.tracking?.status ?? null,
    finalSources: finalDoc?.sources?.map((s) => s.state) ?? null,
    exit,
  };
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  console.log(
    `poll ${poll} (${2 ** poll} s), ${nSources} sources, ${minutes} min: RSS median ${f(result.rssMiB.median)} MiB, ` +
      `max ${f(result.rssMiB.max)} MiB; CPU ${f(result.cpuPctOfOneCore.average, 3)} % of one core ` +
      `(${sampleS} s intervals: median ${f(result.cpuPctOfOneCore.medianInterval, 2)} %, ` +
      `max ${f(result.cpuPctOfOneCore.maxInterval, 2)} %); startup CPU ${f(result.startupCpuS, 2)} s; ` +
      `first synchronized ${result.firstSyncMs ?? "never"} ms; final ${result.finalStatus} ` +
      `[${result.finalSources?.join(", ")}]; exit ${exit.code ?? exit.signal}; bundle ${bundleBytes} bytes`,
  );
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const file = new URL(
    `./results/agent-overhead-poll${poll}-${result.date.replace(/[:.]/g, "-")}.json`,
    import.meta.url,
  );
  writeFileSync(file, `${JSON.stringify({ ...result, stderrTail: stderr.slice(-2000) }, null, 2)}\n`);
  if (exit.code !== 0) process.exitCode = 1;
} finally {
  await cleanup();
}
