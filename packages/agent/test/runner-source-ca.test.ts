// Per-source CA files in the agent's configuration (`nts://host?ca=/path/ca.pem`,
// `https://host/?ca=…`, also inside fallback groups): against our own NTS server and an
// https Date server on loopback with a fresh openssl self-signed certificate that no
// NODE_EXTRA_CA_CERTS bundle holds, and no runner-wide `ca`. A CA file that cannot be read is a
// configuration error naming the source.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentConfig, AgentConfigError, type AgentRunner, startAgent } from "@chronosync/agent";
import type { NtsServerHandle } from "@chronosync/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testAgentConfig, waitFor } from "./helpers/runner-config.js";
import { makeCertificate, startDateServer, startNts } from "./helpers/time-servers.js";

function config(sources: unknown[]): AgentConfig {
  return testAgentConfig(
    {},
    { file: "/agent.yaml", reader: { readFile: () => JSON.stringify({ sources }) } },
  );
}

describe("agent: a CA file per source", () => {
  let dir: string | undefined;
  let caPath: string;
  let tls: { cert: string; key: string };
  const runners: AgentRunner[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    tls = await makeCertificate();
    const d = await mkdtemp(join(tmpdir(), "chronosync-agent-ca-"));
    dir = d;
    caPath = join(d, "ca.pem");
    await writeFile(caPath, tls.cert);
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    for (const c of closers) await c();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("nts://…?ca= synchronizes, authenticated; without it the source only fails", async () => {
    const nts: NtsServerHandle = await startNts(tls);
    closers.push(() => nts.close());
    const base = `nts://127.0.0.1:${nts.keAddress.port}`;
    const cfg = config([`${base}?ca=${caPath}&minpoll=-2&maxpoll=-2`]);
    const spec = cfg.sources[0]!;
    expect(spec).toMatchObject({ kind: "time", url: `${base}?ca=${caPath}`, protocol: "nts" });
    const runner = await startAgent(cfg, { log: () => {} });
    runners.push(runner);
    await waitFor("synchronized over NTS", 15_000, () => runner.status().tracking.status === "synchronized");
    expect(runner.status().sources[0]).toMatchObject({
      id: `${base}?ca=${caPath}`,
      protocol: "nts",
      authenticated: true,
      selection: "selected",
    });
    await runner.stop();

    const logs: string[] = [];
    const bare = await startAgent(config([`${base}?minpoll=-2&maxpoll=-2`]), {
      log: (level, m) => logs.push(`${level}: ${m}`),
    });
    runners.push(bare);
    await waitFor("a failed measurement", 10_000, () => (bare.status().sources[0]?.timeouts ?? 0) >= 1);
    expect(bare.status().sources[0]?.lastError?.code).toBe("NTS_KE_FAILED");
    expect(bare.status().tracking.status).toBe("unsynchronized");
    await bare.stop();
  });

  it("https://…/?ca= as a fallback member behind a dead NTS server", async () => {
    const web = await startDateServer(0n, tls);
    closers.push(() => web.close());
    const https = `https://127.0.0.1:${web.port}/?ca=${caPath}`;
    const dead = `nts://127.0.0.1:9?ca=${caPath}`;
    const cfg = config([{ fallback: [dead, https], minpoll: -1, maxpoll: -1, iburst: false }]);
    const runner = await startAgent(cfg, { log: () => {} });
    runners.push(runner);
    await waitFor("an https sample", 20_000, () => (runner.status().sources[0]?.samples ?? 0) >= 1);
    const src = runner.status().sources[0]!;
    expect(src).toMatchObject({ protocol: "https", authenticated: true });
    expect(src.fallback?.current).toBe(https);
    await runner.stop();
  });

  it("a CA file that cannot be read, or holds no certificate, is a configuration error", async () => {
    const d = dir!;
    const keyOnly = join(d, "key.pem");
    await writeFile(keyOnly, tls.key);
    const problems = (() => {
      try {
        config([
          `nts://time.example?ca=${join(d, "missing.pem")}`,
          { fallback: ["ntp://time.example", `https://time.example/?ca=${keyOnly}`] },
        ]);
      } catch (err) {
        expect(err).toBeInstanceOf(AgentConfigError);
        return (err as Error).message;
      }
      return "";
    })();
    expect(problems).toContain("sources[0]: expected a usable time source URL (cannot read the CA file");
    expect(problems).toContain("ENOENT");
    expect(problems).toContain("sources[1].fallback[1]: expected a usable time source URL (the CA file");
    expect(problems).toContain("holds no PEM certificate");
  });
});
