/**
 * A real ChronoSync server for the dashboard's end-to-end tests: `buildApp` on a fresh
 * database of the external PostgreSQL on 127.0.0.1:5432 (dropped after), the first `admin`
 * with a generated password (which the server marks must-change, as on a first start),
 * listening on a free loopback port.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, ensureAdmin } from "@chronosync/server";
import pg from "pg";

const ADMIN_URL = process.env.CHRONOSYNC_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface RealServer {
  readonly url: string;
  readonly adminPassword: string;
  close(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface RealServerOptions {
  /** The built dashboard the server serves at `/` (default: the server's own default). */
  readonly dashboardDir?: string;
  /** The admin's password, chosen (not must-change); default: generated, must-change. */
  readonly adminPassword?: string;
}

export async function startRealServer(options: RealServerOptions = {}): Promise<RealServer> {
  const name = `chronosync_dash_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const dataDir = await mkdtemp(join(tmpdir(), "chronosync-dash-"));
  await chmod(dataDir, 0o711);
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${name}`;
  const app = await buildApp({
    dataDir,
    databaseUrl: databaseUrl.toString(),
    masterKey: randomBytes(32).toString("base64"),
    loginsPerMinute: 100,
    dashboardDir: options.dashboardDir,
  });
  const { created, generatedPassword } = await ensureAdmin(app.database.pool, options.adminPassword);
  const adminPassword = options.adminPassword ?? generatedPassword;
  if (!created || adminPassword === undefined) throw new Error("the admin already existed");
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url: address,
    adminPassword,
    async close() {
      await app.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
