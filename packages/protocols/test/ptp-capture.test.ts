/**
 * Regenerates vectors/ptp/ptp4l-captures.json from real ptp4l 3.1.1 packets: a ptp4l
 * master in namespace A, a ptp4l slave in B, our capture child (ptp-child.ts) in B.
 * Runs only with PTP_CAPTURE=1 (it rewrites a golden file); ptp-codec.test.ts checks it.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { canRunPtpInterop, startPtp4l, startPtpChild, withPtpLink } from "./ptp-netns.js";

const OUT = fileURLToPath(new URL("./vectors/ptp/ptp4l-captures.json", import.meta.url));
const enabled = process.env.PTP_CAPTURE === "1" && canRunPtpInterop();

describe.skipIf(!enabled)("capture ptp4l packets", () => {
  it("records one of each message ptp4l sends on a veth", async () => {
    await withPtpLink(async (link) => {
      const master = await startPtp4l(link, link.a, "master", "veth0");
      const slave = await startPtp4l(link, link.b, "slave", "veth1");
      const capture = startPtpChild(link.b, "capture", link.addressB, 45);
      try {
        await capture.waitFor(/"type":"started"/, 10_000);
        await capture.waitFor(/"hex":"09/, 30_000); // the ptp4l slave's first Delay_Resp
        // pmc over UDPv4 from B: the master's Management RESPONSEs come back by multicast.
        const pmc = [...link.b.wrap, "pmc", "-4", "-i", "veth1", "-b", "0", "-s", join(link.dir, "pmc.sock")];
        execFileSync(pmc[0]!, [...pmc.slice(1), "GET CURRENT_DATA_SET", "GET TIME_PROPERTIES_DATA_SET"], {
          timeout: 5000,
        });
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        await capture.stop();
        await slave.stop();
        await master.stop();
      }
      const seen = new Map<string, { channel: string; hex: string }>();
      for (const line of capture.lines) {
        const p = JSON.parse(line) as { type: string; channel: string; hex: string };
        if (p.type !== "packet") continue;
        const type = Number.parseInt(p.hex.slice(1, 2), 16);
        // Management: one per managementId (TLV bytes 52..55 hold tlvType 1 and the id).
        const key = type === 0xd ? `${type}-${p.hex.slice(108, 112)}` : `${type}-${p.hex.length}`;
        if (!seen.has(key)) seen.set(key, { channel: p.channel, hex: p.hex });
      }
      const version = execFileSync("ptp4l", ["-v"], { encoding: "utf8" }).trim();
      const vectors = [...seen.values()].map((v) => ({
        title: v.hex.startsWith("0d")
          ? `ptp4l ${version} master's Management RESPONSE to \`pmc -4 GET …\` on a veth, received on ${v.channel}`
          : `ptp4l ${version} (free_running, UDPv4, software timestamps, E2E) on a veth, received on ${v.channel}`,
        channel: v.channel,
        hex: v.hex,
      }));
      expect(vectors.map((v) => v.hex.slice(0, 2)).sort()).toEqual(["00", "08", "09", "0b", "0d", "0d"]);
      writeFileSync(OUT, `${JSON.stringify(vectors, null, 2)}\n`);
    });
  }, 90_000);
});
