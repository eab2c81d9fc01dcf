#!/usr/bin/env node
// POST /api/timestamps/normalize under load (issue 4 §9): 1 and 1 000 timestamps per
// request, each next to a bare Fastify route echoing the same body in the same run (the
// HTTP ceiling). autocannon (programmatic API) drives a server in a child process, so the
// load generator and the server each get a core. Also runs single timestamps at a fixed
// rate of half the ceiling (the p99 < 5 ms goal) and, with --compare, the same without
// the group-commit queue (one sealed append per request).
//
//   npx tsc -b && node bench/normalize.mjs [--duration 10] [--connections 10] [--compare] [--embedded]
//                                          [--no-history] [--node-args="--max-semi-space-size=64"]
//                                          [--workers N] [--no-append-thread]
//
// The external PostgreSQL is BENCH_DATABASE_ADMIN_URL (default
// postgres://postgres@127.0.0.1:5432/postgres; a scratch database is created and dropped);
// --embedded uses an embedded PostgreSQL in a temp dir. Prints one JSON document on stdout.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { SEED, startNormalizeServer } from "./lib/normalize-server.mjs";

const { values: opts } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    compare: { type: "boolean", default: false },
    embedded: { type: "boolean", default: false },
    "no-history": { type: "boolean", default: false }, // skip the fleet's offset-history lookups
    // Appends on the request thread (as before the append thread; for comparison).
    "no-append-thread": { type: "boolean", default: false },
    // V8 flags of the server process: npm start's (package.json) unless given.
    "node-args": { type: "string", default: "--max-semi-space-size=64" },
    // Server processes of the normalize route (chronosync server --workers N; the echo stays one).
    workers: { type: "string", default: "1" },
    serve: { type: "string" }, // internal: run the servers in this (child) process
  },
});

/** Child: the ChronoSync app (group commit on or off) and a bare echo server; prints ports. */
async function serve(config) {
  const { buildApp, deriveJwtKey, issueAccessToken, noOffsetHistory } = await import("@chronosync/server");
  const { default: Fastify } = await import("fastify");
  const masterKey = randomBytes(32).toString("base64");
  const apps = {};
  for (const groupCommit of [true, false]) {
    const app = await buildApp({
      dataDir: config.dataDir,
      databaseUrl: config.url,
      masterKey,
      groupCommit,
      appendThread: groupCommit && config.appendThread !== false, // as startServer runs it
      ...(config.noHistory ? { offsetHistory: noOffsetHistory } : {}),
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    apps[groupCommit ? "grouped" : "single"] = app.server.address().port;
  }
  if (config.workers > 1) {
    // The group-commit route on N processes, as `chronosync server --workers N` runs it
    // (the workers inherit this process's V8 flags).
    const { resolveConfig, startCluster } = await import("@chronosync/server");
    const serverConfig = resolveConfig(
      { host: "127.0.0.1", port: "0", dataDir: config.dataDir, databaseUrl: config.url },
      { CHRONOSYNC_MASTER_KEY: masterKey, CHRONOSYNC_ADMIN_PASSWORD: randomBytes(12).toString("hex") },
      process.cwd(),
    );
    const cluster = await startCluster(serverConfig, { workers: config.workers });
    apps.grouped = Number(new URL(cluster.url).port);
  }
  const echo = Fastify({ bodyLimit: 4 * 1024 * 1024 });
  echo.post("/echo", async (request) => request.body);
  await echo.listen({ host: "127.0.0.1", port: 0 });
  const key = deriveJwtKey(Buffer.from(masterKey, "base64"));
  const token = await issueAccessToken(
    key,
    { sub: "bench", username: "bench", role: "operator" },
    new Date(),
  );
  process.stdout.write(`${JSON.stringify({ ...apps, echo: echo.server.address().port, token })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

function load(url, body, token, extra = {}) {
  return autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    connections: Number(opts.connections),
    duration: Number(opts.duration),
    ...extra,
  });
}

function summarize(name, batch, r) {
  const rps = r.requests.average;
  return {
    name,
    batch,
    reqPerSec: Math.round(rps),
    timestampsPerSec: Math.round(rps * batch),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    ok: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const serverNodeArgs = opts["node-args"].split(" ").filter((a) => a !== "");

async function main() {
  const { ports, stop } = await startNormalizeServer({
    embedded: opts.embedded,
    noHistory: opts["no-history"],
    nodeArgs: serverNodeArgs,
    workers: Number(opts.workers),
    appendThread: !opts["no-append-thread"],
  });
  try {
    const at = (port, path) => `http://127.0.0.1:${port}${path}`;
    const normalize = (port) => at(port, "/api/timestamps/normalize");
    const results = [];
    const run = async (name, batch, url, extra) => {
      process.stderr.write(`${name} (batch ${batch})…\n`);
      const s = summarize(name, batch, await load(url, SEED(batch), ports.token, extra));
      results.push(s);
      return s;
    };
    // Warm up (JIT, pool connections, first checkpoint).
    await load(normalize(ports.grouped), SEED(1), ports.token, { duration: 2 });
    const ceiling1 = await run("echo (HTTP ceiling)", 1, at(ports.echo, "/echo"));
    await run("normalize, group commit", 1, normalize(ports.grouped));
    // More connections = more requests per commit (a closed loop of 10 caps each batch at 10).
    const many = { connections: 100 };
    await run("normalize, group commit, 100 connections", 1, normalize(ports.grouped), many);
    const half = Math.round(ceiling1.reqPerSec / 2);
    const fixed = { connections: 100, overallRate: half };
    await run(`normalize, group commit, offered ${half} req/s`, 1, normalize(ports.grouped), fixed);
    if (opts.compare) {
      await run("normalize, one append per request", 1, normalize(ports.single));
      await run("normalize, one append per request, 100 connections", 1, normalize(ports.single), many);
      await run(
        `normalize, one append per request, offered ${half} req/s`,
        1,
        normalize(ports.single),
        fixed,
      );
    }
    await run("echo (HTTP ceiling)", 1000, at(ports.echo, "/echo"));
    await run("normalize, group commit", 1000, normalize(ports.grouped));
    if (opts.compare) await run("normalize, one append per request", 1000, normalize(ports.single));
    process.stdout.write(
      `${JSON.stringify({ database: opts.embedded ? "embedded" : "external", serverNodeArgs, workers: Number(opts.workers), history: !opts["no-history"], connections: Number(opts.connections), durationS: Number(opts.duration), results }, null, 2)}\n`,
    );
  } finally {
    await stop();
  }
}

if (opts.serve !== undefined) await serve(JSON.parse(opts.serve));
else await main();
