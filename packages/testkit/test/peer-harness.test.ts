/** The peer harness itself: programs, ports, namespaces, chronyd start failures, the relay CLI. */
import { execFile, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ensurePeerPrograms,
  findFreeUdpPort,
  IMPAIR_BIN,
  missingPeerPackages,
  probeNtp,
  startChronydServer,
  withNetns,
} from "../src/index.js";

const run = promisify(execFile);

describe("peer harness", () => {
  it("finds every peer program", () => {
    expect(missingPeerPackages()).toEqual([]);
    expect(() => ensurePeerPrograms()).not.toThrow();
  });

  it("findFreeUdpPort gives a bindable port below the ephemeral range", async () => {
    const port = await findFreeUdpPort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
    socket.close();
  });

  it("withNetns deletes its namespace afterwards, also when the callback throws", async () => {
    let name = "";
    await expect(
      withNetns(async (ns) => {
        name = ns.name;
        const { stdout } = await run(ns.wrap[0]!, [...ns.wrap.slice(1), "ip", "-o", "link", "show", "lo"]);
        expect(stdout).toMatch(/UP|UNKNOWN/);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const { stdout } = await run("ip", ["netns", "list"]);
    expect(stdout.split("\n").some((line) => line.split(" ")[0] === name)).toBe(false);
  });

  it("startChronydServer on a taken port fails with PEER_FAILED, and nothing answers for it", async () => {
    const squatter = createSocket("udp4");
    await new Promise<void>((resolve) => squatter.bind(0, "127.0.0.1", resolve));
    const port = squatter.address().port;
    try {
      await expect(startChronydServer({ port, startTimeoutMs: 3000 })).rejects.toMatchObject({
        code: "PEER_FAILED",
      });
      expect(await probeNtp("127.0.0.1", port, 200)).toBeNull();
    } finally {
      squatter.close();
    }
  });

  it("the relay CLI prints usage, and exits 2 on bad flags", () => {
    const help = spawnSync(process.execPath, [IMPAIR_BIN, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--up-delay-ms");
    const bad = spawnSync(process.execPath, [IMPAIR_BIN, "--target", "127.0.0.1:1", "--loss", "2"], {
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("loss");
    expect(bad.stdout).toBe("");
  });
});
