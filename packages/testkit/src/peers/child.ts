/**
 * Child processes of the harness: output kept for error messages, a clean stop by PID,
 * and a last-resort SIGKILL when the test process exits without stopping them.
 */
import { type ChildProcess, spawn } from "node:child_process";

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

export interface PeerChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far (the last 64 KiB). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `argv` with stdout and stderr captured. */
export function spawnPeer(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<PeerChild> {
  installExitHook();
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: env ?? process.env,
  });
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-65_536);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      done = true;
      live.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    child.once("error", (err) => {
      done = true;
      reject(err);
    });
    child.once("spawn", () => {
      live.add(child);
      resolve({
        child,
        pid: child.pid!,
        output: () => output,
        exited,
        hasExited: () => done,
        async stop(graceMs = 3000) {
          if (done) return;
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
