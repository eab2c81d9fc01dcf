#!/usr/bin/env node
// Log append throughput (append + seal + receipts in one transaction) on the external
// PostgreSQL (BENCH_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres;
// a scratch database is created and dropped) and on the embedded one (a temp data dir).
// Runs the built package: `npx tsc -b` first. Usage: node packages/server/bench/ledger-append.mjs
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, startEmbeddedDatabase } from "@chronosync/server";
import pg from "pg";

const ADMIN = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CASES = [
  { batches: 20, size: 1000 },
  { batches: 500, size: 1 },
];

async function measure(label, url, dataDir) {
  const app = await buildApp({ dataDir, databaseUrl: url, masterKey: randomBytes(32).toString("base64") });
  try {
    for (const { batches, size } of CASES) {
      const started = performance.now();
      for (let b = 0; b < batches; b++) {
        await app.ledger.append(
          "bench",
          Array.from({ length: size }, (_, i) => ({ i, value: "x".repeat(40) })),
        );
      }
      const seconds = (performance.now() - started) / 1000;
      const rate = Math.round((batches * size) / seconds);
      console.log(
        `${label}\tbatch ${size}\t${rate} entries/s\t${((seconds * 1000) / batches).toFixed(2)} ms/append`,
      );
    }
  } finally {
    await app.close();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "chronosync-bench-"));
chmodSync(dataDir, 0o711);
const name = `chronosync_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN });
try {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  await measure("external", url.toString(), dataDir);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  await admin.end();
}
const embedded = await startEmbeddedDatabase(dataDir);
try {
  await measure("embedded", embedded.url, dataDir);
} finally {
  await embedded.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
