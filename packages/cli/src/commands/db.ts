/**
 * `chronosync db migrate`: applies the server's pending database migrations (the same
 * ones `chronosync server` applies at start) to DATABASE_URL or the embedded PostgreSQL.
 */
import { parseCommandArgs } from "../args.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../errors.js";
import { quote } from "../target.js";
import { translateStartError } from "./server.js";

export const DB_HELP = `Usage: chronosync db migrate [options]

Applies pending migrations of the server's database and exits.

Options:
  --data-dir DIR        where the embedded database lives (default ./.chronosync;
                        env CHRONOSYNC_DATA_DIR)
  --database-url URL    external PostgreSQL >= 15 (env DATABASE_URL)
  -h, --help            show this help

Exit status: 0 migrated, 2 usage, 7 database unreachable, 1 internal error.
`;

interface DbFlags {
  "data-dir"?: string;
  "database-url"?: string;
  help?: boolean;
}

export interface RunDbOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs `chronosync db <subcommand>`. */
export async function runDb(
  args: readonly string[],
  ctx: CliContext,
  options: RunDbOptions = {},
): Promise<number> {
  const { values, positionals } = parseCommandArgs<DbFlags>("db", args, {
    "data-dir": { type: "string" },
    "database-url": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help === true) {
    ctx.out(DB_HELP);
    return 0;
  }
  const [sub, extra] = positionals;
  if (sub !== "migrate")
    throw new UsageError(
      sub === undefined ? "db needs a subcommand: migrate" : `unknown db subcommand ${quote(sub)}`,
    );
  if (extra !== undefined) throw new UsageError(`unexpected argument ${quote(extra)} for db migrate`);
  const { migrate, resolveConfig, startEmbeddedDatabase } = await import("@chronosync/server");
  try {
    const config = resolveConfig(
      { dataDir: values["data-dir"], databaseUrl: values["database-url"] },
      options.env ?? process.env,
      options.cwd ?? process.cwd(),
    );
    if (config.databaseUrl !== undefined) {
      const count = await migrate(config.databaseUrl);
      ctx.out(`database up to date (${count} migrations)\n`);
      return 0;
    }
    const embedded = await startEmbeddedDatabase(config.dataDir);
    try {
      const count = await migrate(embedded.url);
      ctx.out(`embedded database in ${config.dataDir}/pg up to date (${count} migrations)\n`);
    } finally {
      await embedded.stop();
    }
    return 0;
  } catch (err) {
    throw translateStartError(err);
  }
}
