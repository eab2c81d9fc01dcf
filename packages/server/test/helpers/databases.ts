/**
 * Test databases: the external PostgreSQL on 127.0.0.1:5432 (a uniquely named database
 * per test file, dropped after) and an embedded PostgreSQL in a temp data dir (removed
 * after). `forEachBackend` runs one suite against both.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedDatabase } from "@chronosync/server";
import pg from "pg";

export const EXTERNAL_ADMIN_URL =
  process.env.CHRONOSYNC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database for one test file: `url` to use, `admin` a superuser URL on the same cluster. */
export interface TestDatabase {
  readonly name: "external" | "embedded";
  readonly url: string;
  readonly adminUrl: string;
  readonly dataDir: string;
  /** Creates another empty database on the same cluster (dropped by dispose). */
  scratch(): Promise<string>;
  dispose(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates databases on the cluster of `adminUrl` and drops them all on `drop()`. */
function scratchDatabases(adminUrl: string) {
  const names: string[] = [];
  return {
    async create(): Promise<string> {
      const name = `chronosync_test_${randomBytes(6).toString("hex")}`;
      await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
      names.push(name);
      return withDatabase(adminUrl, name);
    },
    async drop(): Promise<void> {
      for (const name of names.splice(0))
        await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A temp dir the embedded PostgreSQL (run as user postgres under root) can traverse. */
export async function makeDataDir(prefix = "chronosync-server-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o711);
  return dir;
}

export async function createExternalDatabase(): Promise<TestDatabase> {
  const scratch = scratchDatabases(EXTERNAL_ADMIN_URL);
  const url = await scratch.create();
  const dataDir = await makeDataDir();
  return {
    name: "external",
    url,
    adminUrl: url,
    dataDir,
    scratch: () => scratch.create(),
    async dispose() {
      await scratch.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createEmbeddedDatabase(): Promise<TestDatabase & { stop(): Promise<void> }> {
  const dataDir = await makeDataDir();
  const embedded = await startEmbeddedDatabase(dataDir);
  const scratch = scratchDatabases(embedded.url);
  return {
    name: "embedded",
    url: embedded.url,
    adminUrl: embedded.url,
    dataDir,
    scratch: () => scratch.create(),
    stop: () => embedded.stop(),
    async dispose() {
      await scratch.drop().catch(() => {});
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Both backends, for `describe.each`. */
export const BACKENDS = [
  { name: "external", create: createExternalDatabase },
  { name: "embedded", create: createEmbeddedDatabase },
] as const;

/** Runs `sql` (may be several statements) as the superuser on database `url`. */
export async function superuserQuery(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}
