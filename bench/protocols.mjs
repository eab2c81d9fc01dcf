#!/usr/bin/env node
// Per-protocol loopback accuracy against a known truth, and CPU time per exchange
// (issue 6 §7). Each server serves a clock shifted by a known offset (our servers take an
// injected clock; chronyd runs under libfaketime), and our client measures it:
// error = measured offset − the shift. CPU is this process's user+system time (client
// side; for our own servers in this process, client + server) per exchange, from
// process.cpuUsage around --runs queries.
//
//   ntp        queryNtp (4 samples)      → chronyd -x under FAKETIME="+2.5" (a real peer)
//   nts        queryNts (4 samples)      → our NTS-KE + NTS-NTP server, clock +2.5 s
//   roughtime  queryRoughtime            → our Roughtime server, clock +2.5 s (MIDP is whole
//                                          seconds in draft 19: error up to ±0.5 s + RADI)
//   http-date  queryHttpDate             → a node:http server whose Date header runs +2.345 s
//   chronosync queryChronosyncTime (4)   → our server's POST /api/time, clock +2.5 s
//                                          (needs PostgreSQL at CHRONOSYNC_TEST_PG or
//                                          postgres://postgres@127.0.0.1:5432; skipped otherwise)
//
// Usage: node bench/protocols.mjs [--runs 20] [--only ntp,nts,roughtime,http-date,chronosync]
// Requires `npm run build`. Prints a table and writes bench/results/protocols-<time>.json.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "../packages/core/dist/index.js";
import {
  formatHttpDate,
  NtpResponder,
  queryChronosyncTime,
  queryHttpDate,
  queryNtp,
  queryNts,
  queryRoughtime,
  startNtsServer,
  startRoughtimeServer,
} from "../packages/protocols/dist/index.js";
import { createSelfSignedCertificate, startChronydServer } from "../packages/testkit/dist/index.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "20" }, only: { type: "string" } },
});
const runs = Number(values.runs);
const only = values.only?.split(",");
const want = (name) => only === undefined || only.includes(name);

const SHIFT_NS = 2_500_000_000n;
const shifted = (offsetNs) => ({
  precisionLog2: systemClock.precisionLog2,
  now: () => systemClock.now() + offsetNs,
});

async function selfSignedCert() {
  const dir = await mkdtemp(join(tmpdir(), "chronosync-bench-cert-"));
  try {
    return await createSelfSignedCertificate(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs `query` `runs` times; returns errors (µs) and CPU µs per exchange. */
async function measure(name, truthNs, exchangesPerQuery, query) {
  await query(); // warm-up (connections, JIT)
  const errors = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) errors.push(Number((await query()) - truthNs) / 1000);
  const cpu = process.cpuUsage(cpu0);
  const cpuPerExchangeUs = (cpu.user + cpu.system) / (runs * exchangesPerQuery);
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const row = {
    protocol: name,
    runs,
    medianAbsErrorUs: median(abs),
    maxAbsErrorUs: abs[abs.length - 1],
    medianSignedErrorUs: median(errors),
    cpuPerExchangeUs,
  };
  console.error(
    `${name}: median |error| ${row.medianAbsErrorUs.toFixed(1)} µs, max ${row.maxAbsErrorUs.toFixed(1)} µs, ` +
      `CPU ${cpuPerExchangeUs.toFixed(0)} µs/exchange`,
  );
  return row;
}

const rows = [];
const notes = [];

if (want("ntp")) {
  const chronyd = await startChronydServer({ faketime: "+2.5" });
  try {
    rows.push(
      await measure("ntp (chronyd, faketime)", SHIFT_NS, 4, async () => {
        const r = await queryNtp({ host: "127.0.0.1", port: chronyd.port }, { samples: 4, intervalMs: 0 });
        return r.best.offsetNs;
      }),
    );
  } finally {
    await chronyd.stop();
  }
}

if (want("nts")) {
  const { cert, key } = await selfSignedCert();
  const ntp = new NtpResponder({
    clock: shifted(SHIFT_NS),
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: 0x4c4f434c,
      referenceTime: systemClock.now() + SHIFT_NS,
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      precision: -20,
    },
    rateLimit: false,
  });
  const server = await startNtsServer({ host: "127.0.0.1", ntpPort: 0, kePort: 0, cert, key, ntp });
  try {
    rows.push(
      await measure("nts (ours, KE each query)", SHIFT_NS, 4, async () => {
        const r = await queryNts(
          { host: "127.0.0.1", port: server.keAddress.port },
          { ca: cert, servername: "localhost", samples: 4, intervalMs: 0 },
        );
        return r.best.offsetNs;
      }),
    );
    notes.push("nts: CPU includes one NTS-KE (TLS 1.3 handshake) per 4 exchanges, client and server");
  } finally {
    await server.close();
  }
}

if (want("roughtime")) {
  const longTermSecretKey = randomBytes(32);
  const server = await startRoughtimeServer({
    longTermSecretKey,
    host: "127.0.0.1",
    port: 0,
    tcp: false,
    clock: shifted(SHIFT_NS),
  });
  try {
    rows.push(
      await measure("roughtime (ours)", SHIFT_NS, 1, async () => {
        const r = await queryRoughtime("127.0.0.1", server.port, server.publicKey, { transport: "udp" });
        return r.offsetNs;
      }),
    );
    notes.push(
      "roughtime: MIDP has whole-second resolution in draft 19, so |error| < 0.5 s + RADI is correct",
    );
  } finally {
    await server.close();
  }
}

if (want("http-date")) {
  const shift = 2_345_000_000n;
  const http = createServer((_req, res) => {
    res.setHeader("date", formatHttpDate(Number((systemClock.now() + shift) / 1_000_000_000n)));
    res.end();
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${http.address().port}/`;
  try {
    let exchanges = 0;
    const row = await measure("http-date (node:http)", shift, 1, async () => {
      const r = await queryHttpDate(url);
      exchanges += r.samples.length;
      return r.offsetNs;
    });
    notes.push(`http-date: ${(exchanges / (runs + 1)).toFixed(1)} HEAD requests per query; CPU is per query`);
    rows.push(row);
  } finally {
    http.close();
  }
}

if (want("chronosync")) {
  const pgUrl = process.env.CHRONOSYNC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
  let server;
  const dbName = `chronosync_bench_${randomBytes(4).toString("hex")}`;
  const dataDir = await mkdtemp(join(tmpdir(), "chronosync-bench-server-"));
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: pgUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const dbUrl = new URL(pgUrl);
    dbUrl.pathname = `/${dbName}`;
    const { buildApp } = await import("../packages/server/dist/index.js");
    server = await buildApp({
      dataDir,
      databaseUrl: dbUrl.toString(),
      masterKey: randomBytes(32).toString("base64"),
      clock: shifted(SHIFT_NS),
    });
    const base = await server.listen({ host: "127.0.0.1", port: 0 });
    rows.push(
      await measure("chronosync time (ours, HTTP)", SHIFT_NS, 4, async () => {
        const r = await queryChronosyncTime(base, { samples: 4 });
        return r.best.offsetNs;
      }),
    );
    notes.push("chronosync: CPU includes the server's Ed25519 signature and Fastify, in this process");
  } catch (err) {
    notes.push(`chronosync: skipped (${err.message})`);
  } finally {
    await server?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((x) => Number(x.toFixed(2))),
  runs,
  rows,
  notes,
};
console.log("| protocol | runs | median \\|error\\| | max \\|error\\| | signed median | CPU / exchange |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.protocol} | ${r.runs} | ${r.medianAbsErrorUs.toFixed(1)} µs | ${r.maxAbsErrorUs.toFixed(1)} µs | ` +
      `${r.medianSignedErrorUs.toFixed(1)} µs | ${r.cpuPerExchangeUs.toFixed(0)} µs |`,
  );
}
for (const n of notes) console.log(`- ${n}`);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = new URL(`./results/protocols-${result.date.replace(/[:.]/g, "-")}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.error(`wrote ${file.pathname}`);
