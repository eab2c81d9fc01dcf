/**
 * Applies the drizzle-kit SQL migrations in `packages/server/migrations` with drizzle's
 * node-postgres migrator, under a session advisory lock so several server processes
 * starting at once on one PostgreSQL migrate exactly once.
 * @see https://orm.drizzle.team/docs/migrations
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as drizzleMigrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/** Advisory lock key of migrations ("csmg"). */
const MIGRATION_LOCK = 0x63736d67;

/**
 * The migrations folder: `../../migrations` from both `src/db` (tests) and `dist/db`
 * (the built package).
 */
export function migrationsFolder(): string {
  const folder = fileURLToPath(new URL("../../migrations", import.meta.url));
  if (!existsSync(folder)) throw new Error(`migrations folder not found at ${folder}`);
  return folder;
}

/** Number of migrations the package ships (from drizzle-kit's journal). */
export function shippedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(`${migrationsFolder()}/meta/_journal.json`, "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Applies every pending migration to the database at `url`; returns how many exist. */
export async function migrate(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await drizzleMigrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    return shippedMigrationCount();
  } finally {
    await client.end();
  }
}

/** How many migrations the database has applied (0 when none). */
export async function appliedMigrationCount(query: pg.Pool | pg.Client): Promise<number> {
  const table = await query.query<{ t: string | null }>(
    "SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t",
  );
  if (table.rows[0]?.t == null) return 0;
  const result = await query.query<{ n: string }>("SELECT count(*) AS n FROM drizzle.__drizzle_migrations");
  return Number(result.rows[0]?.n ?? 0);
}
