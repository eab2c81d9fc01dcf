/** Runs the built `chronosync` binary (`npx tsc -b` first) and collects its output. */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { type AddressInfo, createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/chronosync.js", import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (killed after `timeoutMs`). */
export function runCli(args: readonly string[], timeoutMs = 20_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningServe {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Sends `signal` and resolves with the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every `serve` started and not exited yet: a failed assertion must not leave one running. */
const running = new Set<ChildProcess>();

/** Kills every server {@link startServe} started that is still running (call in afterEach). */
export async function stopAllServes(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((done) => {
          child.once("exit", () => done());
          if (!child.kill("SIGKILL")) done();
        }),
    ),
  );
}

/** Starts `chronosync serve ntp --listen <listen> ...args` and waits for its start line. */
export function startServe(args: readonly string[] = [], listen = "127.0.0.1:0"): Promise<RunningServe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", "ntp", "--listen", listen, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    child.once("exit", () => running.delete(child));
    let stdout = "";
    let stderr = "";
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("exit", (code, signal) => done({ code, signal })),
    );
    const onEarlyExit = () => reject(new Error(`serve exited early: ${stdout}${stderr}`));
    child.once("exit", onEarlyExit);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const match = /serving NTP on (?:\[[0-9a-f:.]+\]|[^\s:]+):(\d+) /.exec(stdout);
      if (match) {
        child.off("exit", onEarlyExit);
        resolve({
          child,
          port: Number(match[1]),
          stdout: () => stdout,
          stderr: () => stderr,
          stop: (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}

/** A UDP socket on 127.0.0.1 that answers each datagram with `reply(request)` (null: stay silent). */
export async function startFakeServer(reply: (request: Buffer) => Uint8Array | null): Promise<{
  port: number;
  socket: Socket;
  close: () => Promise<void>;
}> {
  const socket = createSocket("udp4");
  socket.on("message", (msg, rinfo) => {
    const answer = reply(msg);
    if (answer) socket.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((done) => socket.bind(0, "127.0.0.1", done));
  return {
    port: socket.address().port,
    socket,
    close: () => new Promise<void>((done) => socket.close(() => done())),
  };
}

/** A UDP port with nothing listening on it (bound then released). */
export async function unusedUdpPort(): Promise<number> {
  const fake = await startFakeServer(() => null);
  await fake.close();
  return fake.port;
}

/** Checks the failure contract: exactly one line on stderr, prefixed, no stack trace. */
export function oneErrorLine(run: CliRun): string {
  const lines = run.stderr.split("\n").filter((l) => l !== "");
  if (lines.length !== 1 || !lines[0]!.startsWith("chronosync: ") || /\n\s+at /.test(run.stderr)) {
    throw new Error(`expected one error line, got ${JSON.stringify(run.stderr)}`);
  }
  return lines[0]!;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for the agent's local API). */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
