#!/usr/bin/env node
// Query accuracy on loopback against chronyd serving a known offset:
//  - "faketime": chronyd -x under libfaketime FAKETIME="+2.5" serves exactly +2.5 s;
//  - "relay": a chronyd -x following a plain chronyd server with `offset 0.050`
//    (serves ≈ +50 ms; its own tracking error is part of the figure).
// Interleaves `chronosync query --samples 4 --json` runs with `chronyd -Q` one-shots
// against the same server; reports median and p99 |error| of each (nearest rank: with
// 30 runs the p99 is the largest error) and the difference of the two medians.
// `--client dgram` runs our CLI with CHRONOSYNC_NATIVE=0 (queryNtp over node:dgram, T4
// read in JavaScript); `auto` (default) leaves the choice to queryNtp (the addon's socket,
// kernel receive timestamps, when it is built). CHRONOSYNC_NATIVE in this script's own
// environment is passed on as well.
//
// Usage: node bench/query-accuracy.js [--runs 30] [--chrony-runs 10] [--scenario faketime|relay|both]
//                                     [--client auto|dgram]
import { execFile } from "node:child_process";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import {
  CLI,
  cleanup,
  freeUdpPort,
  LIBFAKETIME,
  machine,
  makeWorkDir,
  median,
  percentile,
  sleep,
  startChronyd,
} from "./lib/peers.js";

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    "chrony-runs": { type: "string", default: "10" },
    scenario: { type: "string", default: "both" },
    client: { type: "string", default: "auto" },
  },
});
if (values.client !== "auto" && values.client !== "dgram") throw new Error(`--client must be auto or dgram`);
const clientEnv = values.client === "dgram" ? { ...process.env, CHRONOSYNC_NATIVE: "0" } : process.env;
const runs = Number(values.runs);
const chronyRuns = Number(values["chrony-runs"]);

async function ourOffsetNs(port) {
  const { stdout } = await run(
    process.execPath,
    [CLI, "query", `ntp://127.0.0.1:${port}`, "--samples", "4", "--json"],
    { env: clientEnv },
  );
  return JSON.parse(stdout).offsetNs;
}

async function chronyOffsetNs(dir, port) {
  const { stderr, stdout } = await run("chronyd", [
    "-Q",
    "-t",
    "20",
    `server 127.0.0.1 port ${port} iburst`,
    `pidfile ${join(dir, "q.pid")}`,
  ]);
  const match = /System clock wrong by (-?[0-9.]+) seconds/.exec(stderr + stdout);
  if (!match) throw new Error(`chronyd -Q gave no offset: ${stderr}`);
  return Math.round(Number(match[1]) * 1e9);
}

/** Interleaves our runs and chronyd -Q runs (about runs/chronyRuns of ours per chronyd). */
async function measure(dir, port, truthNs) {
  const ours = [];
  const chrony = [];
  const perChrony = Math.ceil(runs / chronyRuns);
  while (ours.length < runs || chrony.length < chronyRuns) {
    for (let i = 0; i < perChrony && ours.length < runs; i++) ours.push((await ourOffsetNs(port)) - truthNs);
    if (chrony.length < chronyRuns) chrony.push((await chronyOffsetNs(dir, port)) - truthNs);
  }
  const stats = (errors) => ({
    runs: errors.length,
    medianAbsErrorUs: Number((median(errors.map(Math.abs)) / 1e3).toFixed(1)),
    p99AbsErrorUs: Number((percentile(errors.map(Math.abs), 99) / 1e3).toFixed(1)),
    medianErrorUs: Number((median(errors) / 1e3).toFixed(1)),
  });
  const result = { chronosync: stats(ours), chronydQ: stats(chrony) };
  // Server-side bias (e.g. libfaketime's own overhead) shows in both; the difference does not.
  result.medianDifferenceUs = Number(((median(ours) - median(chrony)) / 1e3).toFixed(1));
  return result;
}

const dir = makeWorkDir();
const servers = [];
const report = {
  benchmark: "query-accuracy",
  date: new Date().toISOString(),
  machine: machine(),
  ours: "chronosync query ntp://127.0.0.1:PORT --samples 4 --json",
  client: clientEnv.CHRONOSYNC_NATIVE === "0" ? "dgram (CHRONOSYNC_NATIVE=0)" : "auto (native when built)",
  chronyd: "chronyd -Q -t 20 'server 127.0.0.1 port PORT iburst'",
};
try {
  if (values.scenario === "faketime" || values.scenario === "both") {
    const server = await startChronyd(dir, "faketime", await freeUdpPort(), ["local stratum 1"], {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: "+2.5",
    });
    servers.push(server);
    await sleep(500);
    report.faketime = {
      truth: "+2.500000000 s (libfaketime)",
      ...(await measure(dir, server.port, 2_500_000_000)),
    };
    console.error(JSON.stringify(report.faketime));
  }
  if (values.scenario === "relay" || values.scenario === "both") {
    const upstream = await startChronyd(dir, "upstream", await freeUdpPort(), ["local stratum 1"]);
    servers.push(upstream);
    const relay = await startChronyd(dir, "relay", await freeUdpPort(), [
      `server 127.0.0.1 port ${upstream.port} iburst minpoll -2 maxpoll -2 offset 0.050`,
    ]);
    servers.push(relay);
    await sleep(15_000); // let the relay lock on to its upstream
    report.relay = {
      truth: "+50 ms (chronyd relay, offset 0.050)",
      ...(await measure(dir, relay.port, 50_000_000)),
    };
    console.error(JSON.stringify(report.relay));
  }
  console.log(JSON.stringify(report, null, 2));
} finally {
  for (const server of servers.reverse()) await server.stop();
  cleanup(dir);
}
