/**
 * Interop with linuxptp's ptp4l (3.1.1) between two network namespaces joined by a veth
 * (PEERS.md; root only; ptp4l always free_running, so no clock is touched):
 * (a) ptp4l master in A; ptp4l slave and our slave both in B: the medians of our offsets
 *     (master − local) and of ptp4l's `master offset` (local − master) agree within
 *     ±100 µs after the sign is flipped;
 * (b) our master (`servePtp`) in A, ptp4l slave in B: |master offset| < 100 µs, the median
 *     and every settled sample;
 * (c) queryPtp against either master (TAI → UTC);
 * (d) unicast negotiation (IEEE 1588-2019 §16.1): ptp4l master with `unicast_listen 1` in
 *     A, our slave in B without multicast membership asks for Announce, Sync and
 *     Delay_Resp, gets grants, and measures from the unicast messages alone.
 * Our side runs on the native addon's sockets (native/ptp_udp.c: the kernel's software
 * receive and transmit timestamps, as ptp4l's `time_stamping software`); on Linux it must
 * be built, unless CHRONOSYNC_REQUIRE_NATIVE=0, which lets node:dgram stand in (user-space
 * timestamps, looser bounds, docs/ptp.md).
 */
import { describe, expect, it } from "vitest";
import { type PtpSample, summarizePtpSamples } from "../src/index.js";
import {
  canRunPtpInterop,
  medianOf,
  ptp4lOffsets,
  startPtp4l,
  startPtpChild,
  withPtpLink,
} from "./ptp-netns.js";

const NICE = Number(process.env.PTP_NICE ?? "0");
/** Whether our side must have kernel timestamps (the addon), see the module doc. */
const KERNEL = process.platform === "linux" && process.env.CHRONOSYNC_REQUIRE_NATIVE !== "0";

/** The `timestamps` of a child's ready line: "kernel" required unless waived. */
function expectTimestamps(readyLine: string): "kernel" | "user" {
  const { timestamps } = JSON.parse(readyLine) as { timestamps: "kernel" | "user" };
  if (KERNEL) expect(timestamps, "build native/ptp_udp.c: scripts/build-native.mjs").toBe("kernel");
  return timestamps;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SampleLine {
  type: string;
  offsetNs: string;
  meanPathDelayNs: string;
  utcOffsetS: number;
  masterIdentity: string;
}

describe.skipIf(!canRunPtpInterop())("PTP interop with ptp4l in network namespaces", () => {
  it("(a) our slave agrees with ptp4l's slave on the same link within ±100 µs", async () => {
    await withPtpLink(async (link) => {
      const master = await startPtp4l(link, link.a, "master", "veth0");
      const ptpSlave = await startPtp4l(link, link.b, "slave", "veth1");
      const ours = startPtpChild(link.b, "slave", link.addressB, 30, NICE);
      try {
        await ptpSlave.waitFor(/master offset/, 20_000);
        const kernel = expectTimestamps(await ours.waitFor(/"type":"ready"/, 10_000)) === "kernel";
        await ours.waitFor(/"type":"sample"/, 10_000);
        const ourStart = ours.lines.length;
        const theirStart = ptpSlave.lines.length;
        await sleep(20_000);
        const samples = ours.lines
          .slice(ourStart)
          .map((l) => JSON.parse(l) as SampleLine)
          .filter((l) => l.type === "sample");
        const theirs = ptp4lOffsets(ptpSlave.lines.slice(theirStart));
        expect(samples.length).toBeGreaterThanOrEqual(15);
        expect(theirs.length).toBeGreaterThanOrEqual(8);
        const rawMedian = medianOf(samples.map((s) => Number(s.offsetNs)));
        const summary = summarizePtpSamples(
          samples.map(
            (s) =>
              ({
                ...s,
                offsetNs: BigInt(s.offsetNs),
                meanPathDelayNs: BigInt(s.meanPathDelayNs),
              }) as unknown as PtpSample,
          ),
        );
        const ourMedian = Number(summary.offsetNs);
        const theirMedian = medianOf(theirs.map((t) => t.offsetNs));
        const ourDelay = medianOf(samples.map((s) => Number(s.meanPathDelayNs)));
        const theirDelay = medianOf(theirs.map((t) => t.pathDelayNs));
        console.info(
          `PTP (a): ours ${ourMedian} ns filtered (raw median ${rawMedian} ns, n=${samples.length}, ` +
            `delay ${summary.pathDelayNs} ns filtered, ${ourDelay} ns raw), ` +
            `ptp4l −(${theirMedian}) ns (n=${theirs.length}, delay ${theirDelay} ns), ` +
            `difference ${ourMedian + theirMedian} ns`,
        );
        if (process.env.PTP_DUMP)
          console.info(samples.map((x) => `${x.offsetNs}/${x.meanPathDelayNs}`).join(" "));
        // ptp4l prints local − master; ours is master − local. Our estimator (queryPtp's
        // minimum-delay filter) must agree within 100 µs; with kernel timestamps the raw
        // median too (measured: within 1 µs), with node:dgram it carries half our
        // user-space receive latency (docs/ptp.md) and gets a looser sanity bound.
        expect(Math.abs(ourMedian - -theirMedian)).toBeLessThan(100_000);
        expect(Math.abs(rawMedian - -theirMedian)).toBeLessThan(kernel ? 100_000 : 200_000);
        // ptp4l's master sends the ARB timescale (CLOCK_REALTIME, ptpTimescale 0): no TAI shift.
        expect(samples.every((s) => s.utcOffsetS === 0)).toBe(true);
        expect(Math.abs(ourMedian)).toBeLessThan(1_000_000);
      } finally {
        await ours.stop();
        await ptpSlave.stop();
        await master.stop();
      }
      const counters = JSON.parse(ours.lines.find((l) => l.includes('"type":"counters"'))!);
      console.info(
        `PTP (a): our slave CPU ${(counters.cpuUs / counters.exchanges).toFixed(0)} µs per exchange`,
      );
    });
  }, 60_000);

  it("(b) ptp4l's slave against our master reports |offset| < 100 µs", async () => {
    await withPtpLink(async (link) => {
      const ours = startPtpChild(link.a, "master", link.addressA, 40, NICE);
      const kernel = expectTimestamps(await ours.waitFor(/"type":"ready"/, 15_000)) === "kernel";
      const ptpSlave = await startPtp4l(link, link.b, "slave", "veth1");
      try {
        await ptpSlave.waitFor(/master offset/, 25_000);
        await sleep(16_000);
        const offsets = ptp4lOffsets(ptpSlave.lines);
        const settled = offsets.slice(2).map((o) => o.offsetNs);
        const median = medianOf(settled);
        const delays = offsets.slice(2).map((o) => o.pathDelayNs);
        console.info(
          `PTP (b): ptp4l master offsets ${settled.join(", ")} ns; median ${median} ns; ` +
            `path delay median ${medianOf(delays)} ns`,
        );
        expect(settled.length).toBeGreaterThanOrEqual(5);
        // Issue 6: |offset| < 100 µs. With the kernel's timestamps (t1 from the error queue,
        // t4 from SO_TIMESTAMPING) measured medians are about ±1 µs, single samples within
        // a few µs. With node:dgram each sample carries the master's user-space receive
        // latency (100–250 µs, half of it shows here; docs/ptp.md): looser bounds then.
        expect(Math.abs(median)).toBeLessThan(kernel ? 100_000 : 250_000);
        for (const o of settled) expect(Math.abs(o)).toBeLessThan(kernel ? 100_000 : 500_000);
        expect(ptpSlave.lines.some((l) => /new foreign master|selected best master/.test(l))).toBe(true);
      } finally {
        await ptpSlave.stop();
        await ours.stop();
      }
      const stats = ours.lines.find((l) => l.includes('"type":"stats"'));
      expect(stats).toBeDefined();
      const { delayRequests, cpuUs, exchanges, transport } = JSON.parse(stats!);
      expect(delayRequests).toBeGreaterThan(3);
      console.info(`PTP (b): our master's sockets ${JSON.stringify(transport)}`);
      if (kernel) {
        // Every Sync's t1 was the kernel's (none fell back to a reading before sendto).
        expect(transport.event.txTimestamps).toBeGreaterThan(5);
        expect(transport.event.txFallbacks).toBe(0);
        expect(transport.event.noTimestamp).toBe(0);
      }
      console.info(`PTP (b): our master CPU ${(cpuUs / exchanges).toFixed(0)} µs per Sync interval`);
    });
  }, 60_000);

  it("(c) queryPtp against ptp4l's master and against servePtp (TAI → UTC)", async () => {
    await withPtpLink(async (link) => {
      const ptpMaster = await startPtp4l(link, link.a, "master", "veth0");
      let fromPtp4l: Record<string, unknown>;
      try {
        const q = startPtpChild(link.b, "query", link.addressB, 15);
        fromPtp4l = JSON.parse(await q.waitFor(/"type":"(query|error)"/, 25_000));
        await q.stop();
      } finally {
        await ptpMaster.stop();
      }
      expect(fromPtp4l.type).toBe("query");
      expect(fromPtp4l.utcOffsetS).toBe(0); // ptp4l's software-clock master: ARB timescale
      expect(Math.abs(Number(fromPtp4l.offsetNs))).toBeLessThan(1_000_000);
      // Six exchanges are asked for within 15 s; under CI load ptp4l's software master has
      // been seen to complete only five in time, and the query then returns what it has.
      expect((fromPtp4l.samples as unknown[]).length).toBeGreaterThanOrEqual(3);
      expect((fromPtp4l.samples as unknown[]).length).toBeLessThanOrEqual(6);

      const ours = startPtpChild(link.a, "master", link.addressA, 30);
      await ours.waitFor(/"type":"ready"/, 15_000);
      const id = JSON.parse(ours.lines.find((l) => l.includes('"ready"'))!).clockIdentity;
      try {
        const q = startPtpChild(link.b, "query", link.addressB, 15);
        const result = JSON.parse(await q.waitFor(/"type":"(query|error)"/, 25_000));
        await q.stop();
        console.info(
          `PTP (c): queryPtp ptp4l ${fromPtp4l.offsetNs} ns, servePtp ${result.offsetNs} ns (delay ${result.pathDelayNs} ns)`,
        );
        expect(result.type).toBe("query");
        expect(result.masterIdentity).toBe(id);
        expect(result.utcOffsetS).toBe(37); // our master runs on TAI: no 37-second mistake
        expect(result.utcOffsetValid).toBe(true);
        expect(Math.abs(Number(result.offsetNs))).toBeLessThan(1_000_000);
      } finally {
        await ours.stop();
      }
    });
  }, 60_000);
  it("(d) our slave negotiates unicast service from ptp4l (unicast_listen 1)", async () => {
    await withPtpLink(async (link) => {
      const master = await startPtp4l(link, link.a, "master", "veth0", ["unicast_listen 1"]);
      const ours = startPtpChild(link.b, "unicast", link.addressB, 40, NICE, [link.addressA]);
      let samples: SampleLine[] = [];
      try {
        const kernel = expectTimestamps(await ours.waitFor(/"type":"ready"/, 10_000)) === "kernel";
        await ours.waitFor(/"type":"sample"/, 25_000);
        const start = ours.lines.length;
        await sleep(10_000);
        samples = ours.lines
          .slice(start)
          .map((l) => JSON.parse(l) as SampleLine)
          .filter((l) => l.type === "sample");
        const offsets = samples.map((x) => Number(x.offsetNs));
        const median = medianOf(offsets);
        const delay = medianOf(samples.map((x) => Number(x.meanPathDelayNs)));
        console.info(
          `PTP (d): unicast offsets ${offsets.join(", ")} ns; median ${median} ns, delay ${delay} ns`,
        );
        expect(samples.length).toBeGreaterThanOrEqual(6);
        // ptp4l's master serves CLOCK_REALTIME, as our slave measures it: the offset is ~0.
        expect(Math.abs(median)).toBeLessThan(kernel ? 100_000 : 250_000);
      } finally {
        await ours.stop();
        await master.stop();
      }
      // Announce (0xb), Sync (0x0) and Delay_Resp (0x9) granted for the 60 s asked.
      const grants = ours.lines.map((l) => JSON.parse(l)).filter((l) => l.type === "grant");
      for (const messageType of [0xb, 0x0, 0x9]) {
        expect(grants.find((g) => g.messageType === messageType)).toMatchObject({ durationS: 60 });
      }
      expect(grants.every((g) => g.master === link.addressA)).toBe(true);
      // The negotiation's status when the child stopped (before it cancelled the grants).
      // Without group membership, every Sync, Follow_Up, Announce and Delay_Resp that made
      // the samples came unicast, because of these grants.
      const counters = JSON.parse(ours.lines.find((l) => l.includes('"type":"counters"'))!);
      expect(counters.unicast).toHaveLength(1);
      expect(counters.unicast[0].state).toBe("HAVE_SYNC_DELAY");
      expect([...counters.unicast[0].granted].sort((x: number, y: number) => x - y)).toEqual([0, 9, 11]);
    });
  }, 60_000);
});
