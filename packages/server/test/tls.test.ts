// HTTPS with TLS 1.3 only (issue 4 §7): a self-signed certificate made by openssl, Node and
// `openssl s_client` clients; TLS 1.2 refused; flags/env resolution and bad files.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import { promisify } from "node:util";
import { resolveConfig, startServer } from "@chronosync/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTls } from "../src/tls.js";
import { createExternalDatabase, type TestDatabase } from "./helpers/databases.js";
import { TEST_MASTER_KEY } from "./helpers/tokens.js";

const run = promisify(execFile);
let dir: string;
let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let port: number;
let cert: string;
let caPem: Buffer;

async function makeCert(name: string): Promise<{ cert: string; key: string }> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const args = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost";
  await run("openssl", [
    ...args.split(" "),
    ...["-keyout", keyPath, "-out", certPath, "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
  ]);
  return { cert: certPath, key: keyPath };
}

/** `openssl s_client` with one protocol version; resolves with its exit code and output. */
function sClient(version: "-tls1_2" | "-tls1_3"): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const args = ["s_client", "-connect", `127.0.0.1:${port}`, version, "-CAfile", cert, "-brief"];
    const child = execFile("openssl", args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(); // EOF: s_client closes the connection after the handshake
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "chronosync-tls-"));
  db = await createExternalDatabase();
  const files = await makeCert("server");
  cert = files.cert;
  caPem = await readFile(files.cert);
  const config = resolveConfig(
    {
      host: "127.0.0.1",
      port: "0",
      dataDir: db.dataDir,
      databaseUrl: db.url,
      tlsCert: files.cert,
      tlsKey: files.key,
    },
    { CHRONOSYNC_MASTER_KEY: TEST_MASTER_KEY, CHRONOSYNC_ADMIN_PASSWORD: "tls-admin-pass" },
    dir,
  );
  server = await startServer(config);
  port = Number(new URL(server.url).port);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await db?.dispose();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("HTTPS with TLS 1.3 only", () => {
  it("serves https:// and negotiates TLS 1.3 with a Node client", async () => {
    expect(server.url).toBe(`https://127.0.0.1:${port}`);
    const { status, protocol, body } = await new Promise<{
      status: number;
      protocol: string | null;
      body: string;
    }>((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { ca: caPem }, (res) => {
        let body = "";
        const protocol = (res.socket as TLSSocket).getProtocol();
        res.on("data", (c) => (body += c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            protocol,
            body,
          }),
        );
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(protocol).toBe("TLSv1.3");
    expect(JSON.parse(body)).toEqual({ status: "ok" });
  });

  it("refuses a TLS 1.2 handshake from Node", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port, maxVersion: "TLSv1.2", ca: caPem }, () => {
        resolve(`connected with ${socket.getProtocol()}`);
        socket.end();
      });
      socket.on("error", (err) => resolve(`error: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    expect(outcome).toMatch(/^error: .*(VERSION|PROTOCOL|ALERT)/i);
  });

  it("openssl s_client: -tls1_3 connects and verifies, -tls1_2 is refused", async () => {
    const ok = await sClient("-tls1_3");
    expect(ok.out).toMatch(/Protocol version: TLSv1\.3/);
    expect(ok.out).toMatch(/Verification: OK/);
    const refused = await sClient("-tls1_2");
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(
      /alert protocol version|wrong version|no protocols available|handshake failure/i,
    );
    expect(refused.out).not.toMatch(/Protocol version: TLSv1\.2/);
  });
});

describe("TLS configuration", () => {
  it("resolves flags over env, relative to cwd, and needs both files", () => {
    const base = { CHRONOSYNC_MASTER_KEY: TEST_MASTER_KEY };
    expect(resolveConfig({}, base, "/srv").tls).toBeUndefined();
    expect(
      resolveConfig({}, { ...base, CHRONOSYNC_TLS_CERT: "c.pem", CHRONOSYNC_TLS_KEY: "/k.pem" }, "/srv").tls,
    ).toEqual({ certPath: "/srv/c.pem", keyPath: "/k.pem" });
    expect(
      resolveConfig(
        { tlsCert: "a.pem", tlsKey: "b.pem" },
        { CHRONOSYNC_TLS_CERT: "x", CHRONOSYNC_TLS_KEY: "y" },
        "/d",
      ).tls,
    ).toEqual({ certPath: "/d/a.pem", keyPath: "/d/b.pem" });
    expect(() => resolveConfig({ tlsCert: "a.pem" }, {}, "/d")).toThrow(/go together/);
    expect(() => resolveConfig({}, { CHRONOSYNC_TLS_KEY: "k" }, "/d")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });

  it("refuses a missing file, a non-PEM file and a key of another certificate (CONFIG_INVALID)", async () => {
    const other = await makeCert("other");
    const junk = join(dir, "junk.pem");
    await writeFile(junk, "not a certificate");
    await expect(loadTls(join(dir, "missing.crt"), other.key)).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/cannot read the TLS certificate .*ENOENT/),
    });
    await expect(loadTls(junk, other.key)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(loadTls(cert, other.key)).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/unusable/),
    });
    await expect(loadTls(other.cert, other.key)).resolves.toMatchObject({ cert: expect.any(Buffer) });
  });
});
