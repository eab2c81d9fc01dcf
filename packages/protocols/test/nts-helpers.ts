/**
 * Helpers of the NTS tests: a self-signed P-256 certificate made with openssl (SAN
 * localhost and 127.0.0.1, as chronyd's `ntstrustedcerts` needs), a chronyd NTS server
 * (`ntsport`, `ntsserverkey`, `ntsservercert`, `ntsdumpdir`, PEERS.md) and `chronyd -Q`
 * with `nts` against an NTS-KE port of ours. Temp folders are owned by `_chrony`.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const CHRONYD = "/usr/sbin/chronyd";

/** Whether chronyd can run here: the binary, root, and the `_chrony` user. */
export function chronydAvailable(): boolean {
  return existsSync(CHRONYD) && userInfo().uid === 0 && chronyIds() !== null;
}

/** A running chronyd. */
export interface ChronydServer {
  /** Its NTP (UDP) port. */
  port: number;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
}

function chronyIds(): { uid: number; gid: number } | null {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("_chrony:"));
  if (line === undefined) return null;
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** A temp folder chronyd (user `_chrony`) can write to; remove it with rmSync. */
export function ntsTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "chronosync-nts-"));
  const ids = chronyIds();
  if (ids !== null) chownSync(dir, ids.uid, ids.gid);
  return dir;
}

/** A self-signed P-256 certificate for localhost / 127.0.0.1 in `dir`. */
export function makeCertificate(dir: string): {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
} {
  const certPath = join(dir, "server.crt");
  const keyPath = join(dir, "server.key");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
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

/** A UDP port that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Whether 127.0.0.1:port answers an NTP client packet within 200 ms. */
function answersNtp(port: number): Promise<boolean> {
  const socket = createSocket("udp4");
  const request = new Uint8Array(48);
  request[0] = 0x23;
  request[47] = 1;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 200);
    socket.on("message", () => done(true));
    socket.on("error", () => done(false));
    socket.send(request, port, "127.0.0.1");
  });
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

/** Starts `chronyd -x -d` (never touching the clock) with `local stratum 1` and `extra` lines in `dir`. */
async function startChronyd(dir: string, extra: string[], kePort: number): Promise<ChronydServer> {
  const port = await freeUdpPort();
  const conf = join(dir, "server.conf");
  const lines = [
    `port ${port}`,
    "bindaddress 127.0.0.1",
    "allow 127.0.0.1",
    "local stratum 1",
    "cmdport 0",
    "bindcmdaddress /",
    `pidfile ${join(dir, "chronyd.pid")}`,
    `driftfile ${join(dir, "chrony.drift")}`,
    ...extra,
  ];
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const child: ChildProcess = spawn(CHRONYD, ["-x", "-d", "-f", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid ?? -1;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGTERM");
    await exited;
  };
  for (let attempt = 0; attempt < 50 && child.exitCode === null; attempt++) {
    if ((await answersNtp(port)) && (await acceptsTcp(kePort))) return { port, pid, log: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`chronyd did not start:\n${output}`);
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
    dir,
    [
      `ntsport ${kePort}`,
      `ntsserverkey ${keyPath}`,
      `ntsservercert ${certPath}`,
      `ntsdumpdir ${dir}`,
      "ntsprocesses 0",
    ],
    kePort,
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
