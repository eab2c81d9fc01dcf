// End to end through the built binary: `chronosync agent` synchronizes against a real
// chronyd, and `chronosync status` reads it over the local API.
import { spawn } from "node:child_process";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, freeTcpPort, runCli } from "./helpers/run-cli.js";

interface StatusDoc {
  tracking: { status: string; offsetNs: number | null; systemPeer: string | null };
  sources: { id: string; state: string }[];
}

describe("chronosync agent + chronosync status against chronyd", () => {
  let chronyd: ChronydHandle;
  beforeAll(async () => {
    chronyd = await startChronydServer();
  });
  afterAll(async () => {
    await chronyd?.stop();
  });

  it("synchronizes, reports over the local API, and stops on SIGTERM with exit 0", async () => {
    const source = `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=0`;
    const agent = spawn(
      process.execPath,
      [BIN, "agent", "--source", source, "--api-listen", `127.0.0.1:${await freeTcpPort()}`],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "" },
      },
    );
    let stderr = "";
    agent.stderr.setEncoding("utf8");
    const exited = new Promise<number | null>((resolve) => agent.on("close", resolve));
    try {
      const api = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`agent did not start:\n${stderr}`)), 15_000);
        agent.stderr.on("data", (d: string) => {
          stderr += d;
          const m = /local API on http:\/\/(\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      let doc: StatusDoc | null = null;
      for (let i = 0; i < 40; i++) {
        const run = await runCli(["status", "--api", api, "--json"]);
        expect(run.code, run.stderr).toBe(0);
        doc = JSON.parse(run.stdout) as StatusDoc;
        if (doc.tracking.status === "synchronized") break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(doc?.tracking.status).toBe("synchronized");
      expect(doc?.sources[0]?.state).toBe("selected");
      expect(Math.abs(doc?.tracking.offsetNs ?? Number.POSITIVE_INFINITY)).toBeLessThan(1_000_000);
      const table = await runCli(["status", "--api", api]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^\*/m);
    } finally {
      agent.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain("stopped by SIGTERM");
  });
});
