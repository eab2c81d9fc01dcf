/**
 * Runs the impairment relay as a child process (`bin/chronosync-impair.js`), so its
 * busy-wait before each release does not stall the event loop of the process that
 * measures. The child stops with its parent (stdin EOF), on stop(), or at its limits.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { RelayFailedError } from "../errors.js";
import { buildImpairArgs, STOP_ON_STDIN_EOF } from "./cli-args.js";
import { type HostPort, type ImpairmentRelayOptions, parseHostPort } from "./options.js";
import type { ImpairmentReport } from "./report.js";

export interface SpawnedImpairmentRelay {
  readonly address: HostPort;
  readonly pid: number;
  /** Resolves with the final report when the child exits. */
  readonly done: Promise<ImpairmentReport>;
  /** SIGTERM, then the final report. */
  stop(): Promise<ImpairmentReport>;
}

export interface SpawnRelayOptions {
  /** Prepended to the command, e.g. `["ip", "netns", "exec", "cs-1-0"]`. */
  wrap?: readonly string[];
  /** How long to wait for the ready line. Default 10 s. */
  startTimeoutMs?: number;
}

/** Path of the relay's command (the launcher that imports the built dist). */
export const IMPAIR_BIN = fileURLToPath(new URL("../../bin/chronosync-impair.js", import.meta.url));
const IMPAIR_DIST_CLI = fileURLToPath(new URL("../../dist/impair/cli.js", import.meta.url));

/** Starts the relay CLI in a child process; resolves once it has bound its socket. */
export function spawnImpairmentRelay(
  options: ImpairmentRelayOptions,
  spawnOptions: SpawnRelayOptions = {},
): Promise<SpawnedImpairmentRelay> {
  if (!existsSync(IMPAIR_DIST_CLI)) {
    return Promise.reject(
      new RelayFailedError(`${IMPAIR_DIST_CLI} is missing: build first (npx tsc -b packages/testkit)`),
    );
  }
  const argv = [...(spawnOptions.wrap ?? []), process.execPath, IMPAIR_BIN, ...buildImpairArgs(options)];
  argv.push(STOP_ON_STDIN_EOF);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const lines = createInterface({ input: child.stdout });
  let report: ImpairmentReport | null = null;
  let ready: ((address: HostPort) => void) | null = null;
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  lines.on("line", (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof parsed !== "object" || parsed === null) return;
    const obj = parsed as Record<string, unknown>;
    if (obj.ready === true && typeof obj.listen === "string") ready?.(parseHostPort(obj.listen));
    else if ("stopReason" in obj) report = obj as unknown as ImpairmentReport;
  });
  const done = exited.then((code) => {
    if (report) return report;
    throw new RelayFailedError(`relay process exited (${code}) without a report\n${stderr}`);
  });
  done.catch(() => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new RelayFailedError(
          `relay did not get ready within ${spawnOptions.startTimeoutMs ?? 10_000} ms\n${stderr}`,
        ),
      );
    }, spawnOptions.startTimeoutMs ?? 10_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new RelayFailedError(`cannot start ${argv[0]}`, { cause: err }));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new RelayFailedError(`relay process exited (${code}) before it was ready\n${stderr}`));
    });
    ready = (address) => {
      clearTimeout(timer);
      const pid = child.pid!;
      resolve({
        address,
        pid,
        done,
        stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          return done;
        },
      });
    };
  });
}
