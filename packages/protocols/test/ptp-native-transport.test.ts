/**
 * PTP's two UDP transports on loopback (unprivileged ports, no namespaces): the native one
 * (native/ptp_udp.c, the kernel's software timestamps) and the node:dgram fallback. Each
 * sends to its own ports at 127.0.0.1 and receives what it sent, so the transmit and
 * receive times of one datagram can be compared: with kernel timestamps both are taken
 * inside the one sendto(2) (loopback delivers synchronously), microseconds apart.
 *
 * On Linux the addon must be built (`node packages/protocols/scripts/build-native.mjs`):
 * the native cases fail, not skip, without it. CHRONOSYNC_REQUIRE_NATIVE=0 waives that.
 */
import { type Clock, type Instant, NetworkFailureError, systemClock } from "@chronosync/core";
import { describe, expect, it } from "vitest";
import { openPtpUdp, type PtpChannel, type PtpUdpTransport } from "../src/index.js";
import { realtimeToClock } from "../src/ntp/native-addon.js";
import { loadPtpUdpAddon } from "../src/ptp/native-transport.js";

const loaded = loadPtpUdpAddon();
const available = "addon" in loaded;
const required = process.platform === "linux" && process.env.CHRONOSYNC_REQUIRE_NATIVE !== "0";
let nextPort = 42_300 + (process.pid % 500) * 2;

interface Received {
  bytes: Uint8Array;
  rxTime: Instant;
  channel: PtpChannel;
  source: string;
}

async function openLoop(
  native: boolean,
  extra: { clock?: Clock; ingressLatencyNs?: bigint; egressLatencyNs?: bigint } = {},
): Promise<{ transport: PtpUdpTransport; received: Received[]; next(): Promise<Received> }> {
  const received: Received[] = [];
  let waiter: ((r: Received) => void) | null = null;
  const eventPort = nextPort++;
  const generalPort = nextPort++;
  const transport = await openPtpUdp({
    address: "127.0.0.1",
    clock: extra.clock ?? systemClock,
    eventPort,
    generalPort,
    destination: "127.0.0.1",
    native,
    ingressLatencyNs: extra.ingressLatencyNs,
    egressLatencyNs: extra.egressLatencyNs,
    onMessage: (bytes, rxTime, channel, source) => {
      const r = { bytes: Uint8Array.from(bytes), rxTime, channel, source };
      received.push(r);
      waiter?.(r);
    },
  });
  const next = () =>
    new Promise<Received>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no datagram within 2 s")), 2000);
      waiter = (r) => {
        clearTimeout(timer);
        waiter = null;
        resolve(r);
      };
    });
  return { transport, received, next };
}

it("has the native addon with ptp_udp.c built (CHRONOSYNC_REQUIRE_NATIVE=0 to waive)", () => {
  if (!required) return;
  expect(
    available ? "loaded" : `not loaded: ${(loaded as { error: string }).error}`,
    "build it: node packages/protocols/scripts/build-native.mjs",
  ).toBe("loaded");
});

describe.runIf(available || required)("the native PTP transport", () => {
  it("stamps a datagram's transmit and receive in the kernel, microseconds apart", async () => {
    const loop = await openLoop(true);
    try {
      expect(loop.transport.timestamps).toBe("kernel");
      const gaps: bigint[] = [];
      for (let i = 0; i < 5; i++) {
        const bytes = Uint8Array.from({ length: 44 }, (_, k) => (k + i) & 0xff);
        const arrived = loop.next();
        const before = systemClock.now();
        const txTime = await loop.transport.send("event", bytes);
        const r = await arrived;
        const after = systemClock.now();
        expect(r.channel).toBe("event");
        expect(r.source).toBe("127.0.0.1");
        expect(Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
        // Both inside [before, after], the transmit first (sub-µs bracketing slack).
        expect(txTime).toBeGreaterThanOrEqual(before - 2_000n);
        expect(r.rxTime).toBeLessThanOrEqual(after + 2_000n);
        gaps.push(r.rxTime - txTime);
      }
      const sorted = [...gaps].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const median = sorted[2]!;
      console.info(`native PTP loopback: rx − tx ${gaps.join(", ")} ns`);
      // Loopback delivers inside sendto(2): the kernel's two stamps are ~1–10 µs apart,
      // where node:dgram's readings are the event loop's wakeup apart (≥ 50 µs here).
      expect(median).toBeGreaterThanOrEqual(-2_000n);
      expect(median).toBeLessThan(50_000n);
      const stats = loop.transport.stats()!;
      expect(stats.event.txTimestamps).toBe(5);
      expect(stats.event.txFallbacks).toBe(0);
      expect(stats.event.noTimestamp).toBe(0);
      expect(stats.event.rxTimestamping).toBe(2);
    } finally {
      await loop.transport.close();
    }
  });

  it("stamps general messages on receive, and carries times over to the given clock", async () => {
    const shiftNs = 5_000_000_000n;
    const shifted: Clock = {
      now: () => systemClock.now() + shiftNs,
      precisionLog2: systemClock.precisionLog2,
    };
    const loop = await openLoop(true, { clock: shifted, ingressLatencyNs: 700n, egressLatencyNs: 300n });
    try {
      const arrived = loop.next();
      const before = systemClock.now();
      const txTime = await loop.transport.send("general", new Uint8Array(64));
      const r = await arrived;
      const after = systemClock.now();
      expect(r.channel).toBe("general");
      // The general socket has no TX timestamps: its time is read right before sendto(2).
      expect(txTime - shiftNs - 300n).toBeGreaterThanOrEqual(before - 2_000n);
      expect(txTime - shiftNs - 300n).toBeLessThanOrEqual(after);
      expect(r.rxTime - shiftNs + 700n).toBeGreaterThanOrEqual(before);
      expect(r.rxTime - shiftNs + 700n).toBeLessThanOrEqual(after + 2_000n);
      const stats = loop.transport.stats()!;
      expect(stats.general.txTimestamps).toBe(0);
      expect(stats.general.noTimestamp).toBe(0);
    } finally {
      await loop.transport.close();
    }
  });

  it("converts CLOCK_REALTIME instants to the clock within a few microseconds", () => {
    if (!("addon" in loaded)) return;
    const { addon } = loaded;
    for (let i = 0; i < 5; i++) {
      // realtimeSince(0, 0) is CLOCK_REALTIME now: a whole second just before it, converted to
      // systemClock (anchored to CLOCK_REALTIME within a few µs, docs/time-core.md), must
      // come out as that second.
      const sec = Math.floor(addon.realtimeSince(0, 0) / 1e9);
      const error = realtimeToClock(addon, systemClock, sec, 0) - BigInt(sec) * 1_000_000_000n;
      expect(error < 0n ? -error : error).toBeLessThan(50_000n);
    }
  });

  it("fails a send after close and a bind to a foreign address with NetworkFailureError", async () => {
    const loop = await openLoop(true);
    await loop.transport.close();
    await expect(loop.transport.send("event", new Uint8Array(44))).rejects.toBeInstanceOf(
      NetworkFailureError,
    );
    await expect(
      openPtpUdp({
        address: "192.0.2.77", // TEST-NET-1: no interface here has it
        clock: systemClock,
        eventPort: nextPort++,
        generalPort: nextPort++,
        native: true,
        onMessage: () => {},
      }),
    ).rejects.toBeInstanceOf(NetworkFailureError);
  });
});

describe("the node:dgram PTP transport (the fallback)", () => {
  it("is chosen by native false, and reads times in JavaScript", async () => {
    const loop = await openLoop(false);
    try {
      expect(loop.transport.timestamps).toBe("user");
      expect(loop.transport.stats()).toBeNull();
      const arrived = loop.next();
      const before = systemClock.now();
      const txTime = await loop.transport.send("event", new Uint8Array(44));
      const r = await arrived;
      expect(r.source).toBe("127.0.0.1");
      expect(txTime).toBeGreaterThanOrEqual(before);
      expect(r.rxTime).toBeGreaterThan(txTime);
    } finally {
      await loop.transport.close();
    }
  });

  it('is chosen by "auto" under CHRONOSYNC_NATIVE=0', async () => {
    const saved = process.env.CHRONOSYNC_NATIVE;
    process.env.CHRONOSYNC_NATIVE = "0";
    try {
      const transport = await openPtpUdp({
        address: "127.0.0.1",
        clock: systemClock,
        eventPort: nextPort++,
        generalPort: nextPort++,
        onMessage: () => {},
      });
      expect(transport.timestamps).toBe("user");
      await transport.close();
    } finally {
      if (saved === undefined) delete process.env.CHRONOSYNC_NATIVE;
      else process.env.CHRONOSYNC_NATIVE = saved;
    }
  });
});
