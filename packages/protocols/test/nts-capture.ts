/**
 * Captures a real NTS exchange with chronyd for the golden vectors in
 * test/vectors/nts/chronyd-capture.json. Run by hand (as root, chronyd installed):
 *   npx tsx packages/protocols/test/nts-capture.ts
 * A: our client against a chronyd NTS server (KE response, keys, one authenticated
 *    request and response, one NAK to a tampered cookie).
 * B: `chronyd -Q` against a capturing KE server and NTP responder of ours (chronyd's KE
 *    request, its exported keys, its first authenticated NTP request and our answer).
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { rmSync, writeFileSync } from "node:fs";
import { createServer, type TLSSocket } from "node:tls";
import { systemClock } from "@chronosync/core";
import { asciiReferenceId, NtpResponder } from "../src/ntp/index.js";
import {
  answerNtsKeRequest,
  createNtsRequest,
  decodeNtsKeMessage,
  encodeNtsKeRecords,
  exportNtsKeys,
  NtsCookieKeys,
  NtsResponder,
  ntsKeMessageLength,
  performNtsKe,
} from "../src/nts/index.js";
import { makeCertificate, measureNtsWithChronyd, ntsTempDir, startChronydNts } from "./nts-helpers.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function udpExchange(port: number, bytes: Uint8Array): Promise<Uint8Array> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => {
    socket.on("message", (m) => {
      socket.close();
      resolve(new Uint8Array(m));
    });
    socket.send(bytes, port, "127.0.0.1");
  });
}

async function captureChronydServer() {
  const c = await startChronydNts();
  try {
    const ke = await performNtsKe("127.0.0.1", { port: c.kePort, ca: c.cert });
    const request = createNtsRequest({
      random: randomBytes,
      c2s: ke.c2s,
      cookie: ke.cookies[0]!,
      placeholders: 1,
    });
    const response = await udpExchange(ke.ntpPort, request.bytes);
    const bad = new Uint8Array(ke.cookies[1]!);
    bad[10] = bad[10]! ^ 0xff;
    const nakRequest = createNtsRequest({ random: randomBytes, c2s: ke.c2s, cookie: bad, placeholders: 0 });
    const nak = await udpExchange(ke.ntpPort, nakRequest.bytes);
    return {
      title: "our client against chronyd 4.3 (ntsport, AES-SIV-CMAC-256)",
      keResponseHex: hex(ke.responseBytes),
      c2sHex: hex(ke.c2s),
      s2cHex: hex(ke.s2c),
      ntpRequestHex: hex(request.bytes),
      ntpResponseHex: hex(response),
      nakRequestHex: hex(nakRequest.bytes),
      nakResponseHex: hex(nak),
    };
  } finally {
    await c.cleanup();
  }
}

async function captureChronydClient() {
  const dir = ntsTempDir();
  const { cert, key, certPath } = makeCertificate(dir);
  const keys = new NtsCookieKeys({ random: randomBytes });
  const ntp = new NtpResponder({
    clock: systemClock,
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("GPS"),
      referenceTime: systemClock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 1000n,
      precision: -20,
    },
    rateLimit: false,
  });
  const responder = new NtsResponder({ ntp, keys, random: randomBytes });
  const udp = createSocket("udp4");
  const seen: { request: string; response: string }[] = [];
  udp.on("message", (m, rinfo) => {
    const reply = responder.respond(m, systemClock.now(), rinfo.address);
    if (reply === null) return;
    if (seen.length === 0) seen.push({ request: hex(m), response: hex(reply) });
    udp.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  let keRequest = "";
  let keys2: { c2s: Uint8Array; s2c: Uint8Array } | null = null;
  const tls = createServer(
    { cert, key, ALPNProtocols: ["ntske/1"], minVersion: "TLSv1.3" },
    (s: TLSSocket) => {
      let buf = Buffer.alloc(0);
      s.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const n = ntsKeMessageLength(buf);
        if (n === null) return;
        keRequest = hex(buf.subarray(0, n));
        const answer = answerNtsKeRequest(
          decodeNtsKeMessage(new Uint8Array(buf.subarray(0, n))),
          { ntpPort: udp.address().port },
          (aead) => {
            keys2 = exportNtsKeys(s, aead);
            return Array.from({ length: 8 }, () => keys.seal({ aeadAlgorithm: aead, ...keys2! }));
          },
        );
        s.end(encodeNtsKeRecords(answer.records));
      });
    },
  );
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  try {
    const port = (tls.address() as { port: number }).port;
    const q = await measureNtsWithChronyd(port, certPath, 20);
    return {
      title: "chronyd 4.3 -Q with nts against our KE server and responder",
      keRequestHex: keRequest,
      c2sHex: hex(keys2!.c2s),
      s2cHex: hex(keys2!.s2c),
      ntpRequestHex: seen[0]?.request ?? "",
      ntpResponseHex: seen[0]?.response ?? "",
      chronydOffsetS: q.offsetS,
    };
  } finally {
    udp.close();
    tls.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const a = await captureChronydServer();
const b = await captureChronydClient();
const out = new URL("./vectors/nts/chronyd-capture.json", import.meta.url);
writeFileSync(
  out,
  `${JSON.stringify({ captured: new Date().toISOString(), chronydServer: a, chronydClient: b }, null, 2)}\n`,
);
console.log("wrote", out.pathname);
