/**
 * Real processes for end-to-end tests: the built `chronosync server` and `chronosync agent`
 * commands (`npx tsc -b` first), each spawned with a minimal environment and stopped by its
 * own PID, and a small Server-Sent Events client (docs/fleet.md "Live events").
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as http from "node:http";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The built CLI entry point. */
export const BIN = fileURLToPath(new URL("../../../cli/bin/chronosync.js", import.meta.url));

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 100 ms until it is true; the error carries `log()` for diagnosis. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  log: () => string = () => "",
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One spawned `chronosync …` process. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends `signal` unless it already exited; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node chronosync.js <args>` with only PATH, HOME and `env` in its environment. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
  });
  if (child.pid === undefined) throw new Error(`could not spawn chronosync ${args.join(" ")}`);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(signal = "SIGTERM") {
      if (running()) process.kill(child.pid as number, signal);
      return exited;
    },
  };
}

/** Starts `chronosync server` and resolves with its URL once it prints the banner. */
export async function startServerProcess(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ proc: CliProcess; url: string }> {
  const proc = spawnCli(["server", ...args], { CHRONOSYNC_LOG_LEVEL: "warn", ...env });
  let url: string | undefined;
  try {
    await until(
      "the server's banner",
      () => {
        url = /listening on (http:\/\/\S+)/.exec(proc.stdout())?.[1];
        if (url === undefined && proc.child.exitCode !== null)
          throw new Error(`server exited:\n${proc.stderr()}`);
        return url !== undefined;
      },
      timeoutMs,
      proc.stderr,
    );
  } catch (err) {
    await proc.stop("SIGKILL");
    throw err;
  }
  return { proc, url: url as string };
}

/** One parsed SSE frame. */
export interface SseFrame {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** A live `GET /api/events` stream. */
export interface SseStream {
  readonly frames: SseFrame[];
  /** Resolves once a frame matches (looking at those already received too). */
  waitFor(pred: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  close(): void;
}

/** Opens `url` as an event stream with a Bearer token; rejects unless 200 `text/event-stream`. */
export async function openSse(url: string, token: string): Promise<SseStream> {
  const frames: SseFrame[] = [];
  const req = http.get(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once("response", resolve);
    req.once("error", reject);
  });
  if (res.statusCode !== 200 || !/^text\/event-stream/.test(res.headers["content-type"] ?? "")) {
    req.destroy();
    throw new Error(`SSE ${url}: HTTP ${res.statusCode} ${res.headers["content-type"]}`);
  }
  let buffer = "";
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data !== "") frames.push({ event, data: JSON.parse(data) as Record<string, unknown> });
    }
  });
  res.on("error", () => {});
  req.on("error", () => {});
  return {
    frames,
    async waitFor(pred, timeoutMs = 10_000) {
      let found: SseFrame | undefined;
      await until(
        "a matching SSE frame",
        () => {
          found = frames.find(pred);
          return found !== undefined;
        },
        timeoutMs,
        () => JSON.stringify(frames.slice(-5)),
      );
      return found as SseFrame;
    },
    close: () => req.destroy(),
  };
}
