/**
 * Per-source CA files (`?ca=/path/ca.pem`): a self-signed certificate made by openssl
 * (testkit's arguments), our own NTS server (NTS-KE over TLS 1.3 + authenticated NTP) and
 * a node:https Date server on loopback. Without the CA the TLS handshake fails; with the
 * URL's CA file both measure, authenticated, and the file is read once, at creation. Bad
 * files are URL errors; `http://` takes no CA.
 */
import { rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { systemClock } from "@chronosync/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asciiReferenceId,
  createTimeSource,
  formatHttpDate,
  NtpResponder,
  type NtsServerHandle,
  type NtsTimeSource,
  parseTimeSourceUrl,
  startNtsServer,
  TimeSourceUrlError,
} from "../src/index.js";
import { makeCertificate, ntsTempDir } from "./nts-helpers.js";

const MS = 1_000_000n;
const abs = (x: bigint) => (x < 0n ? -x : x);

let dir: string;
let cert: { certPath: string; keyPath: string; cert: string; key: string };
let nts: NtsServerHandle;
let https: Server;
let httpsPort: number;

beforeAll(async () => {
  dir = ntsTempDir();
  cert = makeCertificate(dir);
  const responder = new NtpResponder({
    clock: systemClock,
    reference: {
      leap: 0,
      stratum: 1,
      referenceId: asciiReferenceId("LOOP"),
      referenceTime: systemClock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 1_000n,
      precision: -20,
    },
    rateLimit: false,
  });
  nts = await startNtsServer({
    host: "127.0.0.1",
    ntpPort: 0,
    kePort: 0,
    cert: cert.cert,
    key: cert.key,
    ntp: responder,
  });
  https = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => {
    res.sendDate = false;
    res.setHeader("Date", formatHttpDate(Number(systemClock.now() / 1_000_000_000n)));
    res.end();
  });
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", r));
  httpsPort = (https.address() as AddressInfo).port;
});

afterAll(async () => {
  await nts?.close();
  await new Promise<void>((r) => (https ? https.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

describe("per-source CA files", () => {
  it("nts:// needs the CA: a TLS failure without it, authenticated time with ?ca=", async () => {
    const base = `nts://127.0.0.1:${nts.keAddress.port}`;
    const without = createTimeSource(base, { timeoutMs: 2000 });
    await expect(without.measure()).rejects.toMatchObject({ code: "NTS_KE_FAILED" });
    await without.close();

    const source = createTimeSource(`${base}?ca=${cert.certPath}`, { timeoutMs: 2000 });
    expect(source.url).toBe(`${base}?ca=${cert.certPath}`);
    const a = await source.measure();
    const b = await source.measure();
    expect(a).toMatchObject({ protocol: "nts", authenticated: true });
    expect(abs(a.offsetNs)).toBeLessThan(5n * MS);
    // One NTS-KE, then cookies: the CA held by the source, not re-read per measurement.
    expect((source as NtsTimeSource).state().keRuns).toBe(1);
    expect(b.protocol).toBe("nts");
    await source.close();
  });

  it("the URL's CA wins over options.ca (a wrong default CA is not used)", async () => {
    const otherDir = ntsTempDir();
    try {
      const other = makeCertificate(otherDir);
      expect(other.cert).not.toBe(cert.cert);
      const url = `nts://127.0.0.1:${nts.keAddress.port}`;
      const source = createTimeSource(`${url}?ca=${cert.certPath}`, { ca: other.cert, timeoutMs: 2000 });
      expect((await source.measure()).authenticated).toBe(true);
      await source.close();
      const byDefault = createTimeSource(url, { ca: other.cert, timeoutMs: 2000 });
      await expect(byDefault.measure()).rejects.toMatchObject({ code: "NTS_KE_FAILED" });
      await byDefault.close();
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("https:// with ?ca=: the Date header over the private CA, the ca not sent to the server", async () => {
    const base = `https://127.0.0.1:${httpsPort}/`;
    const without = createTimeSource(base, { timeoutMs: 3000 });
    await expect(without.measure()).rejects.toMatchObject({ code: expect.any(String) });
    const source = createTimeSource(`${base}?ca=${cert.certPath}`, { timeoutMs: 3000 });
    expect(source.url).toBe(`${base}?ca=${cert.certPath}`);
    const s = await source.measure();
    expect(s).toMatchObject({ protocol: "https", authenticated: true });
    expect(abs(s.offsetNs)).toBeLessThan(1_100n * MS);
    await source.close();
  });

  it("chronosync:// and auto:// take ?ca= too; http:// does not", () => {
    expect(createTimeSource(`chronosync://127.0.0.1:8443?ca=${cert.certPath}`).url).toBe(
      `chronosync://127.0.0.1:8443?ca=${cert.certPath}`,
    );
    expect(() => createTimeSource(`auto://127.0.0.1?ca=${cert.certPath}`)).not.toThrow();
    expect(() => createTimeSource(`http://127.0.0.1/?ca=${cert.certPath}`)).toThrow(/unknown parameter "ca"/);
    expect(() => createTimeSource(`chronosync+http://127.0.0.1?ca=${cert.certPath}`)).toThrow(
      /unknown parameter "ca"/,
    );
  });

  it.each([
    ["a missing file", () => join(dir, "nope.pem"), /cannot read the CA file .*ENOENT/],
    ["an empty path", () => "", /ca needs a file path/],
    [
      "a file without a certificate",
      () => {
        const p = join(dir, "key-only.pem");
        writeFileSync(p, cert.key);
        return p;
      },
      /holds no PEM certificate/,
    ],
  ])("refuses %s as a URL error", (_name, path, message) => {
    const url = `nts://127.0.0.1:4460?ca=${path()}`;
    expect(() => createTimeSource(url)).toThrow(TimeSourceUrlError);
    expect(() => createTimeSource(url)).toThrow(message);
  });

  it("paths with & or spaces survive the canonical URL", () => {
    const p = join(dir, "a b&c.pem");
    writeFileSync(p, cert.cert);
    const url = createTimeSource(`https://127.0.0.1/?ca=${encodeURIComponent(p)}`).url;
    expect(parseTimeSourceUrl(url).params.get("ca")).toBe(p);
    expect(createTimeSource(url).url).toBe(url);
  });
});
