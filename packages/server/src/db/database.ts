/**
 * The database connection of a server process: an external PostgreSQL (`DATABASE_URL`)
 * or the embedded one, a node-postgres pool, drizzle over it, migrations applied.
 */
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { startEmbeddedDatabase } from "./embedded.js";
import { migrate } from "./migrate.js";
import * as schema from "./schema/index.js";

export type Db = NodePgDatabase<typeof schema>;

/** An open database: close() ends the pool and stops the embedded cluster, if any. */
export interface Database {
  readonly pool: pg.Pool;
  readonly db: Db;
  readonly url: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** External PostgreSQL; absent = embedded under `<dataDir>/pg`. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
  /** Apply migrations before returning (default true). */
  readonly migrate?: boolean;
  readonly poolSize?: number;
  readonly log?: (line: string) => void;
}

/** Opens the pool over an already running database at `url`. */
export function openPool(url: string, poolSize = 10, log: (line: string) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (database restart, pg_terminate_backend)
  // must not crash the process: the pool drops it and reconnects on the next query.
  pool.on("error", (err) => log(`database pool: ${err.message}`));
  return pool;
}

/** Starts or connects to the database, applies migrations, returns the pool. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const embedded =
    options.databaseUrl === undefined ? await startEmbeddedDatabase(options.dataDir, options.log) : undefined;
  const url = options.databaseUrl ?? embedded!.url;
  try {
    if (options.migrate !== false) await migrate(url);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const pool = openPool(url, options.poolSize, options.log);
  let closed: Promise<void> | undefined;
  return {
    pool,
    db: drizzle(pool, { schema }),
    url,
    embedded: embedded !== undefined,
    close: () => {
      closed ??= (async () => {
        await pool.end().catch(() => {});
        await embedded?.stop();
      })();
      return closed;
    },
  };
}
