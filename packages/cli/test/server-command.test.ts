// `chronosync server` and `chronosync db migrate`: usage errors exit 2; the built command
// starts on an embedded PostgreSQL with zero configuration, prints the URL and the
// generated admin password once, keeps data across restarts and stops cleanly on
// SIGTERM (embedded database included). Runs the built command (`npx tsc -b` first).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shippedMigrationCount } from "@chronosync/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../src/context.js";
import { main } from "../src/main.js";
import { BIN, runCli } from "./helpers/run-cli.js";

function fakeContext() {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    waitForStop: () => new Promise(() => {}),
  };
  return { ctx, out: () => out.join(""), err: () => err.join("") };
}

/** PIDs of processes whose command line mentions `text`. */
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

/** The parent PID of process `pid` (from /proc; undefined once it is gone). */
async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const ppid = stat.split(") ")[1]?.split(" ")[1];
  return ppid === undefined ? undefined : Number(ppid);
}

/** PIDs of the cluster workers of server process `pid`. */
async function workersOf(pid: number): Promise<number[]> {
  const workers: number[] = [];
  for (const candidate of await processesMentioning("cluster-worker.js"))
    if ((await parentOf(candidate)) === pid) workers.push(candidate);
  return workers;
}

function startServerProcess(cwd: string, env: Record<string, string>, args: readonly string[] = []) {
  const child = spawn(process.execPath, [BIN, "server", "--port", "0", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "", CHRONOSYNC_LOG_LEVEL: "warn", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 15_000);
    child.stdout.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on("close", () => reject(new Error(`server exited:\n${stderr}`)));
  });
  return { child: child as ChildProcess, ready, exited, stdout: () => stdout, stderr: () => stderr };
}

/**
 * A temp directory for a suite's servers (traversable by the embedded PostgreSQL's user)
 * and the server processes it started: the ones still running are stopped after it.
 */
function serverFixture(prefix: string) {
  const fixture = { dir: "", children: [] as ChildProcess[] };
  beforeAll(async () => {
    fixture.dir = await mkdtemp(join(tmpdir(), prefix));
    await chmod(fixture.dir, 0o711);
  });
  afterAll(async () => {
    for (const child of fixture.children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("close", resolve));
      }
    }
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}

describe("chronosync server / db: usage", () => {
  it("prints help", async () => {
    const f = fakeContext();
    expect(await main(["server", "--help"], f.ctx)).toBe(0);
    expect(f.out()).toMatch(/Usage: chronosync server/);
    expect(await main(["help", "db"], f.ctx)).toBe(0);
    expect(f.out()).toMatch(/Usage: chronosync db migrate/);
  });

  it.each([
    [["server", "--port", "70000"], /port/],
    [["server", "--database-url", "mysql://x"], /postgres/],
    [["server", "extra"], /unexpected argument/],
    [["server", "--bogus"], /unknown option/],
    [["server", "--workers", "0"], /--workers/],
    [["server", "--workers", "many"], /--workers/],
    [["db"], /subcommand/],
    [["db", "drop"], /unknown db subcommand/],
  ])("%j exits 2", async (args, message) => {
    const f = fakeContext();
    expect(await main(args, f.ctx)).toBe(2);
    expect(f.err()).toMatch(message);
  });
});

describe("chronosync server on an embedded PostgreSQL", () => {
  const fixture = serverFixture("chronosync-server-cli-");

  it("starts with zero configuration, prints the admin password once, stops on SIGTERM, keeps data", async () => {
    const first = startServerProcess(fixture.dir, {});
    fixture.children.push(first.child);
    const url = await first.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const password = /password: (\S+)/.exec(first.stdout())?.[1];
    expect(password).toBeDefined();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    expect(login.status).toBe(200);
    const pgDir = join(fixture.dir, ".chronosync", "pg");
    expect(await processesMentioning(pgDir)).not.toHaveLength(0);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toMatch(/SIGTERM received, stopping/);
    expect(await processesMentioning(pgDir)).toEqual([]);

    const second = startServerProcess(fixture.dir, {});
    fixture.children.push(second.child);
    const again = await second.ready;
    expect(second.stdout()).not.toMatch(/password/);
    const relogin = await fetch(`${again}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    expect(relogin.status).toBe(200);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
    expect(await processesMentioning(pgDir)).toEqual([]);
  });
});

describe("chronosync server --workers", () => {
  const fixture = serverFixture("chronosync-server-workers-");

  it("serves from two processes on one port and database, replaces a dead one, stops them all", async () => {
    const server = startServerProcess(fixture.dir, { CHRONOSYNC_ADMIN_PASSWORD: "workers-test-password" }, [
      "--workers",
      "2",
    ]);
    fixture.children.push(server.child);
    const url = await server.ready;
    expect(server.stdout()).toMatch(/2 worker processes/);
    expect(server.stdout()).toMatch(/Created user "admin" with the password from CHRONOSYNC_ADMIN_PASSWORD/);
    const workers = await workersOf(server.child.pid!);
    expect(workers).toHaveLength(2);
    const login = async () => {
      const res = await fetch(`${url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "workers-test-password" }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const token = await login();
    // Normalize through both workers: one log, consecutive seqs (after the audit entries).
    const seqs: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${url}/api/timestamps/normalize`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ sourceId: "w", timestamps: [{ value: 1_703_054_123_456 + i }] }),
      });
      expect(res.status).toBe(200);
      seqs.push(Number(((await res.json()) as { receipt: { entry: { seq: string } } }).receipt.entry.seq));
    }
    seqs.sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    // A worker killed outright is replaced; the server answers meanwhile.
    process.kill(workers[0]!, "SIGKILL");
    await login();
    const deadline = Date.now() + 10_000;
    let now = await workersOf(server.child.pid!);
    while ((now.length < 2 || now.includes(workers[0]!)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      now = await workersOf(server.child.pid!);
    }
    expect(now).toHaveLength(2);
    expect(now).not.toContain(workers[0]);
    expect(server.stderr()).toMatch(/server worker \d+ exited \(SIGKILL\); starting another/);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    for (const pid of now) expect(await parentOf(pid)).toBeUndefined();
    expect(await processesMentioning(join(fixture.dir, ".chronosync", "pg"))).toEqual([]);
  });
});

describe("chronosync db migrate", () => {
  const admin = "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `chronosync_cli_${randomBytes(5).toString("hex")}`;
  async function sql(url: string, text: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  }
  beforeAll(() => sql(admin, `CREATE DATABASE ${name}`));
  afterAll(() => sql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  it("applies the migrations to an external database, idempotently", async () => {
    const url = `postgres://postgres@127.0.0.1:5432/${name}`;
    for (let i = 0; i < 2; i++) {
      const run = await runCli(["db", "migrate", "--database-url", url]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`up to date (${shippedMigrationCount()} migrations)`);
    }
    const applied = await sql(url, "SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(applied.rows[0].n).toBe(shippedMigrationCount());
    expect(shippedMigrationCount()).toBeGreaterThanOrEqual(5);
  });

  it("exits 7 when the database is unreachable", async () => {
    const run = await runCli(["db", "migrate", "--database-url", "postgres://postgres@127.0.0.1:1/x"]);
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/^chronosync: /);
  });
});
