// The agent runner with `system`, the local system clock, as the last member of a fallback
// group (issue 6 §5), against our own NTP server on loopback: synchronized through NTP,
// then the server goes away and the group falls back to the system clock — one switch
// logged, /v1/status shows the group on `system` (unusable) and the agent in holdover with
// a growing bound, never synchronized; `system` alone never synchronizes the agent.
import {
  type AgentConfig,
  type AgentRunner,
  type StatusDocument,
  startAgent,
  startLocalApi,
} from "@chronosync/agent";
import { systemClock } from "@chronosync/core";
import { afterAll, describe, expect, it } from "vitest";
import { sleep, testAgentConfig, waitFor } from "./helpers/runner-config.js";
import { startNtp } from "./helpers/time-servers.js";

function config(sources: string[]): AgentConfig {
  return testAgentConfig({ source: sources, "min-poll": "-1", "max-poll": "-1", iburst: "false" });
}

describe("agent runner: the system clock as a chain's last resort", () => {
  const runners: AgentRunner[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const r of runners) await r.stop();
    for (const c of closers) await c();
  });

  it("NTP, then the system clock once the server is gone: holdover, the bound growing, never synchronized", async () => {
    const ntp = await startNtp();
    let ntpOpen = true;
    closers.push(async () => {
      if (ntpOpen) await ntp.close();
    });
    const live = `ntp://127.0.0.1:${ntp.address.port}`;
    const id = `fallback:${live}|system`;
    const logs: string[] = [];
    const runner = await startAgent(config([`fallback:${live}|system`]), {
      log: (level, m) => logs.push(`${level}: ${m}`),
    });
    runners.push(runner);
    const api = await startLocalApi({ listen: "127.0.0.1:0", provider: runner.time, clock: systemClock });
    closers.push(() => api.close());
    const status = async (): Promise<StatusDocument> =>
      (await (await fetch(`http://127.0.0.1:${api.address.port}/v1/status`)).json()) as StatusDocument;

    await waitFor(
      "synchronized through NTP",
      15_000,
      () => runner.status().tracking.status === "synchronized",
    );
    expect((await status()).sources[0]).toMatchObject({ id, protocol: "ntp", state: "selected" });

    await ntp.close();
    ntpOpen = false;
    await waitFor(
      "the group on the system clock",
      10_000,
      () => runner.status().sources[0]?.protocol === "system",
    );
    const doc = await status();
    expect(doc.tracking.status).toBe("holdover");
    expect(doc.sources[0]).toMatchObject({
      id,
      protocol: "system",
      authenticated: false,
      state: "unusable",
      fallback: { current: "system", switches: 1 },
    });
    expect(logs.filter((l) => l.includes("switched time source"))).toEqual([
      `warn: ${id}: switched time source from ${live} to system`,
    ]);
    const first = runner.now();
    // Several polls (0.5 s each) on the system clock: still holdover, the bound wider.
    await sleep(2500);
    const second = runner.now();
    expect(runner.status().sources[0]?.protocol).toBe("system");
    expect(second.status).toBe("holdover");
    expect(second.halfWidthNs).toBeGreaterThan(first.halfWidthNs);
    console.log(
      `system fallback: bound ±${(Number(first.halfWidthNs) / 1e3).toFixed(1)} µs at the switch, ±${(Number(second.halfWidthNs) / 1e3).toFixed(1)} µs 2.5 s later (${second.status})`,
    );
    await runner.stop();
  });

  it("system alone: answers every poll, unusable, the agent stays unsynchronized", async () => {
    const runner = await startAgent(config(["system"]), { log: () => {} });
    runners.push(runner);
    await waitFor("four answers", 10_000, () => (runner.status().sources[0]?.samples ?? 0) >= 4);
    const status = runner.status();
    expect(status.tracking.status).toBe("unsynchronized");
    expect(status.sources[0]).toMatchObject({ id: "system", protocol: "system", selection: "unusable" });
    expect(status.sources[0]!.reach & 0x0f).toBe(0x0f);
    expect(runner.now().status).toBe("unsynchronized");
    await runner.stop();
  });
});
