// startServer on an external database (first admin from the environment, once), and
// buildApp with the embedded database: closing the app stops PostgreSQL.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildApp, resolveConfig, startServer } from "@chronosync/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExternalDatabase, makeDataDir, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

describe("startServer on an external database", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createExternalDatabase();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("creates admin from CHRONOSYNC_ADMIN_PASSWORD once, listens, and closes", async () => {
    const env = {
      DATABASE_URL: db.url,
      CHRONOSYNC_MASTER_KEY: TEST_MASTER_KEY,
      CHRONOSYNC_ADMIN_PASSWORD: "s3cret-pass",
    };
    const config = resolveConfig({ port: "0", dataDir: db.dataDir }, env, "/");
    const first = await startServer(config);
    try {
      expect(first).toMatchObject({ embedded: false, adminCreated: true, generatedAdminPassword: undefined });
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const login = await fetch(`${first.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "s3cret-pass" }),
      });
      expect(login.status).toBe(200);
    } finally {
      await first.close();
    }
    const second = await startServer({ ...config, adminPassword: undefined });
    try {
      expect(second).toMatchObject({ adminCreated: false, generatedAdminPassword: undefined });
      const kinds = (await second.app.ledger.export(0n)).entries.map((e) => e.kind);
      expect(kinds).toEqual(["audit.user-created", "audit.login"]);
    } finally {
      await second.close();
    }
  });

  it("refuses a port in use", async () => {
    const config = resolveConfig(
      { port: "0", dataDir: db.dataDir },
      { DATABASE_URL: db.url, CHRONOSYNC_MASTER_KEY: TEST_MASTER_KEY },
      "/",
    );
    const first = await startServer(config);
    try {
      const port = Number(new URL(first.url).port);
      await expect(startServer({ ...config, port })).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await first.close();
    }
  });
});

describe("buildApp on the embedded database", () => {
  it("starts PostgreSQL under <dataDir>/pg and stops it when the app closes", async () => {
    const dataDir = await makeDataDir();
    try {
      const app = await buildApp({ dataDir });
      const pgDir = join(dataDir, "pg");
      expect(await processesMentioning(pgDir)).not.toHaveLength(0);
      expect((await app.inject("/readyz")).statusCode).toBe(200);
      await app.close();
      expect(await processesMentioning(pgDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
