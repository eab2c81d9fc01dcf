/**
 * Real peer over chronyd's Unix command socket: a `chronyd -x` client of a second chronyd,
 * with a private `bindcmdaddress $DIR/chronyd.sock` in a 0750 folder owned by `_chrony`
 * (PEERS.md). queryChronyd({ socketPath }) goes through the native addon's AF_UNIX datagram
 * socket and must agree with `chronyc -h $DIR/chronyd.sock -n -c tracking|sources`.
 */
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChronyTracking, loadUnixDgramAddon, queryChronyd } from "../src/index.js";
import { type ChronydServer, chronydAvailable, startChronyd } from "./helpers/chronyd.js";

const CHRONYC = "/usr/bin/chronyc";
const SETPRIV = "/usr/bin/setpriv";
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const run = promisify(execFile);

function chronyOwnedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "chronosync-unix-cmd-"));
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("_chrony:"));
  const [, , uid, gid] = (line ?? "").split(":");
  chownSync(dir, Number(uid), Number(gid));
  chmodSync(dir, 0o750);
  return dir;
}

const ourClientDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith("chronosync-chronyc-"));

async function chronyc(socket: string, command: string): Promise<string[][]> {
  const { stdout } = await run(CHRONYC, ["-h", socket, "-n", "-c", command]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => line.split(","));
}

const usable = chronydAvailable() && existsSync(CHRONYC) && "addon" in loadUnixDgramAddon();

describe.skipIf(!usable)("chronyd 4.3 command protocol over its Unix socket (native addon)", () => {
  let server: ChronydServer;
  let client: ChronydServer;
  let dir = "";
  let socketPath = "";

  beforeAll(async () => {
    dir = chronyOwnedDir();
    socketPath = join(dir, "chronyd.sock");
    server = await startChronyd();
    client = await startChronyd([
      `server 127.0.0.1 port ${server.port} iburst minpoll -2 maxpoll -2`,
      `bindcmdaddress ${socketPath}`,
    ]);
    const deadline = Date.now() + 20_000;
    let last: ChronyTracking | undefined;
    while (Date.now() < deadline) {
      last = await queryChronyd({ socketPath }, "tracking", { timeoutMs: 500 }).catch(() => undefined);
      if (last?.stratum === 2 && last.ipAddr === "127.0.0.1") return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`client chronyd never synchronized (last ${String(last?.stratum)})\n${client.log()}`);
  }, 40_000);

  afterAll(async () => {
    await client?.stop();
    await server?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("tracking matches chronyc -h SOCKET -c tracking", async () => {
    const ours = await queryChronyd({ socketPath }, "tracking", { timeoutMs: 1000 });
    const [row] = await chronyc(socketPath, "tracking");
    const [refIdHex, name, stratum, refTime, systemTime, , , freq, , , rootDelay, rootDisp, , leap] = row!;
    expect(ours.refId.toString(16).toUpperCase().padStart(8, "0")).toBe(refIdHex);
    expect(ours.ipAddr).toBe(name);
    expect(ours.stratum).toBe(Number(stratum));
    expect(Math.abs(Number(ours.refTime / 1_000_000_000n) - Number(refTime))).toBeLessThan(5);
    // chronyc -c prints "System time" as chronyd's correction (same sign as currentCorrectionS).
    expect(Math.abs(ours.currentCorrectionS - Number(systemTime))).toBeLessThan(0.001);
    expect(Math.abs(ours.freqPpm - Number(freq))).toBeLessThan(0.5);
    expect(Math.abs(ours.rootDelayS - Number(rootDelay))).toBeLessThan(0.001);
    expect(Math.abs(ours.rootDispersionS - Number(rootDisp))).toBeLessThan(0.01);
    expect(leap).toBe("Normal");
    expect(ours.leapStatus).toBe(0);
  });

  it("sources match chronyc -h SOCKET -c sources", async () => {
    const ours = await queryChronyd({ socketPath }, "sources", { timeoutMs: 1000 });
    const rows = await chronyc(socketPath, "sources");
    expect(ours).toHaveLength(rows.length);
    expect(ours).toHaveLength(1);
    const [mode, state, name, stratum, poll] = rows[0]!;
    expect(mode).toBe("^");
    expect(state).toBe("*");
    expect(ours[0]!.state).toBe("sync");
    expect(ours[0]!.ipAddr).toBe(name);
    expect(ours[0]!.stratum).toBe(Number(stratum));
    expect(ours[0]!.poll).toBe(Number(poll));
    expect(ours[0]!.reachability).toBeGreaterThan(0);
  });

  it("leaves no client socket or folder behind", async () => {
    const before = ourClientDirs().length;
    await queryChronyd({ socketPath }, "tracking");
    await queryChronyd({ socketPath }, "sources");
    expect(ourClientDirs().length).toBe(before);
  });

  it("times out without blocking the event loop while chronyd does not answer", async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    process.kill(client.pid, "SIGSTOP");
    const started = performance.now();
    try {
      await expect(queryChronyd({ socketPath }, "tracking", { timeoutMs: 300 })).rejects.toMatchObject({
        code: "CHRONY_CMD_TIMEOUT",
      });
    } finally {
      process.kill(client.pid, "SIGCONT");
      clearInterval(ticker);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(ticks).toBeGreaterThanOrEqual(10);
    // and it answers again afterwards
    await expect(queryChronyd({ socketPath }, "tracking", { timeoutMs: 1000 })).resolves.toMatchObject({
      stratum: 2,
    });
  });

  it.skipIf(!existsSync(SETPRIV) || !existsSync(DIST))(
    "unprivileged: _chrony gets replies on its own client socket, nobody gets EACCES (built dist)",
    async () => {
      const as = async (user: string, group: string) => {
        const script = `import(${JSON.stringify(DIST)}).then((m) => m.queryChronyd({ socketPath: ${JSON.stringify(socketPath)} }, "tracking")).then((t) => console.log("stratum " + t.stratum), (e) => console.log(e.code + " " + e.message))`;
        const { stdout } = await run(
          SETPRIV,
          [`--reuid=${user}`, `--regid=${group}`, "--clear-groups", process.execPath, "-e", script],
          { cwd: tmpdir() },
        );
        return stdout.trim();
      };
      expect(await as("_chrony", "_chrony")).toBe("stratum 2");
      expect(await as("nobody", "nogroup")).toMatch(/^NETWORK_FAILURE .*connect EACCES/);
    },
  );

  it("a missing socket or one nobody is bound to fails fast with NETWORK_FAILURE", async () => {
    await expect(queryChronyd({ socketPath: join(dir, "nope.sock") }, "tracking")).rejects.toMatchObject({
      code: "NETWORK_FAILURE",
      message: expect.stringContaining("ENOENT"),
    });
    await expect(queryChronyd({ socketPath: join(dir, "chronyd.pid") }, "tracking")).rejects.toMatchObject({
      code: "NETWORK_FAILURE",
    });
  });
});

describe("queryChronyd({ socketPath }) without the native addon", () => {
  it("rejects with CHRONY_CMD_NATIVE_UNAVAILABLE naming the UDP alternative", async () => {
    const saved = process.env.CHRONOSYNC_NATIVE;
    process.env.CHRONOSYNC_NATIVE = "0";
    try {
      await expect(
        queryChronyd({ socketPath: "/run/chrony/chronyd.sock" }, "tracking"),
      ).rejects.toMatchObject({
        code: "CHRONY_CMD_NATIVE_UNAVAILABLE",
        message: expect.stringContaining("Unix socket needs the native addon; use UDP 127.0.0.1:323"),
      });
    } finally {
      if (saved === undefined) delete process.env.CHRONOSYNC_NATIVE;
      else process.env.CHRONOSYNC_NATIVE = saved;
    }
  });

  it("rejects an over-long socket path with a system error, leaving nothing behind", async () => {
    if (!("addon" in loadUnixDgramAddon())) return;
    const before = ourClientDirs().length;
    await expect(queryChronyd({ socketPath: `/tmp/${"x".repeat(200)}` }, "tracking")).rejects.toMatchObject({
      code: "NETWORK_FAILURE",
      message: expect.stringContaining("ENAMETOOLONG"),
    });
    expect(ourClientDirs().length).toBe(before);
  });
});
