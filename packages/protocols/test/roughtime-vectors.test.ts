/**
 * Golden vectors of draft-ietf-ntp-roughtime-19 Appendix B (the example malfeasance
 * report: three chained exchanges with real signatures), checked by our codec,
 * verifier, chaining and consistency check.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  chainedRoughtimeNonce,
  checkRoughtimeMalfeasanceReport,
  decodeRoughtimeMessage,
  decodeRoughtimePacket,
  decodeRoughtimeRequest,
  decodeRoughtimeResponse,
  encodeRoughtimeMessage,
  encodeRoughtimeRequest,
  findRoughtimeInconsistencies,
  nobleEd25519,
  nodeEd25519,
  parseRoughtimeAddress,
  parseRoughtimeServerList,
  ROUGHTIME_VERSION_1,
  type RoughtimeChainLink,
  RoughtimeTag,
  roughtimeMalfeasanceReport,
  roughtimeSrv,
  verifyRoughtimeResponse,
} from "../src/index.js";

const dir = new URL("./vectors/roughtime/", import.meta.url);
const hex = (s: string) => new Uint8Array(Buffer.from(s.trim(), "hex"));
const meta = JSON.parse(readFileSync(new URL("appendix-b.json", dir), "utf8")) as {
  responses: { publicKey: string; rand: string | null; request: string; response: string }[];
};
const vectors = meta.responses.map((r) => ({
  publicKey: hex(r.publicKey),
  rand: r.rand === null ? null : hex(r.rand),
  request: hex(readFileSync(new URL(r.request, dir), "utf8")),
  response: hex(readFileSync(new URL(r.response, dir), "utf8")),
}));

describe("draft-ietf-ntp-roughtime-19 Appendix B", () => {
  it("has three 1036-byte requests with VER 1, SRV of the key, TYPE 0", () => {
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v.request.length).toBe(1036);
      const request = decodeRoughtimeRequest(v.request);
      expect(request.versions).toEqual([ROUGHTIME_VERSION_1]);
      expect(request.srv).toEqual(roughtimeSrv(v.publicKey));
    }
  });

  it("re-encodes every request and response byte for byte", () => {
    for (const v of vectors) {
      for (const packet of [v.request, v.response]) {
        const message = decodeRoughtimePacket(packet);
        expect(encodeRoughtimeMessage(decodeRoughtimeMessage(message))).toEqual(message);
      }
      const r = decodeRoughtimeRequest(v.request);
      expect(encodeRoughtimeRequest({ nonce: r.nonce, versions: r.versions, srv: r.srv })).toEqual(v.request);
    }
  });

  it.each([
    ["noble", nobleEd25519],
    ["node:crypto", nodeEd25519],
  ])("verifies every response with its server's key (%s)", (_, ed25519) => {
    const midpoints = vectors.map((v) =>
      verifyRoughtimeResponse(v.request, v.response, v.publicKey, ed25519),
    );
    for (const m of midpoints) {
      expect(m.version).toBe(1);
      expect(m.radiusNs).toBe(3_000_000_000n);
    }
    expect(midpoints.map((m) => m.midpointNs / 1_000_000_000n)).toEqual([
      1773685571n,
      1773599171n,
      1773599171n,
    ]);
  });

  it("decodes the response structure of Figure 3", () => {
    const r = decodeRoughtimeResponse(vectors[0]!.response);
    expect(r.path).toHaveLength(0);
    expect(r.index).toBe(0);
    expect(r.srep.versions).toEqual([1]);
    expect(r.cert.delegation.minTime).toBeLessThanOrEqual(r.srep.midpoint);
    expect(r.cert.delegation.maxTime).toBeGreaterThanOrEqual(r.srep.midpoint);
    const message = decodeRoughtimeMessage(decodeRoughtimePacket(vectors[0]!.response));
    expect([...message.keys()]).toEqual([
      RoughtimeTag.SIG,
      RoughtimeTag.NONC,
      RoughtimeTag.TYPE,
      RoughtimeTag.PATH,
      RoughtimeTag.SREP,
      RoughtimeTag.CERT,
      RoughtimeTag.INDX,
    ]);
  });

  it("chains each nonce as H(previous response || rand)", () => {
    for (let i = 1; i < vectors.length; i++) {
      const v = vectors[i]!;
      const nonce = chainedRoughtimeNonce(vectors[i - 1]!.response, v.rand!);
      expect(decodeRoughtimeRequest(v.request).nonce).toEqual(nonce);
    }
  });

  it("rejects a response checked against another server's key", () => {
    const [a, b] = vectors;
    expect(() => verifyRoughtimeResponse(a!.request, a!.response, b!.publicKey)).toThrow(
      expect.objectContaining({ code: "ROUGHTIME_VERIFICATION_FAILED", failure: "delegation-signature" }),
    );
  });

  it("finds the causal inconsistency and rebuilds the report's JSON", () => {
    const links: RoughtimeChainLink[] = vectors.map((v, i) => {
      const verified = verifyRoughtimeResponse(v.request, v.response, v.publicKey);
      return {
        ...v,
        midpointNs: verified.midpointNs,
        radiusNs: verified.radiusNs,
        sentNs: BigInt(i) * 1_000_000_000n,
        receivedNs: BigInt(i) * 1_000_000_000n + 1_000_000n,
      };
    });
    const found = findRoughtimeInconsistencies(links).filter((f) => f.kind === "causal");
    expect(found.map((f) => [f.earlier, f.later])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    const report = roughtimeMalfeasanceReport(links);
    expect(report.responses[0]).not.toHaveProperty("rand");
    expect(report.responses[2]!.publicKey).toBe("lRhHag6fn2wZQ6idy10ChgpRgks3gvdMM2hWNeJNgXg=");
    expect(report.responses[2]!.rand).toBe("lMvMVoLsakxc5ZmMzEFQ8hh1FaDo2gCXXIX/L4QPSxQ=");
    expect(
      report.responses[1]!.response.startsWith("Uk9VR0hUSU2UAQAABwAAAEAAAABgAAAAZAAAAGQAAADAAAAAWAE"),
    ).toBe(true);
  });

  it("checks the rebuilt report offline: valid, chained, and a proof against the third server", () => {
    const report = JSON.parse(JSON.stringify(roughtimeMalfeasanceReport(vectors)));
    const check = checkRoughtimeMalfeasanceReport(report, nodeEd25519);
    expect(check.inconsistencies.map((i) => [i.earlier, i.later])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    const broken = structuredClone(report);
    broken.responses[2].rand = report.responses[1].rand;
    expect(() => checkRoughtimeMalfeasanceReport(broken)).toThrow(
      expect.objectContaining({ code: "ROUGHTIME_VERIFICATION_FAILED", failure: "chain-nonce" }),
    );
    expect(() => checkRoughtimeMalfeasanceReport({ responses: [] })).toThrow(/non-empty/);
  });
});

describe("draft-ietf-ntp-roughtime-19 Appendix A (example server list, §8.3)", () => {
  const list = parseRoughtimeServerList(
    JSON.parse(readFileSync(new URL("appendix-a-server-list.json", dir), "utf8")),
  );

  it("parses both servers, their keys and addresses, sources and the report URL", () => {
    expect(list.servers.map((s) => s.name)).toEqual([
      "example.com Roughtime server",
      "A UDP-only server specified with IP addresses",
    ]);
    expect(Buffer.from(list.servers[0]!.publicKey).toString("base64")).toBe(
      "2O3mkkheDExCuhG+ZNIoWmO/IdCdLzADgUn8SnC4hME=",
    );
    expect(list.servers[0]!.addresses).toEqual([
      { protocol: "udp", host: "roughtime.example.com", port: 2002 },
      { protocol: "tcp", host: "roughtime.example.com", port: 2002 },
    ]);
    expect(list.servers[1]!.addresses[1]).toEqual({ protocol: "udp", host: "2001:db8::2:33", port: 2002 });
    expect(list.sources).toHaveLength(2);
    expect(list.reports).toBe("https://www.example.net/roughtime/malfeasance");
  });

  it("refuses malformed lists and addresses with INVALID_ARGUMENT, skips other key types", () => {
    for (const bad of ["host", "host:", "host:70000", "2001:db8::1:2002", "[x]:1"])
      expect(() => parseRoughtimeAddress(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    const server = {
      name: "x",
      version: 1,
      publicKeyType: "ed25519",
      publicKey: "AAAA",
      addresses: [{ protocol: "udp", address: "a:1" }],
    };
    expect(() => parseRoughtimeServerList({ servers: [server] })).toThrow(/32 bytes/);
    expect(() => parseRoughtimeServerList({})).toThrow(/servers/);
    expect(() => parseRoughtimeServerList({ servers: [], reports: "http://x" })).toThrow(/https/);
    expect(parseRoughtimeServerList({ servers: [{ ...server, publicKeyType: "ml-dsa" }] }).skipped).toEqual([
      { name: "x", reason: 'publicKeyType "ml-dsa"' },
    ]);
  });
});
