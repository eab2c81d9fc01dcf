/**
 * Our Roughtime client against our Roughtime server on loopback UDP: authenticated
 * offsets within the radius, batching (one signature for many requests), the
 * amplification rule, online key rotation, a wrong long-term key, a chain across three
 * servers, and a server with an injected clock error caught by the chain with a
 * malfeasance report that verifies offline.
 */

import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { type Clock, ManualClock, systemClock } from "@chronosync/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  chainedRoughtimeNonce,
  checkRoughtimeMalfeasanceReport,
  decodeRoughtimeMessage,
  decodeRoughtimePacket,
  encodeRoughtimeRequest,
  nodeEd25519,
  queryRoughtime,
  queryRoughtimeChain,
  RoughtimeResponder,
  type RoughtimeServerHandle,
  RoughtimeTag,
  startRoughtimeServer,
  verifyRoughtimeResponse,
} from "../src/index.js";

const servers: RoughtimeServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const shifted = (offsetNs: bigint): Clock => ({
  now: () => systemClock.now() + offsetNs,
  precisionLog2: systemClock.precisionLog2,
});

async function server(
  options: { clock?: Clock; radiusS?: number; batchWindowMs?: number; batchMaxSize?: number } = {},
) {
  const s = await startRoughtimeServer({
    longTermSecretKey: new Uint8Array(randomBytes(32)),
    port: 0,
    ...options,
  });
  servers.push(s);
  return s;
}

describe("queryRoughtime ↔ startRoughtimeServer", () => {
  it("measures an authenticated offset within the radius", async () => {
    const s = await server({ radiusS: 1 });
    const r = await queryRoughtime("127.0.0.1", s.port, s.publicKey);
    expect(r.authenticated).toBe(true);
    expect(r.version).toBe(1);
    expect(r.radiusNs).toBe(1_000_000_000n);
    expect(r.rttNs).toBeGreaterThan(0n);
    expect(r.rttNs).toBeLessThan(200_000_000n);
    // MIDP is rounded to the second: |offset| ≤ 0.5 s + rtt, inside RADI.
    expect(r.offsetNs < 0n ? -r.offsetNs : r.offsetNs).toBeLessThanOrEqual(r.radiusNs);
    expect(r.response.length).toBeLessThanOrEqual(r.request.length);
  });

  it("sees a server clock 30 s ahead as offset ≈ +30 s", async () => {
    const s = await server({ clock: shifted(30_000_000_000n), radiusS: 1 });
    const r = await queryRoughtime("127.0.0.1", s.port, s.publicKey);
    expect(Number(r.offsetNs) / 1e9).toBeGreaterThan(29.4);
    expect(Number(r.offsetNs) / 1e9).toBeLessThan(30.6);
  });

  it("speaks TCP too: framed packets on a connection", async () => {
    const s = await server({ radiusS: 1 });
    const r = await queryRoughtime("127.0.0.1", s.port, s.publicKey, { transport: "tcp" });
    expect(r.transport).toBe("tcp");
    expect(r.offsetNs < 0n ? -r.offsetNs : r.offsetNs).toBeLessThanOrEqual(r.radiusNs);
    const udp = await queryRoughtime("127.0.0.1", s.port, s.publicKey);
    expect(udp.transport).toBe("udp");
  });

  it("reports a port where nothing listens as NETWORK_FAILURE, over UDP and TCP", async () => {
    const s = await server();
    const { port, publicKey } = s;
    await s.close();
    servers.pop();
    for (const transport of ["udp", "tcp", "auto"] as const)
      await expect(
        queryRoughtime("127.0.0.1", port, publicKey, { transport, timeoutMs: 300 }),
      ).rejects.toMatchObject({
        code: "NETWORK_FAILURE",
      });
  });

  it("gets no answer when asking for another long-term key (SRV mismatch: the server ignores it)", async () => {
    const s = await server();
    const other = new RoughtimeResponder({
      longTermSecretKey: new Uint8Array(32).fill(5),
      randomBytes: (n) => new Uint8Array(n),
    });
    // SRV names the other key, so a conforming server ignores the request: a timeout.
    await expect(
      queryRoughtime("127.0.0.1", s.port, other.publicKey, { timeoutMs: 200, attempts: 1 }),
    ).rejects.toMatchObject({
      code: "ROUGHTIME_TIMEOUT",
    });
  });

  it("batches concurrent requests under one signature and answers each with a valid proof", async () => {
    const s = await server({ batchWindowMs: 20, batchMaxSize: 16 });
    const results = await Promise.all(
      Array.from({ length: 16 }, () => queryRoughtime("127.0.0.1", s.port, s.publicKey, { attempts: 1 })),
    );
    expect(results).toHaveLength(16);
    expect(s.stats.answered).toBe(16);
    expect(s.stats.signatures).toBeLessThan(16);
    for (const r of results) expect(r.response.length).toBeLessThanOrEqual(r.request.length);
  });

  it("drops requests under 1024 bytes (amplification rule) and malformed ones", async () => {
    const s = await server();
    const socket = createSocket("udp4");
    const replies: Buffer[] = [];
    socket.on("message", (m) => replies.push(m));
    const small = encodeRoughtimeRequest({ nonce: new Uint8Array(32), minLength: 512 });
    const junk = new Uint8Array(1100).fill(0x41);
    for (const p of [small, junk]) socket.send(p, s.port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 150));
    socket.close();
    expect(replies).toHaveLength(0);
    expect(s.stats.dropped).toBe(2);
  });
});

/** A UDP relay to `serverPort` (one upstream socket per client) that passes responses through `tamper`. */
async function tamperingRelay(serverPort: number, tamper: (response: Uint8Array) => Uint8Array) {
  const front = createSocket("udp4");
  const backs = new Map<string, ReturnType<typeof createSocket>>();
  front.on("message", (m, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let back = backs.get(key);
    if (back === undefined) {
      back = createSocket("udp4");
      back.on("message", (reply) => front.send(tamper(new Uint8Array(reply)), rinfo.port, rinfo.address));
      backs.set(key, back);
    }
    back.send(m, serverPort, "127.0.0.1");
  });
  await new Promise<void>((r) => front.bind(0, "127.0.0.1", r));
  return {
    port: front.address().port,
    close: () => {
      front.close();
      for (const b of backs.values()) b.close();
    },
  };
}

describe("tampering on the path", () => {
  const flipAt = (offsetOf: (r: Uint8Array) => number) => (r: Uint8Array) => {
    const copy = r.slice();
    copy[offsetOf(r)]! ^= 0x80;
    return copy;
  };
  const valueOffset = (tag: number) => (r: Uint8Array) => {
    const v = decodeRoughtimeMessage(decodeRoughtimePacket(r)).get(tag)!;
    return v.byteOffset - r.byteOffset;
  };
  it.each([
    ["SIG", "response-signature", RoughtimeTag.SIG, 3],
    ["PATH", "merkle-path", RoughtimeTag.PATH, 0],
    ["CERT", "delegation-signature", RoughtimeTag.CERT, 20],
  ])("a flipped bit in %s → ROUGHTIME_VERIFICATION_FAILED (%s)", async (_, failure, tag, extra) => {
    const s = await server({ batchWindowMs: 30 });
    // Two concurrent requests make a two-leaf tree, so PATH is not empty.
    const relay = await tamperingRelay(
      s.port,
      flipAt((r) => valueOffset(tag)(r) + extra),
    );
    try {
      const options = { timeoutMs: 150, attempts: 1, transport: "udp" as const };
      const results = await Promise.allSettled([
        queryRoughtime("127.0.0.1", relay.port, s.publicKey, options),
        queryRoughtime("127.0.0.1", relay.port, s.publicKey, options),
      ]);
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect((r as PromiseRejectedResult).reason).toMatchObject({
          code: "ROUGHTIME_VERIFICATION_FAILED",
          failure,
        });
      }
    } finally {
      relay.close();
    }
  });
});

describe("online key rotation", () => {
  it("delegates a new online key before the old window ends; every response verifies", () => {
    const clock = new ManualClock(1_800_000_000_000_000_000n);
    const r = new RoughtimeResponder({
      longTermSecretKey: new Uint8Array(32).fill(4),
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      delegationLifetimeS: 600,
      ed25519: nodeEd25519,
    });
    const onlineKeys = new Set<string>();
    for (let minute = 0; minute < 30; minute++) {
      const request = encodeRoughtimeRequest({ nonce: new Uint8Array(randomBytes(32)) });
      const response = r.respond([request], clock.now())[0]!;
      const v = verifyRoughtimeResponse(request, response, r.publicKey, nodeEd25519);
      onlineKeys.add(Buffer.from(v.response.cert.delegation.publicKey).toString("hex"));
      clock.advance(60_000_000_000n);
    }
    expect(r.stats.delegations).toBe(onlineKeys.size);
    expect(onlineKeys.size).toBeGreaterThanOrEqual(3);
  });
});

describe("queryRoughtimeChain", () => {
  it("chains nonces over three honest servers, twice round, with no report", async () => {
    const list = await Promise.all([server({ radiusS: 1 }), server({ radiusS: 1 }), server({ radiusS: 1 })]);
    const result = await queryRoughtimeChain(
      list.map((s) => ({ host: "127.0.0.1", port: s.port, publicKey: s.publicKey })),
    );
    expect(result.samples.map((s) => s.server)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(result.inconsistencies).toEqual([]);
    expect(result.malfeasanceReport).toBeNull();
    for (let i = 1; i < result.links.length; i++) {
      const link = result.links[i]!;
      const nonce = chainedRoughtimeNonce(result.links[i - 1]!.response, link.rand!);
      expect(verifyRoughtimeResponse(link.request, link.response, link.publicKey).response.nonce).toEqual(
        nonce,
      );
    }
  });

  it("catches a server 10 s behind and reports the chain, which verifies offline", async () => {
    const honest = await Promise.all([server({ radiusS: 1 }), server({ radiusS: 1 })]);
    const liar = await server({ radiusS: 1, clock: shifted(-10_000_000_000n) });
    const specs = [honest[0]!, liar, honest[1]!].map((s) => ({
      host: "127.0.0.1",
      port: s.port,
      publicKey: s.publicKey,
    }));
    const result = await queryRoughtimeChain(specs);
    const causal = result.inconsistencies.filter((i) => i.kind === "causal");
    expect(causal.length).toBeGreaterThan(0);
    for (const c of causal) expect(c.later % 3 === 1 || c.earlier % 3 === 1).toBe(true);
    const report = result.malfeasanceReport!;
    expect(report.responses).toHaveLength(6);
    expect(report.responses[0]).not.toHaveProperty("rand");
    // A third party re-checks every response, every chained nonce and the proof from the JSON alone.
    const check = checkRoughtimeMalfeasanceReport(JSON.parse(JSON.stringify(report)));
    expect(check.inconsistencies.map((i) => [i.earlier, i.later])).toEqual(
      causal.map((c) => [c.earlier, c.later]),
    );
    await expect(queryRoughtimeChain(specs, { onMalfeasance: "throw" })).rejects.toMatchObject({
      code: "ROUGHTIME_MALFEASANCE",
    });
  });

  it("catches a server 10 s ahead even when it is queried last (elapsed-time check)", async () => {
    const honest = await server({ radiusS: 1 });
    const liar = await server({ radiusS: 1, clock: shifted(10_000_000_000n) });
    const specs = [honest, liar].map((s) => ({ host: "127.0.0.1", port: s.port, publicKey: s.publicKey }));
    const result = await queryRoughtimeChain(specs, { rounds: 1 });
    expect(result.inconsistencies.map((i) => i.kind)).toEqual(["elapsed"]);
    expect(result.malfeasanceReport).not.toBeNull();
  });
});
