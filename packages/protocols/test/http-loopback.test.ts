/**
 * queryHttpDate against a local node:http server whose Date header comes from a clock
 * shifted by a known offset (+2.345 s, −0.7 s): the measured offset is within ±(rtt +
 * 3 ms) of the truth and its own uncertainty holds the truth. The same server measured
 * by `htpdate -q -d` (skipped when htpdate is not installed) agrees within htpdate's
 * precision. Also: a server without a Date header, and a refused connection.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@chronosync/core";
import { afterEach, describe, expect, it } from "vitest";
import { formatHttpDate, queryHttpDate } from "../src/index.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function dateServer(offsetNs: bigint | null, tls?: { key: Buffer; cert: Buffer }): Promise<string> {
  const handler = (_req: unknown, res: import("node:http").ServerResponse) => {
    res.sendDate = false;
    if (offsetNs !== null) {
      const serverNs = systemClock.now() + offsetNs;
      const seconds = Number(
        (serverNs - (((serverNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n)) / 1_000_000_000n,
      );
      res.setHeader("Date", formatHttpDate(seconds));
    }
    res.end();
  };
  const server = tls === undefined ? createServer(handler) : createHttpsServer(tls, handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `${tls === undefined ? "http" : "https"}://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const HTPDATE = ["/usr/sbin/htpdate", "/usr/bin/htpdate"].find((p) => existsSync(p));

/** htpdate's raw offset (the `offset:` line of -d; its final line halves offsets under 1 s). */
function htpdate(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(HTPDATE!, ["-q", "-d", "-p", "7", url], { timeout: 30_000 }, (err, stdout, stderr) => {
      const m = /^offset: (-?\d+\.\d+)$/m.exec(`${stdout}\n${stderr}`);
      if (m === null) reject(err ?? new Error(`no offset line in: ${stdout}${stderr}`));
      else resolve(Number(m[1]));
    });
  });
}

describe("queryHttpDate on loopback", () => {
  it.each([2_345_000_000n, -700_000_000n])("measures a Date clock shifted by %i ns", async (truth) => {
    const url = await dateServer(truth);
    const r = await queryHttpDate(url);
    const error = r.offsetNs - truth;
    const abs = error < 0n ? -error : error;
    console.log(
      `HTTP Date ${truth} ns: measured ${r.offsetNs} ns, error ${error} ns, ±${r.uncertaintyNs} ns, rtt ${r.rttNs} ns, ${r.samples.length} samples`,
    );
    expect(abs).toBeLessThanOrEqual(r.rttNs + 3_000_000n);
    expect(abs).toBeLessThanOrEqual(r.uncertaintyNs + 1_000_000n);
    expect(r.samples.length).toBeGreaterThanOrEqual(8);
    expect(r.resets).toBe(0);
  });

  it.skipIf(HTPDATE === undefined)("agrees with htpdate -q -d on the same server (+2.345 s)", async () => {
    const url = await dateServer(2_345_000_000n);
    const theirs = await htpdate(url);
    const ours = Number((await queryHttpDate(url)).offsetNs) / 1e9;
    console.log(`htpdate -p 7: ${theirs} s, ours: ${ours} s`);
    // htpdate -p 7 bisects to 1/128 s.
    expect(Math.abs(theirs - 2.345)).toBeLessThanOrEqual(1 / 64);
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(1 / 64);
  });

  it("measures over HTTPS (keep-alive TLS) and refuses an untrusted certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chronosync-http-time-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=localhost",
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      const tls = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
      const url = await dateServer(-1_250_000_000n, tls);
      const r = await queryHttpDate(url, { ca: tls.cert });
      const error = r.offsetNs + 1_250_000_000n;
      console.log(`HTTPS Date -1.25 s: error ${error} ns, ±${r.uncertaintyNs} ns, rtt ${r.rttNs} ns`);
      expect(error < 0n ? -error : error).toBeLessThanOrEqual(r.rttNs + 3_000_000n);
      await expect(queryHttpDate(url, { maxSamples: 2 })).rejects.toMatchObject({
        code: "CRYPTO_VERIFICATION_FAILED",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a response without a Date header with HTTP_DATE_INVALID", async () => {
    const url = await dateServer(null);
    await expect(queryHttpDate(url)).rejects.toMatchObject({ code: "HTTP_DATE_INVALID" });
  });

  it("reports a refused connection as NETWORK_FAILURE", async () => {
    const url = await dateServer(0n);
    await new Promise((r) => servers.pop()!.close(r));
    await expect(queryHttpDate(url)).rejects.toMatchObject({ code: "NETWORK_FAILURE" });
  });
});
