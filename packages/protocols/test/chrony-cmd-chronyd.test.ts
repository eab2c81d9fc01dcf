/**
 * Real peer: a `chronyd -x` client of a second chronyd (both on loopback, never touching
 * the clock), its command port on UDP 127.0.0.1. queryChronyd's tracking and sources
 * must agree with `chronyc -c tracking` / `chronyc -c sources` for the same daemon.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChronySource, type ChronyTracking, queryChronyd } from "../src/index.js";
import { type ChronydServer, chronydAvailable, startChronyd } from "./helpers/chronyd.js";
import { freeUdpPort } from "./helpers/udp.js";

const CHRONYC = "/usr/bin/chronyc";
const run = promisify(execFile);

const SYMBOL: Record<ChronySource["state"], string> = {
  sync: "*",
  unreach: "?",
  falseticker: "x",
  jittery: "~",
  candidate: "+",
  outlier: "-",
};

async function chronyc(cmdPort: number, command: string): Promise<string[][]> {
  const { stdout } = await run(CHRONYC, ["-h", "127.0.0.1", "-p", String(cmdPort), "-n", "-c", command]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => line.split(","));
}

describe.skipIf(!chronydAvailable() || !existsSync(CHRONYC))("chronyd 4.3 command protocol over UDP", () => {
  let server: ChronydServer;
  let client: ChronydServer;
  let cmdPort: number;
  const target = () => ({ host: "127.0.0.1", port: cmdPort });

  beforeAll(async () => {
    server = await startChronyd();
    cmdPort = await freeUdpPort();
    client = await startChronyd([
      `server 127.0.0.1 port ${server.port} iburst minpoll -2 maxpoll -2`,
      `cmdport ${cmdPort}`,
      "bindcmdaddress 127.0.0.1",
      "cmdallow 127.0.0.1",
    ]);
    // Wait until the client follows the server (stratum 2, reference = the server).
    const deadline = Date.now() + 20_000;
    let last: ChronyTracking | undefined;
    while (Date.now() < deadline) {
      last = await queryChronyd(target(), "tracking", { timeoutMs: 500 }).catch(() => undefined);
      if (last?.stratum === 2 && last.ipAddr === "127.0.0.1") return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `client chronyd never synchronized: ${JSON.stringify(last, (_, v) => (typeof v === "bigint" ? String(v) : v))}\n${client.log()}`,
    );
  }, 40_000);

  afterAll(async () => {
    await client?.stop();
    await server?.stop();
  });

  it("tracking matches chronyc -c tracking", async () => {
    const ours = await queryChronyd(target(), "tracking", { timeoutMs: 1000 });
    const [row] = await chronyc(cmdPort, "tracking");
    expect(row).toBeDefined();
    const [refIdHex, name, stratum, refTime, , , , freq, , , rootDelay] = row!;
    expect(ours.refId.toString(16).toUpperCase().padStart(8, "0")).toBe(refIdHex);
    expect(ours.refId).toBe(0x7f000001);
    expect(ours.ipAddr).toBe(name);
    expect(ours.stratum).toBe(Number(stratum));
    expect(ours.leapStatus).toBe(0);
    // chronyc prints ref time as seconds.nanoseconds; the two queries are apart by < 1 poll.
    expect(Math.abs(Number(ours.refTime / 1_000_000_000n) - Number(refTime))).toBeLessThan(5);
    // Same sign as chronyc -c (printed to 3 decimals); it may move a little between queries.
    expect(Math.abs(ours.freqPpm - Number(freq))).toBeLessThan(0.5);
    expect(ours.rootDelayS).toBeGreaterThanOrEqual(0);
    expect(ours.rootDelayS).toBeLessThan(0.01);
    expect(Number(rootDelay)).toBeLessThan(0.01);
    expect(Math.abs(ours.lastOffsetS)).toBeLessThan(0.01);
    expect(ours.lastUpdateIntervalS).toBeGreaterThanOrEqual(0);
  });

  it("sources: one source, the server, in the state chronyc -c sources shows", async () => {
    const ours = await queryChronyd(target(), "sources", { timeoutMs: 1000 });
    const rows = await chronyc(cmdPort, "sources");
    expect(ours).toHaveLength(1);
    expect(rows).toHaveLength(1);
    const [source] = ours;
    const [mode, state, name, stratum, poll, reach] = rows[0]!;
    expect(source!.ipAddr).toBe("127.0.0.1");
    expect(name).toBe("127.0.0.1");
    expect(source!.mode).toBe("client");
    expect(mode).toBe("^");
    expect(SYMBOL[source!.state]).toBe(state);
    expect(source!.state).toBe("sync");
    expect(source!.stratum).toBe(Number(stratum));
    expect(source!.poll).toBe(Number(poll));
    // The reach register may shift between the two queries; both must be non-zero.
    expect(source!.reachability).toBeGreaterThan(0);
    expect(Number.parseInt(reach!, 8)).toBeGreaterThan(0);
    expect(Math.abs(source!.latestMeas)).toBeLessThan(0.01);
  });

  it("a closed command port fails fast with a typed error", async () => {
    const port = await freeUdpPort();
    await expect(
      queryChronyd({ host: "127.0.0.1", port }, "tracking", { timeoutMs: 500 }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^(NETWORK_FAILURE|CHRONY_CMD_TIMEOUT)$/),
    });
  });
});
