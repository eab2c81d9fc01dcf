#!/usr/bin/env node
// How late are our NTP timestamps when requests come a few times a second (every
// callback into JavaScript cold), against chronyd, which stamps with the kernel on both
// sides? Client and servers read the same system clock, so the true offset is 0.
// - Server: one `chronyd -x` client (`minpoll -2`: 4 requests/s, `log measurements`) per
//   server, in parallel, against `chronyd -x`, `chronosync serve ntp --transport native`
//   and `--transport dgram`. Our T2 late by x shows as delay +x and offset +x/2.
// - Client: `queryNtp` (samples 1, in this process) against the chronyd server, native
//   and dgram interleaved, `--interval` ms apart. T1 early or T4 late by x shows as delay
//   +x; chronyd's own client (the first line) is the reference.
//
// Usage: node bench/ntp-cold-timestamps.mjs [--seconds 30] [--interval 200]
// Requires `npx tsc -b`, `node packages/protocols/scripts/build-native.mjs` and root.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { queryNtp } from "../packages/protocols/dist/index.js";
import {
  cleanup,
  freeUdpPort,
  machine,
  makeWorkDir,
  median,
  percentile,
  sleep,
  startChronosync,
  startChronyd,
} from "./lib/peers.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "30" }, interval: { type: "string", default: "200" } },
});
const seconds = Number(values.seconds);
const intervalMs = Number(values.interval);

const us = (xs) => ({
  samples: xs.length,
  medianUs: Number(median(xs).toFixed(2)),
  p25Us: Number(percentile(xs, 25).toFixed(2)),
  p75Us: Number(percentile(xs, 75).toFixed(2)),
});
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Runs one `chronyd -x` client per target for `seconds`; its per-sample offset and delay, µs. */
async function chronydClients(dir, targets) {
  const children = targets.map(([, port], i) => {
    const logdir = join(dir, `client${i}`);
    execFileSync("install", ["-d", "-o", "_chrony", logdir]);
    const conf = join(dir, `client${i}.conf`);
    writeFileSync(
      conf,
      [
        `server 127.0.0.1 port ${port} minpoll -2 maxpoll -2`,
        "port 0",
        "cmdport 0",
        "bindcmdaddress /",
        `pidfile ${join(dir, `client${i}.pid`)}`,
        `logdir ${logdir}`,
        "log measurements",
        "",
      ].join("\n"),
    );
    const child = spawn("chronyd", ["-x", "-d", "-f", conf], { stdio: "ignore" });
    return { child, exited: new Promise((done) => child.once("exit", done)) };
  });
  await sleep(seconds * 1000);
  for (const { child, exited } of children) {
    child.kill("SIGTERM");
    await exited;
  }
  return Object.fromEntries(
    targets.map(([name], i) => {
      const offsets = [];
      const delays = [];
      let sources = "";
      for (const line of readFileSync(join(dir, `client${i}`, "measurements.log"), "utf8").split("\n")) {
        if (!/^\d{4}-/.test(line)) continue;
        // Date Time IP L St 123 567 ABCD LP RP Score Offset Peer-del Peer-disp Root-del Root-disp Refid Mode TxRx
        const f = line.trim().split(/\s+/);
        offsets.push(Number(f[11]) * 1e6);
        delays.push(Number(f[12]) * 1e6);
        sources = f.slice(17).join(" ");
      }
      return [name, { modeAndTimestamps: sources, offset: us(offsets), delay: us(delays) }];
    }),
  );
}

const dir = makeWorkDir("cs-cold-ts-");
const started = [];
try {
  const loadBefore = loadAverage();
  const chronyd = await startChronyd(dir, "server", await freeUdpPort(), ["local stratum 1"]);
  started.push(chronyd);
  const native = await startChronosync(["--transport", "native", "--no-rate-limit"]);
  started.push(native);
  const dgram = await startChronosync(["--transport", "dgram", "--no-rate-limit"]);
  started.push(dgram);
  process.stderr.write(`chronyd clients for ${seconds} s…\n`);
  const server = await chronydClients(dir, [
    ["chronyd", chronyd.port],
    ["chronosync-native", native.port],
    ["chronosync-dgram", dgram.port],
  ]);
  process.stderr.write(`queryNtp for ${seconds} s…\n`);
  const client = { native: { offsets: [], delays: [] }, dgram: { offsets: [], delays: [] } };
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    for (const transport of ["native", "dgram"]) {
      const { best } = await queryNtp(
        { host: "127.0.0.1", port: chronyd.port },
        { samples: 1, native: transport === "native" },
      );
      client[transport].offsets.push(Number(best.offsetNs) / 1000);
      client[transport].delays.push(Number(best.delayNs) / 1000);
      await sleep(intervalMs);
    }
  }
  console.log(
    JSON.stringify(
      {
        benchmark: "ntp-cold-timestamps",
        date: new Date().toISOString(),
        machine: machine(),
        loadAverage: { before: loadBefore, after: loadAverage() },
        seconds,
        "chronyd client (4 requests/s) → server": server,
        "queryNtp → chronyd": Object.fromEntries(
          Object.entries(client).map(([k, v]) => [k, { offset: us(v.offsets), delay: us(v.delays) }]),
        ),
      },
      null,
      2,
    ),
  );
} finally {
  for (const peer of started.reverse()) await peer.stop();
  cleanup(dir);
}
