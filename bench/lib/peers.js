// Helpers shared by the benchmark scripts: build the C load generator, start and stop
// chronyd (-x / -Q only: the system clock is never touched) and our own server, stats.
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(ROOT, "packages/cli/bin/chronosync.js");
export const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A private temporary folder owned by chronyd's user; removed by `cleanup()`. */
export function makeWorkDir(prefix = "cs-bench-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(
    dir,
    Number(execFileSync("id", ["-u", "_chrony"]).toString()),
    Number(execFileSync("id", ["-g", "_chrony"]).toString()),
  );
  return dir;
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Compiles bench/ntp-load.c with `cc -O2` into `dir`; returns the binary's path. */
export function buildLoadGenerator(dir) {
  const out = join(dir, "ntp-load");
  execFileSync("cc", ["-O2", "-Wall", "-o", out, join(ROOT, "bench/ntp-load.c")], { stdio: "inherit" });
  return out;
}

/** A UDP port free on 127.0.0.1 right now. */
export async function freeUdpPort() {
  const socket = createSocket("udp4");
  await new Promise((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

/**
 * Starts `chronyd -x` serving on 127.0.0.1:`port` with `extra` config lines; `env` is
 * merged into its environment (libfaketime). Resolves once its pid file exists and it answers.
 */
export async function startChronyd(dir, name, port, extra = [], env = {}) {
  const conf = join(dir, `${name}.conf`);
  const pidfile = join(dir, `${name}.pid`);
  writeFileSync(
    conf,
    [
      ...extra,
      `port ${port}`,
      "bindaddress 127.0.0.1",
      "allow 127.0.0.1",
      "cmdport 0",
      "bindcmdaddress /",
      `pidfile ${pidfile}`,
      `driftfile ${join(dir, `${name}.drift`)}`,
      "",
    ].join("\n"),
  );
  execFileSync("chronyd", ["-x", "-f", conf, "-l", join(dir, `${name}.log`)], {
    env: { ...process.env, ...env },
    stdio: "inherit",
  });
  for (let i = 0; i < 100; i++) {
    try {
      const pid = Number(readFileSync(pidfile, "utf8").trim());
      if (pid > 0) return { pid, port, stop: () => stopPid(pid) };
    } catch {
      // not written yet
    }
    await sleep(50);
  }
  throw new Error(`chronyd ${name} did not start (see ${join(dir, `${name}.log`)})`);
}

async function stopPid(pid) {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
  process.kill(pid, "SIGKILL");
}

/** Starts `chronosync serve ntp` on a free port with `args`; resolves once it prints its address. */
export function startChronosync(args = [], nodeArgs = []) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, CLI, "serve", "ntp", "--listen", "127.0.0.1:0", ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  const exited = new Promise((done) => child.on("exit", done));
  return new Promise((resolve, reject) => {
    const early = (code) => reject(new Error(`chronosync serve exited with ${code}: ${output}`));
    child.once("exit", early);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /serving NTP on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        child.off("exit", early);
        resolve({
          pid: child.pid,
          port: Number(match[1]),
          output: () => output,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
  });
}

/**
 * CPU time (user + system, in clock ticks of 10 ms) used so far by `pid` and its live
 * children (cluster workers), from /proc.
 */
export function cpuTicks(pid) {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(fields[1]);
    if (Number(entry) === pid || ppid === pid) total += Number(fields[11]) + Number(fields[12]);
  }
  return total;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** One-line machine description for the report. */
export function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  const cores = readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length ?? 0;
  const chrony = execFileSync("chronyd", ["-v"]).toString().split("\n")[0];
  return `${cores} cores, ${cpu}; Node ${process.version}; ${chrony}; load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`;
}
