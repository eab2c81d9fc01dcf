/**
 * Helpers of the NTS tests: a self-signed P-256 certificate made with openssl (SAN
 * localhost and 127.0.0.1, as chronyd's `ntstrustedcerts` needs), a chronyd NTS server
 * (`ntsport`, `ntsserverkey`, `ntsservercert`, `ntsdumpdir`, PEERS.md) and `chronyd -Q`
 * with `nts` against an NTS-KE port of ours. Temp folders are owned by `_chrony`.
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { selfSignedCertificateArgs } from "@chronosync/testkit";
import { CHRONYD, type ChronydServer, chronyDir, chronyIds, startChronyd } from "./helpers/chronyd.js";

export { CHRONYD, type ChronydServer, chronydAvailable } from "./helpers/chronyd.js";

/** A temp folder chronyd (user `_chrony`) can write to; remove it with rmSync. */
export function ntsTempDir(): string {
  return chronyDir("chronosync-nts-");
}

/**
 * A self-signed P-256 certificate for localhost / 127.0.0.1 in `dir` (testkit's openssl
 * arguments), owned by `_chrony`; synchronous, for test set-up.
 */
export function makeCertificate(dir: string): {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
} {
  const certPath = join(dir, "server.crt");
  const keyPath = join(dir, "server.key");
  execFileSync("openssl", selfSignedCertificateArgs(certPath, keyPath), { stdio: "ignore" });
  const ids = chronyIds();
  if (ids !== null) {
    chownSync(certPath, ids.uid, ids.gid);
    chownSync(keyPath, ids.uid, ids.gid);
  }
  return { certPath, keyPath, cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
}

/** A TCP port that was free a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether 127.0.0.1:port accepts TCP connections. */
function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A chronyd serving NTS-KE on `kePort` and NTP on `server.port`; `certPath` is its certificate. */
export async function startChronydNts(): Promise<{
  server: ChronydServer;
  kePort: number;
  certPath: string;
  cert: string;
  cleanup: () => Promise<void>;
}> {
  const dir = ntsTempDir();
  const { certPath, keyPath, cert } = makeCertificate(dir);
  const kePort = await freeTcpPort();
  const server = await startChronyd(
    [
      `ntsport ${kePort}`,
      `ntsserverkey ${keyPath}`,
      `ntsservercert ${certPath}`,
      `ntsdumpdir ${dir}`,
      "ntsprocesses 0",
    ],
    { dir, readyWhen: () => acceptsTcp(kePort) },
  ).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    server,
    kePort,
    certPath,
    cert,
    cleanup: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `chronyd -Q` with `nts` against our NTS-KE on 127.0.0.1:kePort, trusting `certPath`.
 * Returns its "System clock wrong by X seconds" X and its whole output.
 */
export async function measureNtsWithChronyd(
  kePort: number,
  certPath: string,
  timeoutS = 20,
): Promise<{ offsetS: number | null; output: string }> {
  const dir = ntsTempDir();
  try {
    const output = await new Promise<string>((resolve) => {
      execFile(
        CHRONYD,
        [
          "-Q",
          "-t",
          String(timeoutS),
          `server 127.0.0.1 iburst nts ntsport ${kePort}`,
          `ntstrustedcerts ${certPath}`,
          `ntsdumpdir ${dir}`,
          "cmdport 0",
          "bindcmdaddress /",
          `pidfile ${join(dir, "q.pid")}`,
        ],
        { timeout: (timeoutS + 10) * 1000 },
        (_err, stdout, stderr) => resolve(`${stdout}${stderr}`),
      );
    });
    const match = /System clock wrong by (-?[\d.]+) seconds/.exec(output);
    return { offsetS: match === null ? null : Number(match[1]), output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
