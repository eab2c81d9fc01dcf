/**
 * Light probes for detection, where a full measurement would be slow or impossible:
 * one HTTP HEAD that must carry a valid Date header (a full HTTP measurement locks onto
 * the server's second tick and takes a second or more), and one Roughtime request
 * without SRV for a server whose public key we do not know (an answer proves Roughtime
 * is spoken there; without the key it cannot be used).
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import { NetworkFailureError } from "@chronosync/core";
import { HttpDateInvalidError, HttpTimeoutError, RoughtimeTimeoutError } from "../errors.js";
import { parseHttpDate } from "../http/http-date.js";
import { createUdpSocket, resolveHost, socketFailure } from "../ntp/udp-socket.js";
import { encodeRoughtimeRequest } from "../roughtime/request.js";
import { decodeRoughtimeResponse } from "../roughtime/response.js";

/** One HEAD request; resolves when the response has a valid Date header. */
export function probeHttpDate(url: URL, timeoutMs: number, ca?: string | Buffer): Promise<void> {
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: "HEAD",
        agent: false,
        headers: { "user-agent": "chronosync" },
        ...(url.protocol === "https:" && ca !== undefined ? { ca } : {}),
      },
      (res) => {
        res.resume();
        const value = res.headers.date;
        try {
          if (value === undefined) throw new HttpDateInvalidError(null, `${url.href} sent no Date header`);
          parseHttpDate(value);
          resolve();
        } catch (err) {
          reject(err);
        }
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new HttpTimeoutError(`${url.href}: no response in ${timeoutMs} ms`)),
    );
    req.on("error", (err) =>
      reject(
        err instanceof HttpTimeoutError
          ? err
          : new NetworkFailureError(`${url.href}: ${err.message}`, { cause: err }),
      ),
    );
    req.end();
  });
}

/** Sends one unkeyed Roughtime request; resolves when a well-formed response comes back. */
export async function probeRoughtime(host: string, port: number, timeoutMs: number): Promise<void> {
  const { address, family } = await resolveHost(host);
  const where = `roughtime ${address}:${port}`;
  const request = encodeRoughtimeRequest({ nonce: new Uint8Array(randomBytes(32)) });
  const socket = createUdpSocket(family);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RoughtimeTimeoutError(`no response from ${where} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on("message", (msg: Buffer) => {
        try {
          decodeRoughtimeResponse(new Uint8Array(msg));
          clearTimeout(timer);
          resolve();
        } catch {
          // not a Roughtime response: keep waiting
        }
      });
      socket.on("error", (err) => {
        clearTimeout(timer);
        reject(socketFailure(err, where));
      });
      socket.connect(port, address, () => socket.send(request));
    });
  } finally {
    socket.close();
  }
}
