// The server side of the normalize benchmarks (bench/normalize.mjs, bench/normalize-cpu.mjs):
// a scratch database (embedded, or created on BENCH_DATABASE_ADMIN_URL and dropped after) and
// a child process running `bench/normalize.mjs --serve` with the given V8 flags, which
// prints its ports (grouped, single, echo) and an operator token on its first line.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The seed's request body with `n` timestamps. */
export const SEED = (n) => ({
  sourceId: "cluster-01",
  timestamps: Array.from({ length: n }, (_, i) => ({
    value: 1703054123456 + i,
    precision: 0.001,
    source: "ntp://pool.ntp.org",
  })),
  requestMetadata: { clientId: "unique-client-identifier", requestTimestamp: 1703054123500 },
});

/**
 * Starts the database and the server child; resolves with `{ ports, child, stop }`.
 * @param {{ embedded?: boolean, noHistory?: boolean, nodeArgs?: string[], workers?: number, appendThread?: boolean }} options
 */
export async function startNormalizeServer({
  embedded = false,
  noHistory = false,
  nodeArgs = [],
  workers = 1,
  appendThread = true,
} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "chronosync-bench-normalize-"));
  chmodSync(dataDir, 0o711);
  let url;
  let dropDatabase = async () => {};
  if (embedded) {
    const { startEmbeddedDatabase } = await import("@chronosync/server");
    const db = await startEmbeddedDatabase(dataDir);
    url = db.url;
    dropDatabase = () => db.stop();
  } else {
    const { default: pg } = await import("pg");
    const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `chronosync_bench_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
    };
  }
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      new URL("../normalize.mjs", import.meta.url).pathname,
      "--serve",
      JSON.stringify({ url, dataDir, noHistory, workers, appendThread }),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const stop = async () => {
    child.stdin.end();
    await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r()));
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
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
    return { ports, child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
