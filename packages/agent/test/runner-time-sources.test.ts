// The agent runner with non-NTP sources on loopback (issue 6 §5), against real servers:
// an NTS source against our own NTS server (one NTS-KE, then cookies), a fallback group
// whose first member is dead (one switch, logged once, shown in GET /v1/status), and an
// https:// Date source next to an NTP source (NTP is the system peer, https a candidate).
import {
  type AgentConfig,
  type AgentRunner,
  type StatusDocument,
  startAgent,
  startLocalApi,
} from "@chronosync/agent";
import { systemClock } from "@chronosync/core";
import type { NtpServerHandle, NtsServerHandle, NtsTimeSource } from "@chronosync/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatStatus } from "../../cli/src/commands/status.js";
import { sleep, testAgentConfig, waitFor } from "./helpers/runner-config.js";
import { makeCertificate, startDateServer, startNtp, startNts } from "./helpers/time-servers.js";

function config(sources: string[]): AgentConfig {
  return testAgentConfig({ source: sources });
}

/** A TCP port nobody listens on (bound, then closed). */
async function deadTcpPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("agent runner: every protocol through TimeSource", () => {
  let tls: { cert: string; key: string };
  const runners: AgentRunner[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    tls = await makeCertificate();
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    for (const c of closers) await c();
  });

  it("nts:// against our NTS server: authenticated, the system peer, one NTS-KE for many polls", async () => {
    const nts: NtsServerHandle = await startNts(tls);
    closers.push(() => nts.close());
    const url = `nts://127.0.0.1:${nts.keAddress.port}`;
    const logs: string[] = [];
    const runner = await startAgent(config([`${url}?minpoll=-2&maxpoll=-2`]), {
      log: (level, m) => logs.push(`${level}: ${m}`),
      timeSourceOptions: { ca: tls.cert },
    });
    runners.push(runner);
    await waitFor("synchronized over NTS", 15_000, () => runner.status().tracking.status === "synchronized");
    await sleep(2000);
    const status = runner.status();
    const source = status.sources[0]!;
    expect(source).toMatchObject({ id: url, protocol: "nts", authenticated: true, selection: "selected" });
    expect(status.tracking.systemPeer).toBe(url);
    expect(source.samples).toBeGreaterThanOrEqual(6);
    const state = (runner.timeSources[0]!.source as NtsTimeSource).state();
    expect(state.keRuns).toBe(1); // cookies came back with every reply
    expect(state.cookies).toBeGreaterThan(0);
    const local = systemClock.now();
    const now = runner.now();
    console.log(
      `nts loopback: bound ±${(Number(now.halfWidthNs) / 1e3).toFixed(1)} µs, correction ${(Number(status.tracking.offsetNs) / 1e3).toFixed(1)} µs, delay ${(Number(source.lastDelayNs) / 1e3).toFixed(1)} µs, ${source.samples} samples, NTS-KE runs ${state.keRuns}`,
    );
    expect(now.earliestNs <= local + 1_000_000n && local - 1_000_000n <= now.latestNs).toBe(true);
    expect(now.halfWidthNs).toBeLessThan(5_000_000n);
    expect(logs.filter((l) => l.startsWith("warn") || l.startsWith("error"))).toEqual([]);
    await runner.stop();
  });

  it("auto://: detection picks NTS over NTP (authenticated first); status shows the detected protocol", async () => {
    const nts = await startNts(tls);
    closers.push(() => nts.close());
    const ntp = await startNtp();
    closers.push(() => ntp.close());
    const dead = await deadTcpPort();
    const url = `auto://127.0.0.1?nts=${nts.keAddress.port}&ntp=${ntp.address.port}&https=${dead}&http=${dead}&roughtime=${dead}&deadline=2000`;
    const runner = await startAgent(config([`${url}&minpoll=-1&maxpoll=-1`]), {
      log: () => {},
      timeSourceOptions: { ca: tls.cert },
    });
    runners.push(runner);
    expect(runner.status().sources[0]).toMatchObject({ id: "auto://127.0.0.1", protocol: "auto" });
    await waitFor(
      "synchronized through auto://",
      15_000,
      () => runner.status().tracking.status === "synchronized",
    );
    expect(runner.status().sources[0]).toMatchObject({
      id: "auto://127.0.0.1",
      protocol: "nts",
      authenticated: true,
      selection: "selected",
    });
    await runner.stop();
  });

  it("a fallback group whose first member is dead: switches to the second, logged once, in /v1/status", async () => {
    const ntp: NtpServerHandle = await startNtp();
    closers.push(() => ntp.close());
    const dead = `nts://127.0.0.1:${await deadTcpPort()}`;
    const live = `ntp://127.0.0.1:${ntp.address.port}`;
    const logs: string[] = [];
    const runner = await startAgent(config([`fallback:${dead}|${live}`]), {
      log: (level, m) => logs.push(`${level}: ${m}`),
      timeSourceOptions: { ca: tls.cert },
    });
    runners.push(runner);
    const api = await startLocalApi({ listen: "127.0.0.1:0", provider: runner.time, clock: systemClock });
    closers.push(() => api.close());
    await waitFor(
      "synchronized through the second member",
      15_000,
      () => runner.status().tracking.status === "synchronized",
    );
    await sleep(2500); // several more polls on the second member: still one switch
    const id = `fallback:${dead}|${live}`;
    const switches = logs.filter((l) => l.includes("switched time source"));
    expect(switches).toEqual([`warn: ${id}: switched time source from ${dead} to ${live}`]);
    const res = await fetch(`http://127.0.0.1:${api.address.port}/v1/status`);
    const doc = (await res.json()) as StatusDocument;
    const source = doc.sources[0]!;
    expect(source).toMatchObject({
      id,
      protocol: "ntp",
      authenticated: false,
      state: "selected",
      fallback: { current: live, switches: 1 },
    });
    expect(source.fallback?.members.map((m) => m.url)).toEqual([dead, live]);
    expect(source.fallback?.members[0]).toMatchObject({ failures: 1, lastError: { code: "NTS_KE_FAILED" } });
    expect(doc.tracking.systemPeer).toBe(id);
    // `chronosync status` shows the protocol column and the member in use.
    const text = formatStatus(doc);
    console.log(text);
    const row = text.split("\n").find((l) => l.startsWith("*"));
    expect(row).toMatch(
      new RegExp(`^\\*\\s+${live.replace(/[.]/g, "\\.")} \\[fallback 2/2, 1 switch\\]\\s+ntp\\s+selected`),
    );
    expect(text).toMatch(/source\s+protocol\s+state/);
    await runner.stop();
  });

  it("https:// Date next to NTP: NTP is the system peer, https a candidate", async () => {
    const ntp = await startNtp();
    closers.push(() => ntp.close());
    const web = await startDateServer(0n, tls);
    closers.push(() => web.close());
    const ntpUrl = `ntp://127.0.0.1:${ntp.address.port}?minpoll=-1&maxpoll=-1`;
    const httpsUrl = `https://127.0.0.1:${web.port}/`;
    const runner = await startAgent(config([ntpUrl, `${httpsUrl}?minpoll=0&maxpoll=0`]), {
      log: () => {},
      timeSourceOptions: { ca: tls.cert },
    });
    runners.push(runner);
    // One HTTPS Date measurement takes ~6 s here (locked to the server's second tick, ~12 HEADs).
    await waitFor("an https sample", 20_000, () => runner.status().sources.every((s) => s.samples >= 1));
    await sleep(1500); // NTP polls again: selection with both
    expect(runner.status().tracking.status).toBe("synchronized");
    const status = runner.status();
    const byId = new Map(status.sources.map((s) => [s.id, s]));
    expect(status.tracking.systemPeer).toBe(ntpUrl);
    expect(byId.get(ntpUrl)).toMatchObject({ protocol: "ntp", selection: "selected" });
    expect(byId.get(httpsUrl)).toMatchObject({ protocol: "https", authenticated: true });
    // Coarse (3× and 1 ms over NTP's distance): a candidate. When a loaded machine widens
    // NTP's own distance it may be combined instead — never the system peer.
    expect(["candidate", "selected"]).toContain(byId.get(httpsUrl)!.selection);
    const https = byId.get(httpsUrl)!;
    console.log(
      `https next to ntp: https offset ${(Number(https.lastOffsetNs) / 1e6).toFixed(3)} ms, delay ${(Number(https.lastDelayNs) / 1e6).toFixed(3)} ms, bound ±${(Number(status.tracking.boundNs) / 1e3).toFixed(1)} µs`,
    );
    // The Date source's ms-scale error does not reach the clock.
    expect(status.tracking.boundNs).toBeLessThan(1_000_000n);
    await runner.stop();
  });
});
