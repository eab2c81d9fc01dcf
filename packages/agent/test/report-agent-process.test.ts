// The real `chronosync agent` process (the built CLI, `npx tsc -b` first) synchronized to
// a real chronyd, reporting every second to a server implementing docs/report-protocol.md:
// it enrolls once, keeps reporting through a server outage and its own restart, and every
// report arrives exactly once (seqs 1..n, no gap, nothing dropped).

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReportContractServer } from "./helpers/report-contract-server.js";

const BIN = fileURLToPath(new URL("../../cli/bin/chronosync.js", import.meta.url));

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function until(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startAgent(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, "agent", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

describe("chronosync agent reporting to a server", () => {
  let chronyd: ChronydHandle;
  let dir: string;
  beforeAll(async () => {
    chronyd = await startChronydServer();
    dir = await mkdtemp(join(tmpdir(), "chronosync-report-agent-"));
  });
  afterAll(async () => {
    await chronyd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("enrolls once and delivers every report exactly once across an outage and a restart", async () => {
    const server = new ReportContractServer();
    server.enrollTokens.set("enroll-e2e", "fresh");
    await server.start();
    const args = async () => [
      "--source",
      `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=0`,
      "--api-listen",
      `127.0.0.1:${await freeTcpPort()}`,
      "--state-file",
      join(dir, "agent-state.json"),
      "--server-url",
      server.url,
      "--report-interval-s",
      "1",
      "--log-level",
      "debug",
    ];
    const node = () => [...server.stored.keys()][0] ?? "";
    const reports = () => [...(server.stored.get(node())?.values() ?? [])];

    let agent = startAgent(await args(), { CHRONOSYNC_ENROLL_TOKEN: "enroll-e2e" });
    try {
      await until(
        "a synchronized report",
        () =>
          reports().some((r) => (r.body.tracking as { status: string }).status === "synchronized") &&
          reports().length >= 3,
        20_000,
        agent.stderr,
      );
      const first = reports().find((r) => (r.body.tracking as { status: string }).status === "synchronized");
      expect(first?.body).toMatchObject({
        agentVersion: "0.1.0",
        sources: [
          {
            url: `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=0`,
            state: "selected",
            reach: expect.any(String),
          },
        ],
      });
      expect((first?.body.resources as { rssBytes: number } | undefined)?.rssBytes).toBeGreaterThan(
        10_000_000,
      );
      expect((await stat(join(dir, "credentials.json"))).mode & 0o777).toBe(0o600);

      // Server down for ~2.5 s, then the agent restarts while reports are still buffered.
      await server.stop();
      await new Promise((r) => setTimeout(r, 2500));
      agent.child.kill("SIGTERM");
      expect(await agent.exited).toBe(0);
      const before = reports().length;
      await server.start();
      agent = startAgent(await args(), {}); // no token: the saved credentials are used
      await until(
        "the buffered reports and 2 new ones",
        () => reports().length >= before + 4,
        20_000,
        agent.stderr,
      );
      agent.child.kill("SIGTERM");
      expect(await agent.exited).toBe(0);
    } finally {
      agent.child.kill("SIGKILL");
      await server.stop();
    }
    const seqs = reports()
      .map((r) => r.seq)
      .sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(server.droppedTotal).toBe(0);
    expect(server.clients.size).toBe(1); // enrolled once
    expect(agent.stderr()).toMatch(
      /info: reporting to http:\/\/127\.0\.0\.1:\d+\/ every 1 s \(buffer .*report-buffer, \d+ pending\)/,
    );
  }, 60_000);
});
