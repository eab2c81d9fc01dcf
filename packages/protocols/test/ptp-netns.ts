/**
 * Test harness for PTP interop: two network namespaces joined by a veth pair
 * (A: veth0 10.231.0.1, B: veth1 10.231.0.2), linuxptp's ptp4l with PEERS.md's
 * settings (free_running 1 — it never touches the system clock — UDPv4, software
 * timestamping, E2E), and our `ptp-child.ts` run inside a namespace. Everything is
 * stopped by PID and the namespaces (with the veth) and temp dirs are removed.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Netns, requireProgram, withNetns } from "@chronosync/testkit";

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL("./ptp-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface PtpLink {
  readonly a: Netns;
  readonly b: Netns;
  readonly dir: string;
  readonly addressA: string;
  readonly addressB: string;
}

/** Whether this process may create namespaces and has ptp4l. */
export function canRunPtpInterop(): boolean {
  try {
    requireProgram("ptp4l");
    requireProgram("ip");
  } catch {
    return false;
  }
  return process.getuid?.() === 0;
}

/** Two namespaces and a veth between them, for the duration of `fn`. */
export async function withPtpLink<T>(fn: (link: PtpLink) => Promise<T>): Promise<T> {
  const ip = requireProgram("ip");
  return withNetns((a) =>
    withNetns(async (b) => {
      const dir = await mkdtemp(join(tmpdir(), "cs-ptp-"));
      try {
        await run(ip, [
          "-n",
          a.name,
          "link",
          "add",
          "veth0",
          "type",
          "veth",
          "peer",
          "name",
          "veth1",
          "netns",
          b.name,
        ]);
        await run(ip, ["-n", a.name, "addr", "add", "10.231.0.1/24", "dev", "veth0"]);
        await run(ip, ["-n", b.name, "addr", "add", "10.231.0.2/24", "dev", "veth1"]);
        await run(ip, ["-n", a.name, "link", "set", "veth0", "up"]);
        await run(ip, ["-n", b.name, "link", "set", "veth1", "up"]);
        return await fn({ a, b, dir, addressA: "10.231.0.1", addressB: "10.231.0.2" });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
  );
}

/** A child process with its stdout lines. */
export interface LineChild {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves once a line matches (or rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM (SIGKILL after 3 s); resolves once it exited. */
  stop(): Promise<void>;
  output(): string;
}

function spawnLines(argv: readonly string[]): LineChild {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], cwd: ROOT });
  const lines: string[] = [];
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return {
    child,
    lines,
    output: () => `${lines.slice(-40).join("\n")}\n--- stderr ---\n${stderr}`,
    waitFor(pattern, timeoutMs) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts ptp4l (`role` master or slave) on `iface` inside `ns`, printing to stdout (-m);
 * `extra` lines go into its [global] section (e.g. `unicast_listen 1`).
 */
export async function startPtp4l(
  link: PtpLink,
  ns: Netns,
  role: "master" | "slave",
  iface: string,
  extra: readonly string[] = [],
): Promise<LineChild> {
  const conf = join(link.dir, `${role}.conf`);
  await writeFile(
    conf,
    [
      "[global]",
      "free_running 1",
      "network_transport UDPv4",
      "time_stamping software",
      "delay_mechanism E2E",
      role === "master" ? "masterOnly 1" : "slaveOnly 1",
      `uds_address ${join(link.dir, `${role}.sock`)}`,
      ...extra,
      "",
    ].join("\n"),
  );
  return spawnLines([...ns.wrap, requireProgram("ptp4l"), "-f", conf, "-i", iface, "-S", "-4", "-E", "-m"]);
}

/**
 * Runs `ptp-child.ts` in `ns` (see that file for the modes). `nice` (default 0) is the
 * child's niceness: user-space software timestamps wait for the scheduler, which on a
 * busy machine adds tens to hundreds of µs per receive. `extra` arguments follow the
 * seconds (the master's address for `unicast`).
 */
export function startPtpChild(
  ns: Netns,
  mode: "slave" | "unicast" | "master" | "capture" | "query",
  address: string,
  seconds: number,
  nice = 0,
  extra: readonly string[] = [],
): LineChild {
  const node = [process.execPath, "--import", "tsx", CHILD, mode, address, String(seconds), ...extra];
  return spawnLines([...ns.wrap, ...(nice === 0 ? [] : ["nice", "-n", String(nice)]), ...node]);
}

/** `master offset` values (ns, local − master, as ptp4l prints) from ptp4l's output lines. */
export function ptp4lOffsets(lines: readonly string[]): { offsetNs: number; pathDelayNs: number }[] {
  const out: { offsetNs: number; pathDelayNs: number }[] = [];
  for (const line of lines) {
    const m = /master offset\s+(-?\d+)\s+s\d\s+freq\s+[-+]?\d+\s+path delay\s+(-?\d+)/.exec(line);
    if (m) out.push({ offsetNs: Number(m[1]), pathDelayNs: Number(m[2]) });
  }
  return out;
}

/** Median of numbers. */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
