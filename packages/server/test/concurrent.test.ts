// Two real server processes appending to one PostgreSQL at once: the advisory lock keeps
// one chain — no fork, no gap, no duplicate — and the export verifies.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { verifyLogExport } from "@chronosync/core";
import { buildApp } from "@chronosync/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type TestDatabase } from "./helpers/databases.js";

const WORKER = fileURLToPath(new URL("./fixtures/append-worker.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Spawns a worker; `ready` once it printed "ready", `done` with its stdout at exit 0. */
function startWorker(name: string, dataDir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [WORKER, dataDir, name, "40", "25"], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: string) => {
      stdout += d;
      if (stdout.startsWith("ready\n")) resolve();
    });
    child.on("close", () => reject(new Error(`worker ${name} exited early:\n${stderr}`)));
  });
  const done = new Promise<string>((resolve, reject) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`worker ${name} exited ${code}:\n${stderr}`));
    }),
  );
  return { child, ready, done };
}

describe.each(BACKENDS)("two server processes on $name PostgreSQL", ({ create }) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error("build first (npx tsc -b): the worker runs packages/server/dist");
    db = await create();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("append concurrently into one gap-free chain that verifies", async () => {
    const masterKey = randomBytes(32).toString("base64");
    const env = { PATH: process.env.PATH ?? "", DATABASE_URL: db.url, CHRONOSYNC_MASTER_KEY: masterKey };
    const workers = ["a", "b"].map((name) => startWorker(name, db.dataDir, env));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.write("go\n");
    const outputs = await Promise.all(workers.map((w) => w.done));
    expect(outputs.map((o) => JSON.parse(o.split("\n").at(-2)!).appended)).toEqual([1000, 1000]);

    const app = await buildApp({ dataDir: db.dataDir, databaseUrl: db.url, masterKey });
    try {
      expect(await app.ledger.seal()).toBe(0);
      const exported = await app.ledger.export(0n);
      expect(exported.entries).toHaveLength(2000);
      expect(exported.entries.map((e) => e.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
      const byWorker = new Map<string, number>();
      for (const e of exported.entries) {
        const w = (e.payload as { worker: string }).worker;
        byWorker.set(w, (byWorker.get(w) ?? 0) + 1);
      }
      expect(Object.fromEntries(byWorker)).toEqual({ a: 1000, b: 1000 });
      // The two processes really took turns (batches interleave in the chain).
      const switches = exported.entries.filter(
        (e, i) =>
          i > 0 &&
          (e.payload as { worker: string }).worker !==
            (exported.entries[i - 1]!.payload as { worker: string }).worker,
      ).length;
      expect(switches).toBeGreaterThanOrEqual(2);
      const sealed = exported.checkpoints.reduce((n, cp) => n + cp.checkpoint.treeSize, 0);
      expect(sealed).toBe(2000);
      expect(verifyLogExport(exported, await app.keys.keySet())).toEqual({ valid: true });
    } finally {
      await app.close();
    }
  });
});
