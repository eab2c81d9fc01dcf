// The agent runner on loopback against our own NTP responders (issue 3 §3, §4, §11):
// four identical "localhost" servers resolved by node:dns (none ends up an outlier, the
// bound is sub-millisecond), the state file written at stop and read at the next start,
// a state file it cannot write (one warning, still serving), and a pool member that never
// answers replaced after re-resolution (injected resolver).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AgentConfig,
  type AgentRunner,
  loadAgentConfig,
  type ResolvedAddress,
  startAgent,
} from "@chronosync/agent";
import { systemClock } from "@chronosync/core";
import {
  asciiReferenceId,
  NtpResponder,
  type NtpServerHandle,
  queryNtp,
  startNtpServer,
} from "@chronosync/protocols";
import { findFreeUdpPort } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const POLL = "minpoll=-2&maxpoll=-2&iburst=1";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function config(sources: string[], stateFile = ""): AgentConfig {
  return loadAgentConfig({
    env: {},
    flags: { source: sources, "state-file": stateFile },
    detectSources: () => {
      throw new Error("no system detection in tests");
    },
  });
}

async function serve(host: string, port = 0): Promise<NtpServerHandle> {
  const responder = new NtpResponder({
    clock: systemClock,
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("LOOP"),
      referenceTime: systemClock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 1_000n,
      precision: -20,
    },
    rateLimit: false,
  });
  return startNtpServer({ host, port, responder });
}

async function waitFor(what: string, ms: number, ok: () => boolean): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (ok()) return;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

describe("agent runner on loopback", () => {
  const servers: NtpServerHandle[] = [];
  const runners: AgentRunner[] = [];
  let dir = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "chronosync-runner-"));
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it("four localhost servers: all selected, sub-ms bound; the state file carries the frequency over", async () => {
    for (let i = 0; i < 4; i++) servers.push(await serve("127.0.0.1"));
    const urls = servers.map((s) => `ntp://localhost:${s.address.port}?${POLL}`);
    const stateFile = join(dir, "agent-state.json");
    const logs: string[] = [];
    const log = (level: string, msg: string) => logs.push(`${level}: ${msg}`);
    const runner = await startAgent(config(urls, stateFile), { log });
    runners.push(runner);
    expect(runner.sources.map((s) => s.address)).toEqual([
      "127.0.0.1",
      "127.0.0.1",
      "127.0.0.1",
      "127.0.0.1",
    ]);
    expect(logs).toContain(`info: state file ${stateFile} not found: starting cold`);
    await waitFor("synchronized", 10_000, () => runner.status().tracking.status === "synchronized");
    await sleep(3000);
    const local = systemClock.now();
    const now = runner.engine.now(local);
    const status = runner.engine.status(local);
    console.log(
      `loopback: bound ±${(Number(now.halfWidthNs) / 1e3).toFixed(1)} µs, correction ${(Number(status.tracking.offsetNs) / 1e3).toFixed(1)} µs; ` +
        status.sources.map((s) => `${s.selection} jitter ${Number(s.jitterNs ?? 0n) / 1e3} µs`).join(", "),
    );
    expect(now.earliestNs <= local && local <= now.latestNs).toBe(true);
    expect(now.halfWidthNs).toBeLessThan(1_000_000n);
    // Four servers on one clock: the cluster step keeps them all (issue 3 item 4). The RFC's
    // own stop rule (φ_S ≤ min ψ) left one `outlier` at nearly every selection; allow a rare one.
    let withOutlier = 0;
    for (let i = 0; i < 20; i++) {
      if (runner.status().sources.some((s) => s.selection !== "selected")) withOutlier++;
      await sleep(100);
    }
    expect(withOutlier).toBeLessThanOrEqual(3);

    await runner.stop();
    const saved = JSON.parse(await readFile(stateFile, "utf8")) as { frequencyPpm: number };
    // Written at stop: the servo's frequency as it stopped (no sample comes after stop()).
    expect(saved.frequencyPpm).toBeCloseTo(runner.status().tracking.frequencyPpm, 9);
    const again = await startAgent(config(urls, stateFile), { log });
    runners.push(again);
    expect(logs.some((l) => l.startsWith(`info: warm start from ${stateFile}: frequency`))).toBe(true);
    await again.stop();
  }, 30_000);

  it("a state file it cannot write: one warning, and the agent keeps serving", async () => {
    const server = await serve("127.0.0.1");
    servers.push(server);
    await writeFile(join(dir, "plain"), "a file, not a directory");
    const stateFile = join(dir, "plain", "agent-state.json"); // ENOTDIR, whatever our privileges
    const servePort = await findFreeUdpPort();
    const logs: string[] = [];
    const runner = await startAgent(
      loadAgentConfig({
        env: {},
        flags: {
          source: [`ntp://127.0.0.1:${server.address.port}?${POLL}`],
          serve: [`ntp://127.0.0.1:${servePort}`],
          "state-file": stateFile,
        },
        detectSources: () => ({ sources: [], origin: "default", files: [], skipped: [] }),
      }),
      { log: (level, msg) => logs.push(`${level}: ${msg}`), stateSaveIntervalMs: 200 },
    );
    runners.push(runner);
    await waitFor("synchronized", 10_000, () => runner.status().tracking.status === "synchronized");
    await sleep(600); // a few periodic writes fail meanwhile
    expect(await runner.saveState()).toBe(false);
    const warnings = logs.filter((l) => l.includes("cannot write state file"));
    expect(warnings).toEqual([
      `warn: cannot write state file ${stateFile} (ENOTDIR): the frequency will not survive a restart; still serving`,
    ]);
    const reply = await queryNtp({ host: "127.0.0.1", port: servePort }, { samples: 2, intervalMs: 100 });
    expect(reply.best.stratum).toBe(2);
    expect(reply.best.leap).toBe(0);
    await runner.stop();
  }, 30_000);

  it("replaces a pool member that never answers by a fresh address from re-resolution", async () => {
    // Servers on 127.0.0.1–3 and .5 on one port; .4 has none (the kernel answers ICMP unreachable).
    const first = await serve("127.0.0.1");
    const port = first.address.port;
    servers.push(first);
    for (const host of ["127.0.0.2", "127.0.0.3", "127.0.0.5"]) servers.push(await serve(host, port));
    let answer = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"];
    const asked: string[] = [];
    const resolver = async (host: string): Promise<readonly ResolvedAddress[]> => {
      asked.push(host);
      return answer.map((address) => ({ address, family: 4 }));
    };
    const logs: string[] = [];
    const runner = await startAgent(config([`ntp://pool.test:${port}?${POLL}&pool=1`]), {
      log: (level, msg) => logs.push(`${level}: ${msg}`),
      resolver,
      pool: { retryBaseMs: 500 },
    });
    runners.push(runner);
    expect(runner.sources.map((s) => s.id)).toEqual(
      ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"].map((a) => `ntp://${a}:${port}`),
    );
    answer = [...answer, "127.0.0.5"];
    await waitFor("the replacement", 15_000, () => runner.sources.some((s) => s.address === "127.0.0.5"));
    expect(runner.sources.map((s) => s.address).sort()).toEqual([
      "127.0.0.1",
      "127.0.0.2",
      "127.0.0.3",
      "127.0.0.5",
    ]);
    expect(logs).toContain(
      `info: ntp://pool.test:${port}?${POLL}&pool=1: replaced 127.0.0.4 (unreachable for 8 polls) by 127.0.0.5`,
    );
    expect(asked.every((h) => h === "pool.test")).toBe(true);
    expect(runner.engine.sourceIds).not.toContain(`ntp://127.0.0.4:${port}`);
    await waitFor("the new member answering", 5000, () =>
      runner.status().sources.some((s) => s.id === `ntp://127.0.0.5:${port}` && s.reach !== 0),
    );
    await runner.stop();
  }, 30_000);
});
