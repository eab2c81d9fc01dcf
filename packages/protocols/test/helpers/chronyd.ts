/**
 * A real `chronyd -x` on loopback for wire tests (recipe in /work/shared/PEERS.md):
 * a private temp folder owned by `_chrony`, `cmdport 0` + `bindcmdaddress /`, stopped by
 * its PID. `-x` never touches the system clock; `-d` keeps it in the foreground so the
 * PID we spawn is the daemon's. `chronyd -Q` (measure once, never set the clock) runs
 * chronyd as a client of our server.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createNtpRequest } from "../../src/index.js";
import { exchangeOnce, freeUdpPort } from "./udp.js";

export const CHRONYD = "/usr/sbin/chronyd";

/** The uid and gid of chronyd's unprivileged user `_chrony`, or null without one. */
export function chronyIds(): { uid: number; gid: number } | null {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("_chrony:"));
  if (line === undefined) return null;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Whether chronyd can run here: the binary, root, and the `_chrony` user. */
export function chronydAvailable(): boolean {
  return existsSync(CHRONYD) && userInfo().uid === 0 && chronyIds() !== null;
}

/** A temp folder chronyd (running as `_chrony`) may write to; the caller removes it. */
export function chronyDir(prefix = "chronosync-protocols-chronyd-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const ids = chronyIds();
  if (ids !== null) chownSync(dir, ids.uid, ids.gid);
  return dir;
}

export interface ChronydServer {
  port: number;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
}

export interface StartChronydOptions {
  /** Its folder (configuration, pid and drift files); default a fresh one, removed by stop(). */
  dir?: string;
  /** More to wait for after it answers NTP, e.g. its NTS-KE port accepting connections. */
  readyWhen?: () => Promise<boolean>;
}

/** Starts `chronyd -x -d` serving `local stratum 1` on 127.0.0.1 and waits until it answers. */
export async function startChronyd(
  extra: string[] = [],
  options: StartChronydOptions = {},
): Promise<ChronydServer> {
  const dir = options.dir ?? chronyDir();
  const port = await freeUdpPort();
  const conf = join(dir, "server.conf");
  const lines = [
    `port ${port}`,
    "bindaddress 127.0.0.1",
    "allow 127.0.0.1",
    "local stratum 1",
    "cmdport 0",
    "bindcmdaddress /",
    `pidfile ${join(dir, "chronyd.pid")}`,
    `driftfile ${join(dir, "chrony.drift")}`,
    ...extra,
  ];
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const child: ChildProcess = spawn(CHRONYD, ["-x", "-d", "-f", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid ?? -1;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGTERM");
    await exited;
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  const random = (n: number) => new Uint8Array(n).fill(7);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (child.exitCode !== null) break;
    if ((await exchangeOnce(port, createNtpRequest({ random }).bytes, 200)) !== null) {
      if (options.readyWhen === undefined || (await options.readyWhen())) {
        return { port, pid, log: () => output, stop };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stop();
  throw new Error(`chronyd did not start on port ${port}:\n${output}`);
}

/**
 * Runs `chronyd -Q` against 127.0.0.1:port and returns the offset it measured, in
 * seconds (its "System clock wrong by X seconds": X = server − local).
 */
export async function measureWithChronyd(port: number, timeoutS = 20): Promise<number> {
  const dir = chronyDir();
  try {
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(
        CHRONYD,
        [
          "-Q",
          "-t",
          String(timeoutS),
          `server 127.0.0.1 port ${port} iburst`,
          "cmdport 0",
          "bindcmdaddress /",
          `pidfile ${join(dir, "q.pid")}`,
        ],
        { timeout: (timeoutS + 10) * 1000 },
        (err, _stdout, stderrText) =>
          err && !stderrText.includes("wrong by") ? reject(err) : resolve(stderrText),
      );
    });
    const match = /System clock wrong by (-?[\d.]+) seconds/.exec(stderr);
    if (match === null) throw new Error(`chronyd -Q measured nothing:\n${stderr}`);
    return Number(match[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
