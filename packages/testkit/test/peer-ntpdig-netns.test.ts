/**
 * Acceptance (c): ntpsec's ntpdig (port 123 hard-coded) against our server, both inside
 * a private network namespace. Our server runs there as a child process
 * (`dist/peers/ntp-server-main.js` under `ip netns exec`): needs the build.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, expect, it } from "vitest";
import { ensurePeerPrograms, requireProgram, spawnNtpServer, withNetns } from "../src/index.js";

const run = promisify(execFile);

beforeAll(() => ensurePeerPrograms());

interface NtpdigJson {
  offset: number;
  precision: number;
  stratum: number;
  leap: string;
  host: string;
}

it("ntpdig in a namespace measures our server on port 123 within 1 ms", { timeout: 60_000 }, async () => {
  const ntpdig = requireProgram("ntpdig");
  await withNetns(async (ns) => {
    const server = await spawnNtpServer({ host: "127.0.0.1", port: 123, wrap: ns.wrap, maxSeconds: 60 });
    try {
      // ntpdig takes one sample per run: keep the best of a few (the lowest "precision",
      // which is its synchronization distance delay/2 + dispersion), as a clock filter would.
      const reports: NtpdigJson[] = [];
      for (let i = 0; i < 4; i++) {
        const { stdout } = await run(
          ns.wrap[0]!,
          [...ns.wrap.slice(1), ntpdig, "-j", "-t", "5", "127.0.0.1"],
          {
            timeout: 30_000,
          },
        );
        reports.push(JSON.parse(stdout.trim()) as NtpdigJson);
      }
      const report = reports.reduce((a, b) => (b.precision < a.precision ? b : a));
      console.log(
        `ntpdig in ${ns.name}: offsets ${reports.map((r) => (r.offset * 1000).toFixed(3)).join(", ")} ms; best`,
        report,
      );
      expect(report.host).toBe("127.0.0.1");
      expect(report.stratum).toBe(1);
      expect(report.leap).toBe("no-leap");
      expect(Math.abs(report.offset)).toBeLessThan(0.001);
    } finally {
      const stats = await server.stop();
      expect(stats?.answered).toBeGreaterThanOrEqual(1);
    }
  });
});
