// End to end through the built binary (issue 3 §7 and §11): `chronosync agent` measures a real
// chronyd directly, and shows next to it what a second, local `chronyd -x` believes about the
// system clock, read over that chronyd's private Unix command socket. That chronyd follows the
// same server with chrony's `offset 0.050`, so it believes the system clock is 50 ms behind
// while the agent measures ~0: a known, visible difference. Then: the API port in use.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ChronydHandle, startChronydRelay, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChronydDoc } from "../src/commands/status.js";
import { BIN, freeTcpPort, runCli } from "./helpers/run-cli.js";

const run = promisify(execFile);

interface StatusDoc {
  tracking: { status: string; offsetNs: number };
  chronyd?: ChronydDoc;
}

function chronyIds(): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("_chrony:"));
  if (line === undefined) return undefined;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

interface Agent {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `re` in stderr. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

function spawnAgent(args: string[]): Agent {
  const child = spawn(process.execPath, [BIN, "agent", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "" },
  });
  let stderr = "";
  const waiters: (() => void)[] = [];
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    stderr: () => stderr,
    exited,
    waitFor: (re, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`no ${re} in agent's stderr:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push(check);
        check();
      }),
  };
}

const usable = userInfo().uid === 0 && chronyIds() !== undefined;

describe.skipIf(!usable)("chronosync agent + status: the system clock according to chronyd", () => {
  let server: ChronydHandle;
  let local: ChronydHandle;
  let dir = "";
  let socketPath = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "chronosync-cli-chronyd-"));
    const ids = chronyIds()!;
    chownSync(dir, ids.uid, ids.gid);
    chmodSync(dir, 0o750);
    socketPath = join(dir, "chronyd.sock");
    server = await startChronydServer();
    local = await startChronydRelay({
      upstreamPort: server.port,
      offsetSeconds: 0.05,
      extraConfig: [`bindcmdaddress ${socketPath}`],
    });
  }, 60_000);

  afterAll(async () => {
    await local?.stop();
    await server?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("status shows chronyd's +50 ms beside the agent's ~0, in the table, --json and /metrics", async () => {
    const agent = spawnAgent([
      "--source",
      `ntp://127.0.0.1:${server.port}?minpoll=-2&maxpoll=0`,
      "--api-listen",
      `127.0.0.1:${await freeTcpPort()}`,
      "--chronyd",
      socketPath,
    ]);
    try {
      const [, api] = await agent.waitFor(/local API on http:\/\/(\S+)/);
      expect(agent.stderr()).toContain(`chronyd via ${socketPath}`);
      let doc: StatusDoc | undefined;
      for (let i = 0; i < 40; i++) {
        const r = await runCli(["status", "--api", api!, "--json"]);
        expect(r.code, r.stderr).toBe(0);
        doc = JSON.parse(r.stdout) as StatusDoc;
        if (doc.tracking.status === "synchronized" && doc.chronyd?.available) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const c = doc?.chronyd;
      if (c?.available !== true) throw new Error(`chronyd not shown: ${JSON.stringify(doc)}`);
      expect(c.via).toBe(socketPath);
      expect(c.stratum).toBe(2);
      expect(c.reference).toBe("127.0.0.1");
      expect(c.leap).toBe("normal");
      expect(Math.abs(c.systemTimeOffsetNs - 50_000_000)).toBeLessThan(1_000_000);
      expect(Math.abs(doc!.tracking.offsetNs)).toBeLessThan(1_000_000);
      expect(c.agent?.offsetNs).toBe(doc!.tracking.offsetNs);
      expect(c.differenceNs).toBe(doc!.tracking.offsetNs - c.systemTimeOffsetNs);
      expect(c.sources).toHaveLength(1);
      expect(c.sources[0]).toMatchObject({ address: "127.0.0.1", state: "sync", stratum: 1 });

      // chronyc, on the same socket, says the same of the system clock.
      const { stdout } = await run("/usr/bin/chronyc", ["-h", socketPath, "-n", "-c", "tracking"]);
      const systemTimeS = Number(stdout.split(",")[4]);
      expect(Math.abs(systemTimeS * 1e9 - c.systemTimeOffsetNs)).toBeLessThan(1_000_000);

      const table = await runCli(["status", "--api", api!]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(
        /^System clock according to chronyd: \+(49\.\d{3}|50\.\d{3}) ms, system clock behind \(agent: [+-]0\.\d{3} ms, difference -(49|50)\.\d{3} ms\)$/m,
      );
      expect(table.stdout).toMatch(/^ {2}\* +127\.0\.0\.1 +sync +1 /m);

      const metrics = await (await fetch(`http://${api}/metrics`)).text();
      const gauge = /^chronosync_chronyd_offset_seconds (\S+)$/m.exec(metrics);
      expect(Math.abs(Number(gauge?.[1]) - 0.05)).toBeLessThan(0.001);
      expect(metrics).toMatch(/^chronosync_chronyd_up 1$/m);
    } finally {
      agent.child.kill("SIGTERM");
    }
    expect(await agent.exited).toBe(0);
  }, 60_000);

  it("API port in use: the agent keeps running, says so, binds once free; an absent chronyd is reported", async () => {
    const busy: Server = createServer();
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    const port = (busy.address() as { port: number }).port;
    const agent = spawnAgent([
      "--source",
      `ntp://127.0.0.1:${server.port}?minpoll=-2&maxpoll=0`,
      "--api-listen",
      `127.0.0.1:${port}`,
      "--chronyd",
      join(dir, "absent.sock"),
    ]);
    try {
      await agent.waitFor(
        new RegExp(
          `warn: cannot listen on 127\\.0\\.0\\.1:${port} for the local API: address already in use \\(EADDRINUSE\\); ` +
            "synchronization and serving go on without the local API, retrying in",
        ),
      );
      await agent.waitFor(/started: .*local API not listening yet/);
      expect(agent.child.exitCode).toBeNull();
      await new Promise<void>((done) => busy.close(() => done()));
      await agent.waitFor(
        new RegExp(`local API on http://127\\.0\\.0\\.1:${port} \\(listening after \\d+ attempts\\)`),
      );
      const r = await runCli(["status", "--api", `127.0.0.1:${port}`, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as StatusDoc;
      expect(doc.chronyd).toMatchObject({ available: false, reason: expect.stringContaining("ENOENT") });
      const table = await runCli(["status", "--api", `127.0.0.1:${port}`]);
      expect(table.stdout).toMatch(
        /^System clock according to chronyd: unavailable \(agent: [+-]\d+\.\d{3} ms\): /m,
      );
    } finally {
      agent.child.kill("SIGTERM");
      if (busy.listening) busy.close();
    }
    expect(await agent.exited).toBe(0);
  }, 30_000);
});
