/**
 * `startCluster(config, { workers })`: the server on several cores. This process (the
 * primary) opens the database — starts the embedded PostgreSQL, applies migrations —
 * reads the master key, and forks `workers` processes (node:cluster) that each run the
 * whole app (`startServer`) on that one database and share the listening port; the
 * primary accepts connections and hands them out in turn. Everything the app keeps
 * across processes is already in PostgreSQL (the log's appends run under advisory locks,
 * events travel by LISTEN/NOTIFY), so N workers behave as one server.
 *
 * The first worker starts alone (it creates the first admin and signing key), the others
 * after it listens. A worker that dies is replaced after a second; `close()` stops the
 * workers, then the database. A worker stops cleanly on SIGINT or SIGTERM and exits when
 * the primary goes away.
 */
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { ConfigError } from "./errors.js";
import { loadMasterKey } from "./keys/master-key.js";
import type { RunningServer } from "./server.js";

/** Primary → worker: what to start. */
export interface WorkerStartMessage {
  readonly type: "chronosync-start";
  readonly config: ServerConfig;
  /** Create the first admin if missing (the first worker only). */
  readonly ensureAdmin: boolean;
  /** Fastify logger level, or false for none. */
  readonly logLevel: string | false;
}

/** Worker → primary. */
export type WorkerMessage =
  /** Listening for the start message (sent before it could be lost: ESM loads asynchronously). */
  | { readonly type: "chronosync-ready" }
  | {
      readonly type: "chronosync-listening";
      readonly url: string;
      readonly generatedAdminPassword?: string;
      readonly adminCreated: boolean;
    }
  | { readonly type: "chronosync-failed"; readonly message: string; readonly code?: string };

export interface ClusterOptions {
  /** Worker processes (≥ 2; `startServer` runs one server in this process). */
  readonly workers: number;
  /** Fastify logger level of the workers (JSON on stderr), or false for none. */
  readonly logLevel?: string | false;
  /** Lines from the primary: worker exits and restarts. */
  readonly log?: (line: string) => void;
  /** Milliseconds before a dead worker is replaced (default 1000). */
  readonly restartDelayMs?: number;
  /** Node flags of the workers (default: this process's `execArgv`). */
  readonly execArgv?: readonly string[];
}

export type RunningCluster = Omit<RunningServer, "app">;

/** Parses `--workers` / `CHRONOSYNC_WORKERS`: a count ≥ 1, or `auto` (one per core). */
export function parseWorkers(text: string | undefined, name = "--workers"): number {
  if (text === undefined || text === "") return 1;
  if (text === "auto") return availableParallelism();
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 256)
    throw new ConfigError(`${name} must be a number of processes 1-256, or auto`);
  return Number(text);
}

const WORKER_ENTRY = fileURLToPath(new URL("./cluster-worker.js", import.meta.url));

/** Starts the database and `options.workers` server processes; resolves once all listen. */
export async function startCluster(config: ServerConfig, options: ClusterOptions): Promise<RunningCluster> {
  if (!cluster.isPrimary) throw new Error("startCluster runs in a cluster's primary process");
  const log = options.log ?? (() => {});
  // Missing or malformed key files fail here, before any worker starts.
  const masterKey = (await loadMasterKey(config.dataDir, config.masterKey)).toString("base64");
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 1,
  });
  const workerConfig: ServerConfig = { ...config, databaseUrl: database.url, masterKey };
  cluster.setupPrimary({
    exec: WORKER_ENTRY,
    args: [],
    execArgv: [...(options.execArgv ?? process.execArgv)],
    // Structured clone: the configuration holds bigints (normalize policy).
    serialization: "advanced",
  });
  const workers = new Set<Worker>();
  let closing = false;

  const fork = (ensureAdmin: boolean): Promise<WorkerMessage & { type: "chronosync-listening" }> => {
    const worker = cluster.fork();
    workers.add(worker);
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "chronosync-ready") {
          const start: WorkerStartMessage = {
            type: "chronosync-start",
            config: workerConfig,
            ensureAdmin,
            logLevel: options.logLevel ?? false,
          };
          worker.send(start);
        } else if (message.type === "chronosync-listening") {
          started = true;
          resolve(message);
        } else if (message.type === "chronosync-failed") {
          reject(Object.assign(new Error(message.message), { code: message.code }));
        }
      });
      worker.on("exit", (code, signal) => {
        workers.delete(worker);
        if (!started) {
          reject(new Error(`server worker ${worker.process.pid} exited at start (${signal ?? code})`));
          return;
        }
        if (closing) return;
        log(`server worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
        setTimeout(() => {
          if (!closing)
            fork(false).catch((err: unknown) => log(`server worker failed to start: ${String(err)}`));
        }, options.restartDelayMs ?? 1000).unref();
      });
    });
  };

  const stopWorkers = async (): Promise<void> => {
    closing = true;
    const exits = [...workers].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          const kill = setTimeout(() => worker.process.kill("SIGKILL"), 10_000);
          worker.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          try {
            worker.send({ type: "chronosync-stop" });
          } catch {
            worker.process.kill("SIGTERM"); // its channel is gone: the signal stops it as cleanly
          }
        }),
    );
    await Promise.all(exits);
  };

  try {
    const first = await fork(true);
    await Promise.all(Array.from({ length: options.workers - 1 }, () => fork(false)));
    let closed: Promise<void> | undefined;
    return {
      url: first.url,
      embedded: database.embedded,
      generatedAdminPassword: first.generatedAdminPassword,
      adminCreated: first.adminCreated,
      close: () => {
        closed ??= stopWorkers().then(() => database.close());
        return closed;
      },
    };
  } catch (err) {
    await stopWorkers();
    await database.close();
    throw err;
  }
}
