/**
 * The Roughtime codec: our own golden batch (vectors/roughtime/own.json), round trips,
 * typed decode errors per reason, the Merkle tree for every batch size up to 17, and
 * tampering → the typed verification failure of each §5.4 check.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildRoughtimeMerkleTree,
  decodeRoughtimeMessage,
  decodeRoughtimePacket,
  decodeRoughtimeResponse,
  encodeRoughtimeCert,
  encodeRoughtimeDele,
  encodeRoughtimeMessage,
  encodeRoughtimePacket,
  encodeRoughtimeRequest,
  encodeRoughtimeResponse,
  nobleEd25519,
  ROUGHTIME_DELEGATION_CONTEXT,
  RoughtimeResponder,
  RoughtimeStreamDecoder,
  RoughtimeTag,
  roughtimeLeaf,
  roughtimeRootFromPath,
  roughtimeSrv,
  roughtimeTag,
  roughtimeTagName,
  verifyRoughtimeResponse,
} from "../src/index.js";
import { concatBytes } from "../src/roughtime/bytes.js";

const dir = new URL("./vectors/roughtime/", import.meta.url);
const hexFile = (name: string) =>
  new Uint8Array(Buffer.from(readFileSync(new URL(name, dir), "utf8").trim(), "hex"));
const own = JSON.parse(readFileSync(new URL("own.json", dir), "utf8")) as {
  publicKey: string;
  midpoint: number;
  exchanges: { request: string; response: string; index: number }[];
};
const publicKey = hexFile(own.publicKey);
const exchanges = own.exchanges.map((e) => ({
  request: hexFile(e.request),
  response: hexFile(e.response),
  index: e.index,
}));
const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

describe("our golden batch", () => {
  it("is what the responder produces today, byte for byte", () => {
    const responder = new RoughtimeResponder({
      longTermSecretKey: seed,
      randomBytes: (n) => new Uint8Array(n).fill(0x42),
    });
    expect(responder.publicKey).toEqual(publicKey);
    const out = responder.respond(
      exchanges.map((e) => e.request),
      1_800_000_000_400_000_000n,
    );
    expect(out).toEqual(exchanges.map((e) => e.response));
    expect(responder.stats).toMatchObject({ received: 3, answered: 3, signatures: 1, delegations: 1 });
  });

  it("verifies, with MIDP 1800000000 s, RADI 3 s, INDX per leaf", () => {
    for (const e of exchanges) {
      const v = verifyRoughtimeResponse(e.request, e.response, publicKey);
      expect(v.midpointNs).toBe(BigInt(own.midpoint) * 1_000_000_000n);
      expect(v.radiusNs).toBe(3_000_000_000n);
      expect(v.version).toBe(1);
      expect(v.response.index).toBe(e.index);
      expect(v.response.path).toHaveLength(2);
      expect(e.response.length).toBeLessThanOrEqual(e.request.length);
    }
  });

  it("re-encodes the response from its decoded parts", () => {
    for (const e of exchanges) {
      const r = decodeRoughtimeResponse(e.response);
      const again = encodeRoughtimeResponse({
        signature: r.signature,
        nonce: r.nonce,
        path: r.path,
        srep: r.srepBytes,
        cert: certBytes(e.response),
        index: r.index,
      });
      expect(again).toEqual(e.response);
    }
  });
});

function certBytes(response: Uint8Array): Uint8Array {
  return decodeRoughtimeMessage(decodeRoughtimePacket(response)).get(RoughtimeTag.CERT)!;
}

describe("tags", () => {
  it("maps names to the registry's uint32 values", () => {
    expect(RoughtimeTag.NONC).toBe(0x434e4f4e);
    expect(RoughtimeTag.VER).toBe(0x00524556);
    expect(RoughtimeTag.ZZZZ).toBe(0x5a5a5a5a);
    expect(roughtimeTag("INDX")).toBe(0x58444e49);
    expect(roughtimeTagName(0x00474953)).toBe("SIG");
    expect(roughtimeTagName(0x01)).toBe("\\x01");
  });
});

describe("requests", () => {
  it("pads the message to exactly 1024 bytes, with or without SRV", () => {
    const nonce = new Uint8Array(32);
    expect(encodeRoughtimeRequest({ nonce }).length).toBe(1036);
    expect(encodeRoughtimeRequest({ nonce, srv: roughtimeSrv(publicKey), versions: [1] }).length).toBe(1036);
  });
  it("refuses bad fields with core's InvalidArgumentError", () => {
    const nonce = new Uint8Array(32);
    expect(() => encodeRoughtimeRequest({ nonce: new Uint8Array(31) })).toThrow(/NONC/);
    expect(() => encodeRoughtimeRequest({ nonce, versions: [2, 1] })).toThrow(/ascending/);
    expect(() => encodeRoughtimeRequest({ nonce, versions: [] })).toThrow(/ascending/);
  });
});

const message = (entries: [number, Uint8Array][]) => encodeRoughtimeMessage(entries);
const u32 = (...values: number[]) => new Uint8Array(new Uint32Array(values).buffer);

describe("decode errors", () => {
  const cases: [string, Uint8Array, string][] = [
    ["empty", new Uint8Array(0), "too-short"],
    ["zero tags", u32(0), "bad-header"],
    ["more tags than bytes", u32(3, 0, 0), "bad-header"],
    ["offset not a multiple of 4", u32(2, 3, 1, 2, 0, 0), "bad-offset"],
    ["offset past the end", u32(2, 8, 1, 2, 0), "bad-offset"],
    ["decreasing offsets", u32(3, 4, 0, 1, 2, 3, 0), "bad-offset"],
    ["unsorted tags", u32(2, 0, 2, 1), "unsorted-tags"],
    ["repeated tag", u32(2, 0, 7, 7), "unsorted-tags"],
  ];
  it.each(cases)("message: %s → %s", (_, bytes, reason) => {
    expect(() => decodeRoughtimeMessage(bytes)).toThrow(
      expect.objectContaining({ code: "ROUGHTIME_DECODE_ERROR", reason }),
    );
  });

  it("packet: magic, length and framing", () => {
    const good = encodeRoughtimePacket(u32(1, 5));
    expect(decodeRoughtimePacket(good)).toEqual(u32(1, 5));
    const badMagic = good.slice();
    badMagic[0] = 0x72;
    const expectReason = (bytes: Uint8Array, reason: string) =>
      expect(() => decodeRoughtimePacket(bytes)).toThrow(expect.objectContaining({ reason }));
    expectReason(good.subarray(0, 11), "too-short");
    expectReason(badMagic, "bad-magic");
    expectReason(concatBytes(good, new Uint8Array(4)), "bad-length");
  });

  it("response: missing tags, TYPE, sizes", () => {
    const base = decodeRoughtimeMessage(decodeRoughtimePacket(exchanges[0]!.response));
    const without = (tag: number) =>
      encodeRoughtimePacket(message([...base.entries()].filter(([t]) => t !== tag)));
    const replaced = (tag: number, value: Uint8Array) =>
      encodeRoughtimePacket(message([...base.entries()].map(([t, v]) => [t, t === tag ? value : v])));
    const expectReason = (bytes: Uint8Array, reason: string) =>
      expect(() => decodeRoughtimeResponse(bytes)).toThrow(expect.objectContaining({ reason }));
    for (const tag of [
      RoughtimeTag.SIG,
      RoughtimeTag.SREP,
      RoughtimeTag.CERT,
      RoughtimeTag.INDX,
      RoughtimeTag.TYPE,
    ])
      expectReason(without(tag), "missing-tag");
    expectReason(replaced(RoughtimeTag.TYPE, u32(0)), "bad-value");
    expectReason(replaced(RoughtimeTag.PATH, new Uint8Array(36)), "bad-value");
    expectReason(replaced(RoughtimeTag.PATH, new Uint8Array(33 * 32)), "bad-value");
    expectReason(replaced(RoughtimeTag.NONC, new Uint8Array(28)), "bad-value");
  });
});

describe("Merkle tree", () => {
  it.each(Array.from({ length: 17 }, (_, i) => i + 1))(
    "every path of a %i-leaf tree leads to the root",
    (n) => {
      const leaves = Array.from({ length: n }, (_, i) => roughtimeLeaf(Uint8Array.of(i)));
      const tree = buildRoughtimeMerkleTree(leaves);
      leaves.forEach((leaf, i) => {
        expect(roughtimeRootFromPath(leaf, i, tree.paths[i]!)).toEqual(tree.root);
        if (n > 1) expect(roughtimeRootFromPath(leaf, i ^ 1, tree.paths[i]!)).not.toEqual(tree.root);
      });
      expect(roughtimeRootFromPath(leaves[0]!, 2 ** tree.paths[0]!.length, tree.paths[0]!)).toBeNull();
    },
  );
});

describe("verification failures (tampering)", () => {
  const { request, response } = exchanges[1]!;
  const flip = (offset: number) => {
    const copy = response.slice();
    copy[offset] = copy[offset]! ^ 0x01;
    return copy;
  };
  const valueOffset = (tag: number) => {
    const m = decodeRoughtimePacket(response);
    const v = decodeRoughtimeMessage(m).get(tag)!;
    return v.byteOffset - response.byteOffset;
  };
  const expectFailure = (
    bytes: Uint8Array,
    failure: string,
    key: Uint8Array = publicKey,
    req: Uint8Array = request,
  ) =>
    expect(() => verifyRoughtimeResponse(req, bytes, key)).toThrow(
      expect.objectContaining({ code: "ROUGHTIME_VERIFICATION_FAILED", failure }),
    );

  it("a flipped bit in SIG → response-signature", () =>
    expectFailure(flip(valueOffset(RoughtimeTag.SIG)), "response-signature"));
  it("a flipped bit in PATH → merkle-path", () =>
    expectFailure(flip(valueOffset(RoughtimeTag.PATH) + 5), "merkle-path"));
  it("another INDX → merkle-path", () => expectFailure(flip(valueOffset(RoughtimeTag.INDX)), "merkle-path"));
  it("a flipped bit in NONC → nonce-mismatch", () =>
    expectFailure(flip(valueOffset(RoughtimeTag.NONC)), "nonce-mismatch"));
  it("another request → nonce-mismatch", () =>
    expectFailure(response, "nonce-mismatch", publicKey, exchanges[0]!.request));
  it("a flipped bit in CERT's SIG → delegation-signature", () =>
    expectFailure(flip(valueOffset(RoughtimeTag.CERT) + 16), "delegation-signature"));
  it("the wrong long-term key → delegation-signature", () => {
    const other = new RoughtimeResponder({
      longTermSecretKey: new Uint8Array(32).fill(9),
      randomBytes: (n) => new Uint8Array(n),
    });
    expectFailure(response, "delegation-signature", other.publicKey);
  });
  it("MIDP outside a validly signed delegation → delegation-window", () => {
    const r = decodeRoughtimeResponse(response);
    const dele = encodeRoughtimeDele({ publicKey: r.cert.delegation.publicKey, minTime: 0n, maxTime: 1n });
    const sig = nobleEd25519.sign(concatBytes(ROUGHTIME_DELEGATION_CONTEXT, dele), seed);
    const outside = encodeRoughtimeResponse({
      signature: r.signature,
      nonce: r.nonce,
      path: r.path,
      srep: r.srepBytes,
      cert: encodeRoughtimeCert(sig, dele),
      index: r.index,
    });
    expectFailure(outside, "delegation-window");
  });
});

describe("TCP stream framing", () => {
  const [a, b] = [exchanges[0]!.request, exchanges[1]!.response];
  it("yields packets split across chunks and packed together", () => {
    const stream = concatBytes(a, b);
    for (const cut of [1, 7, 8, 11, 12, 500, a.length, a.length + 3, stream.length - 1]) {
      const d = new RoughtimeStreamDecoder();
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(got).toEqual([a, b]);
      expect(d.pending).toBe(0);
    }
  });
  it("refuses a stream not at ROUGHTIM, or a message over 64 KiB", () => {
    expect(() => new RoughtimeStreamDecoder().push(new TextEncoder().encode("GET / HTTP/1.1\r\n"))).toThrow(
      expect.objectContaining({ reason: "bad-magic" }),
    );
    const huge = encodeRoughtimePacket(new Uint8Array(8)).slice(0, 12);
    new DataView(huge.buffer).setUint32(8, 70_000, true);
    expect(() => new RoughtimeStreamDecoder().push(huge)).toThrow(
      expect.objectContaining({ reason: "bad-length" }),
    );
  });
});
