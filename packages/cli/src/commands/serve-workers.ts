/**
 * `serve ntp --workers N`: N processes (node:cluster) answering on one shared UDP socket.
 * The primary binds nothing itself: cluster creates the socket once (`exclusive: false`,
 * the default of dgram's bind) and hands the same handle to every worker, so the
 * kernel gives each datagram to whichever worker reads first. Each worker keeps its own
 * rate-limit table, so a client may get up to N times the per-client limit.
 */
import cluster, { type Worker } from "node:cluster";
import type { NtpServerTransport } from "@chronosync/protocols";
import type { CliContext } from "../context.js";
import { CliError, type CliErrorCode } from "../errors.js";
import { formatHostPort } from "../target.js";
import type { ServeOptions } from "./serve.js";
import { addCounters, type ServeCounters, startLine, startLocalNtpServer, stopLine } from "./serve-ntp.js";

const WORKER_ENV = "CHRONOSYNC_SERVE_WORKER";

type WorkerMessage =
  | { type: "listening"; address: string; port: number; transport: NtpServerTransport }
  | { type: "failed"; code: CliErrorCode; message: string }
  | { type: "stats"; stats: ServeCounters };

/** True in a worker forked by {@link runServePrimary}. */
export function isServeWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === "1";
}

/** A worker: serve until the primary says stop (or goes away), then report the counters. */
export async function runServeWorker(options: ServeOptions): Promise<number> {
  const send = (message: WorkerMessage) => process.send?.(message);
  // The primary coordinates shutdown; a terminal's Ctrl-C reaches the whole group.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  let server: Awaited<ReturnType<typeof startLocalNtpServer>>;
  try {
    server = await startLocalNtpServer(options);
  } catch (err) {
    const e = err instanceof CliError ? err : new CliError("CLI_INTERNAL", String(err));
    send({ type: "failed", code: e.code, message: e.message });
    process.disconnect();
    return e.exitCode;
  }
  send({
    type: "listening",
    address: server.address.address,
    port: server.address.port,
    transport: server.transport,
  });
  await new Promise<void>((resolve) => {
    process.on("message", (m: { type?: string }) => m?.type === "stop" && resolve());
    process.on("disconnect", resolve);
  });
  await server.close();
  if (process.connected) {
    send({ type: "stats", stats: server.counters() });
    process.disconnect();
  }
  process.off("SIGINT", ignore);
  process.off("SIGTERM", ignore);
  return 0;
}

/** Forks a worker and waits for it to be up. */
interface StartedWorker {
  worker: Worker;
  address: string;
  port: number;
  transport: NtpServerTransport;
}

function forkWorker(): Promise<StartedWorker> {
  const worker = cluster.fork({ [WORKER_ENV]: "1" });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new CliError("CLI_INTERNAL", `worker exited with ${code}`));
    worker.once("exit", onExit);
    worker.once("message", (m: WorkerMessage) => {
      worker.off("exit", onExit);
      if (m.type === "listening")
        resolve({ worker, address: m.address, port: m.port, transport: m.transport });
      else if (m.type === "failed") reject(new CliError(m.code, m.message));
      else reject(new CliError("CLI_INTERNAL", `unexpected message from worker: ${m.type}`));
    });
  });
}

/** Asks a worker to stop; resolves with its counters (zeros if it died). */
function stopWorker(worker: Worker): Promise<ServeCounters> {
  return new Promise((resolve) => {
    let stats: ServeCounters = { received: 0, answered: 0, rateLimited: 0, ignored: 0, sendFailures: 0 };
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "stats") stats = m.stats;
    });
    worker.once("exit", () => resolve(stats));
    if (worker.isConnected()) worker.send({ type: "stop" });
    else if (worker.isDead()) resolve(stats);
  });
}

/** The primary: start the workers one after the other, wait for a signal, add up counters. */
export async function runServePrimary(options: ServeOptions, ctx: CliContext): Promise<number> {
  const stopped = ctx.waitForStop();
  const workers: Worker[] = [];
  let first: StartedWorker;
  try {
    // Cluster keys shared handles by the requested address, so with port 0 every worker
    // gets the one socket the first bind created.
    first = await forkWorker();
    workers.push(first.worker);
    for (let i = 1; i < options.workers; i++) {
      const next = await forkWorker();
      workers.push(next.worker);
      if (next.port !== first.port) throw new CliError("CLI_INTERNAL", "workers did not share one socket");
    }
  } catch (err) {
    await Promise.all(workers.map(stopWorker));
    throw err;
  }
  let stopping = false;
  for (const [i, worker] of workers.entries()) {
    worker.on("exit", (code, signal) => {
      if (!stopping)
        ctx.err(`chronosync: worker ${i + 1} exited unexpectedly (${signal ?? `code ${code}`})\n`);
    });
  }
  const address = { address: first.address, port: first.port };
  ctx.out(`${startLine(options, address, first.transport)}\n`);
  const signal = await stopped;
  stopping = true;
  const all = await Promise.all(workers.map(stopWorker));
  const total = all.reduce(addCounters);
  ctx.out(
    `${stopLine(signal, total)} (${formatHostPort(address.address, address.port)}, ${workers.length} workers)\n`,
  );
  return 0;
}
