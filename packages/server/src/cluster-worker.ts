/**
 * A cluster worker (see cluster.ts): waits for the primary's start message, runs
 * `startServer` on the primary's database, reports its URL, and stops on the primary's
 * word, on SIGINT or SIGTERM (a terminal's Ctrl-C or a service manager reaches every
 * process of the group), or when the primary goes away.
 */
import type { WorkerMessage, WorkerStartMessage } from "./cluster.js";
import { type RunningServer, startServer } from "./server.js";

const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

let server: RunningServer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server?.close().catch(() => {});
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
process.on("disconnect", () => void stop(0));
process.on("message", (message: WorkerStartMessage | { type: "chronosync-stop" }) => {
  if (message.type === "chronosync-stop") {
    void stop(0);
    return;
  }
  if (message.type !== "chronosync-start" || server !== undefined) return;
  // buildApp adds the redaction of secrets (telemetry/redact.ts).
  const logger = message.logLevel === false ? false : { level: message.logLevel, stream: process.stderr };
  startServer(message.config, { logger, migrate: false, ensureAdmin: message.ensureAdmin }).then(
    (running) => {
      server = running;
      send({
        type: "chronosync-listening",
        url: running.url,
        adminCreated: running.adminCreated,
        ...(running.generatedAdminPassword === undefined
          ? {}
          : { generatedAdminPassword: running.generatedAdminPassword }),
      });
    },
    (err: unknown) => {
      const code = (err as { code?: unknown })?.code;
      send({
        type: "chronosync-failed",
        message: err instanceof Error ? err.message : String(err),
        ...(typeof code === "string" ? { code } : {}),
      });
      void stop(1);
    },
  );
});
send({ type: "chronosync-ready" });
