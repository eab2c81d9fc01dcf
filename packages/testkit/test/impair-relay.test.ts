/**
 * The impairment relay on its own, against a UDP echo target: applied delays match the
 * configuration (and are never early), loss ≈ p, counts add up, sessions map replies
 * back, and it stops by itself at its packet and time limits.
 */
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { type ImpairmentRelay, type ImpairmentRelayOptions, startImpairmentRelay } from "../src/index.js";

const sockets: Socket[] = [];
const relays: ImpairmentRelay[] = [];

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  for (const s of sockets.splice(0)) s.close();
});

async function udp(port = 0): Promise<Socket> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
  return socket;
}

async function echoServer(): Promise<number> {
  const echo = await udp();
  echo.on("message", (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
  return echo.address().port;
}

async function relayTo(port: number, options: Omit<ImpairmentRelayOptions, "target"> = {}) {
  const relay = await startImpairmentRelay({ target: { host: "127.0.0.1", port }, ...options });
  relays.push(relay);
  return relay;
}

/** Sends `count` numbered packets `gapMs` apart; returns the numbers echoed back, in arrival order. */
async function exchange(
  relay: ImpairmentRelay,
  count: number,
  gapMs: number,
  settleMs = 100,
): Promise<number[]> {
  const client = await udp();
  const got: number[] = [];
  client.on("message", (msg) => got.push(msg.readUInt32BE(0)));
  for (let i = 0; i < count; i++) {
    const msg = Buffer.alloc(48);
    msg.writeUInt32BE(i, 0);
    client.send(msg, relay.address.port, relay.address.host);
    // Without a gap, pause now and then: a burst would overflow the relay's socket buffer.
    if (gapMs > 0 || i % 25 === 24) await new Promise((r) => setTimeout(r, gapMs > 0 ? gapMs : 1));
  }
  await new Promise((r) => setTimeout(r, settleMs));
  return got;
}

describe("impairment relay", () => {
  it("applies the configured one-way delays, never early, within a fraction of a millisecond", async () => {
    const relay = await relayTo(await echoServer(), { up: { delayMs: 8 }, down: { delayMs: 2 } });
    const got = await exchange(relay, 40, 15);
    expect(got).toHaveLength(40);
    const report = relay.report();
    for (const [dir, ms] of [
      ["up", 8],
      ["down", 2],
    ] as const) {
      const s = report[dir];
      expect(s.forwarded).toBe(40);
      expect(s.applied!.minMs).toBeGreaterThanOrEqual(ms);
      // Typically 0.03–0.1 ms (mostly the send() call itself); margin for a loaded machine.
      expect(Math.abs(s.applied!.medianMs - ms)).toBeLessThan(0.5);
      expect(s.error!.medianMs).toBeLessThan(0.5);
    }
    const sent = report.records.filter((r) => r.appliedMs !== null);
    expect(sent).toHaveLength(80);
    for (const r of sent) expect(r.appliedMs!).toBeGreaterThanOrEqual(r.plannedMs);
  });

  it("drops about p of the packets per direction, and the counts add up", async () => {
    const relay = await relayTo(await echoServer(), { up: { loss: 0.3 }, down: { loss: 0.1 }, seed: 7 });
    const got = await exchange(relay, 600, 0, 200);
    const report = await relay.stop();
    const { up, down } = report;
    expect(up.received).toBe(600);
    // Binomial(600, 0.3): sd 11.2; ±5 sd.
    expect(Math.abs(up.lost - 180)).toBeLessThan(56);
    expect(up.forwarded + up.lost + up.unsent + up.sendErrors).toBe(up.received);
    expect(down.received).toBe(up.forwarded);
    expect(Math.abs(down.lost - 0.1 * down.received)).toBeLessThan(5 * Math.sqrt(down.received * 0.09));
    expect(got).toHaveLength(down.forwarded);
    expect(report.records).toHaveLength(up.received + down.received);
    expect(report.records.filter((r) => r.lost)).toHaveLength(up.lost + down.lost);
    expect(report.stopReason).toBe("stopped");
  });

  it("gives every client its own session and maps replies back", async () => {
    const relay = await relayTo(await echoServer(), { up: { delayMs: 1 } });
    const clients = await Promise.all([udp(), udp(), udp()]);
    const got = clients.map(() => [] as string[]);
    clients.forEach((c, i) => {
      c.on("message", (msg) => got[i]!.push(msg.toString()));
    });
    for (let round = 0; round < 3; round++) {
      clients.forEach((c, i) => {
        c.send(`client ${i} round ${round}`, relay.address.port, "127.0.0.1");
      });
    }
    await new Promise((r) => setTimeout(r, 150));
    got.forEach((msgs, i) => {
      expect(msgs.sort()).toEqual([0, 1, 2].map((r) => `client ${i} round ${r}`));
    });
    expect(relay.report().sessions).toBe(3);
  });

  it("jitter draws from the distribution and reordering holds packets back", async () => {
    const relay = await relayTo(await echoServer(), {
      up: { delayMs: 5, jitter: { kind: "uniform", halfWidthMs: 1 }, reorder: 0.2, reorderExtraMs: 4 },
      down: { delayMs: 1, jitter: { kind: "exponential", meanMs: 0.5 } },
      seed: 3,
    });
    await exchange(relay, 200, 0.5, 100);
    const report = await relay.stop();
    const up = report.records.filter((r) => r.direction === "up");
    for (const r of up) {
      const base = r.plannedMs - (r.reordered ? 4 : 0);
      expect(base).toBeGreaterThanOrEqual(4);
      expect(base).toBeLessThanOrEqual(6);
    }
    expect(Math.abs(report.up.reordered - 40)).toBeLessThan(30);
    expect(report.up.outOfOrder).toBeGreaterThan(0);
    for (const r of report.records.filter((r) => r.direction === "down"))
      expect(r.plannedMs).toBeGreaterThanOrEqual(1);
  });

  it("stops by itself after max packets, delivering the packets it accepted", async () => {
    const relay = await relayTo(await echoServer(), { up: { delayMs: 3 }, maxPackets: 10 });
    const got = await exchange(relay, 20, 2);
    const report = await relay.done;
    expect(report.stopReason).toBe("max-packets");
    expect(report.up.received + report.down.received).toBe(10);
    expect(report.up.unsent + report.down.unsent).toBe(0);
    expect(got.length).toBe(report.down.forwarded);
  });

  it("stops by itself after max seconds", async () => {
    const started = Date.now();
    const relay = await relayTo(await echoServer(), { maxSeconds: 0.3 });
    const report = await relay.done;
    expect(report.stopReason).toBe("max-seconds");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report.durationMs).toBeGreaterThanOrEqual(290);
  });

  it("the same seed impairs the same packets", async () => {
    const port = await echoServer();
    const runOnce = async () => {
      const relay = await relayTo(port, {
        up: { loss: 0.5, jitter: { kind: "normal", sdMs: 0.3 }, delayMs: 1 },
      });
      await exchange(relay, 50, 0, 50);
      const report = await relay.stop();
      return report.records.filter((r) => r.direction === "up").map((r) => [r.lost, r.plannedMs]);
    };
    expect(await runOnce()).toEqual(await runOnce());
  });
});
