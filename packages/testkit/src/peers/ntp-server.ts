/**
 * Our own NTP server on the system clock, for peers to measure: in this process
 * ({@link startSystemNtpServer}) or as a child process, possibly inside a network
 * namespace ({@link spawnNtpServer}).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { systemClock } from "@chronosync/core";
import { asciiReferenceId, NtpResponder, type NtpServerHandle, startNtpServer } from "@chronosync/protocols";
import { PeerFailedError } from "../errors.js";

/**
 * Serves core's system clock as a stratum-1 server (reference "LOCL"), with no rate
 * limit (peers' bursts must all be answered). The clock is anchored before binding.
 */
export function startSystemNtpServer(options: { host: string; port: number }): Promise<NtpServerHandle> {
  const clock = systemClock;
  // The first now() anchors the clock (busy-waits a few ms): not inside the first
  // exchange, where it would skew that reply's offset by half of it.
  clock.now();
  const responder = new NtpResponder({
    clock,
    reference: () => ({
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("LOCL"),
      referenceTime: clock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 1_000n,
      precision: clock.precisionLog2,
    }),
    rateLimit: false,
  });
  return startNtpServer({ host: options.host, port: options.port, responder });
}

export interface SpawnedNtpServer {
  readonly listen: { host: string; port: number };
  readonly pid: number;
  /** SIGTERM; resolves with the responder's counters once it has exited. */
  stop(): Promise<NtpServerHandle["stats"] | null>;
}

const MAIN = fileURLToPath(new URL("../../dist/peers/ntp-server-main.js", import.meta.url));

/**
 * Runs `ntp-server-main.js` (from the build) as a child, e.g. with
 * `wrap: ns.wrap` inside a namespace; resolves once it is bound.
 */
export function spawnNtpServer(options: {
  host: string;
  port: number;
  wrap?: readonly string[];
  maxSeconds?: number;
}): Promise<SpawnedNtpServer> {
  if (!existsSync(MAIN)) {
    return Promise.reject(
      new PeerFailedError(`${MAIN} is missing: build first (npx tsc -b packages/testkit)`),
    );
  }
  const argv = [
    ...(options.wrap ?? []),
    process.execPath,
    MAIN,
    "--listen",
    `${options.host}:${options.port}`,
    "--max-seconds",
    String(options.maxSeconds ?? 120),
    "--stop-on-stdin-eof",
  ];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  let stats: NtpServerHandle["stats"] | null = null;
  let onReady: ((listen: string) => void) | null = null;
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      const obj = JSON.parse(line) as { ready?: boolean; listen?: string; stats?: NtpServerHandle["stats"] };
      if (obj.ready === true && typeof obj.listen === "string") onReady?.(obj.listen);
      if (obj.stats) stats = obj.stats;
    } catch {
      // not ours
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new PeerFailedError("NTP server process did not get ready in 10 s", stderr));
    }, 10_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new PeerFailedError(`cannot start ${argv[0]}`, "", { cause: err }));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new PeerFailedError(`NTP server process exited (${code}) before it was ready`, stderr));
    });
    onReady = (listen) => {
      clearTimeout(timer);
      const i = listen.lastIndexOf(":");
      resolve({
        listen: { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) },
        pid: child.pid!,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
          return stats;
        },
      });
    };
  });
}
