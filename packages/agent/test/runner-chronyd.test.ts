// The agent runner against real chronyd servers on loopback (issue 3 §1, §2, §6): two
// honest servers on the system clock and one falseticker 2.5 s ahead (libfaketime), fast
// polls (minpoll -2, maxpoll 0, iburst). Truth is the system clock: chronyd serves it.
import { type AgentConfig, type AgentRunner, loadAgentConfig, startAgent } from "@chronosync/agent";
import { systemClock } from "@chronosync/core";
import { queryNtp } from "@chronosync/protocols";
import { type ChronydHandle, findFreeUdpPort, probeNtp, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const POLL = "minpoll=-2&maxpoll=0&iburst=1";
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function config(sources: string[], serve: string[] = []): AgentConfig {
  return loadAgentConfig({
    env: {},
    flags: { source: sources, ...(serve.length > 0 && { serve }) },
    detectSources: () => {
      throw new Error("no system detection in tests");
    },
  });
}

async function waitFor(what: string, ms: number, ok: () => boolean): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (ok()) return performance.now() - start;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

describe("agent runner against chronyd", () => {
  const peers: ChronydHandle[] = [];
  let urls: string[] = [];
  let falseticker = "";
  const runners: AgentRunner[] = [];
  const logs: string[] = [];
  const log = (level: string, msg: string) => logs.push(`${level}: ${msg}`);

  beforeAll(async () => {
    peers.push(
      ...(await Promise.all([
        startChronydServer(),
        startChronydServer(),
        startChronydServer({ faketime: "+2.5" }),
      ])),
    );
    urls = peers.map((p) => `ntp://127.0.0.1:${p.port}?${POLL}`);
    falseticker = urls[2]!;
  }, 30_000);

  afterAll(async () => {
    for (const r of runners) await r.stop();
    await Promise.all(peers.map((p) => p.stop()));
  });

  it("synchronizes to the two true servers within seconds and flags the +2.5 s one as falseticker", async () => {
    const runner = await startAgent(config(urls), { log });
    runners.push(runner);
    expect(runner.sources.map((s) => s.id)).toEqual(urls);
    const tookMs = await waitFor("synchronized and a falseticker", 12_000, () => {
      const s = runner.status();
      return (
        s.tracking.status === "synchronized" &&
        s.sources.find((x) => x.id === falseticker)?.selection === "falseticker"
      );
    });
    // Let a few more polls in (0.25–1 s apart), then check.
    await sleep(2000);
    const local = systemClock.now();
    const now = runner.engine.now(local);
    const status = runner.engine.status(local);
    console.log(
      `agent: synchronized after ${tookMs.toFixed(0)} ms; correction ${Number(status.tracking.offsetNs) / 1e3} µs, ` +
        `bound ±${Number(now.halfWidthNs) / 1e3} µs, frequency ${status.tracking.frequencyPpm.toFixed(3)} ppm; ` +
        status.sources
          .map((s) => `${s.id.split("?")[0]} ${s.selection} offset ${Number(s.lastOffsetNs ?? 0n) / 1e6} ms`)
          .join("; "),
    );
    expect(now.status).toBe("synchronized");
    expect(Math.abs(Number(status.tracking.offsetNs))).toBeLessThan(1_000_000);
    expect(now.earliestNs <= local && local <= now.latestNs).toBe(true);
    const byId = new Map(status.sources.map((s) => [s.id, s]));
    expect(byId.get(falseticker)?.selection).toBe("falseticker");
    expect(Number(byId.get(falseticker)?.lastOffsetNs)).toBeGreaterThan(2.4e9);
    for (const url of urls.slice(0, 2)) expect(["selected", "candidate"]).toContain(byId.get(url)?.selection);
    expect(status.tracking.systemPeer).not.toBe(falseticker);
    expect(logs.some((l) => l === `info: using 3 sources from --source`)).toBe(true);
    expect(logs.some((l) => l.startsWith("info: status synchronized"))).toBe(true);
    await runner.stop();
  }, 20_000);

  it("serves leap 3 / stratum 16 while unsynchronized, then stratum 2 within 1 ms once synchronized", async () => {
    // Unsynchronized: its only source is a port nothing answers on.
    const deadPort = await findFreeUdpPort();
    const servePort1 = await findFreeUdpPort();
    const lonely = await startAgent(
      config([`ntp://127.0.0.1:${deadPort}?${POLL}`], [`ntp://127.0.0.1:${servePort1}`]),
      { log },
    );
    runners.push(lonely);
    expect(lonely.serving).toHaveLength(1);
    const before = await probeNtp("127.0.0.1", servePort1, 1000);
    expect(before).not.toBeNull();
    expect(before?.leap).toBe(3);
    expect(before?.stratum).toBe(16);
    await lonely.stop();

    const servePort = await findFreeUdpPort();
    const relay = await startAgent(config(urls, [`ntp://127.0.0.1:${servePort}`]), { log });
    runners.push(relay);
    expect(relay.serving[0]?.address.port).toBe(servePort);
    await waitFor("synchronized", 12_000, () => relay.status().tracking.status === "synchronized");
    // The reference state is refreshed after each sample; give it one more poll.
    await sleep(1200);
    const reply = await queryNtp({ host: "127.0.0.1", port: servePort }, { samples: 3, intervalMs: 100 });
    console.log(
      `relay: stratum ${reply.best.stratum}, offset ${Number(reply.best.offsetNs) / 1e3} µs, ` +
        `delay ${Number(reply.best.delayNs) / 1e3} µs, root dispersion ${Number(reply.best.rootDispersionNs) / 1e3} µs`,
    );
    expect(reply.best.leap).toBe(0);
    expect(reply.best.stratum).toBe(2);
    expect(Math.abs(Number(reply.best.offsetNs))).toBeLessThan(1_000_000);
    await relay.stop();
  }, 20_000);
});
