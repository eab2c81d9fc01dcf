/**
 * chronyd as a peer: a server on loopback (optionally with a libfaketime offset), a
 * stratum-2 relay serving a sub-second offset, and chronyd's own one-shot measurement.
 * Configurations exactly as in /work/shared/PEERS.md; every instance has its own
 * temporary folder, port, pid file and no command socket, so parallel tests do not collide.
 * chronyd runs with `-x` (or `-Q`): it never touches the system clock.
 * @see https://chrony-project.org/doc/4.3/chronyd.html
 */
import { chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PeerFailedError } from "../errors.js";
import { type PeerChild, sleep, spawnPeer } from "./child.js";
import { findFreeUdpPort } from "./free-port.js";
import { type NtpProbeReply, probeNtp } from "./ntp-probe.js";
import { LIBFAKETIME, requireProgram } from "./programs.js";

export interface ChronydHandle {
  /** The NTP port it serves on 127.0.0.1. */
  readonly port: number;
  /** Its temporary folder (configuration, pid file, drift file); removed by stop(). */
  readonly dir: string;
  readonly pid: number;
  /** What chronyd printed so far (it runs with `-d`, logging to stderr). */
  output(): string;
  /** SIGTERM (SIGKILL after 3 s), then removes the folder. */
  stop(): Promise<void>;
}

export interface ChronydServerOptions {
  /** Default: a free port. */
  port?: number;
  /** libfaketime offset such as `"+2.5"` or `"-1.75"` (only exact for |offset| > 1 s, see PEERS.md). */
  faketime?: string;
  /** `local stratum N`. Default 1. */
  stratum?: number;
  /** More configuration lines. */
  extraConfig?: readonly string[];
  /** How long to wait for the first answer. Default 15 s. */
  startTimeoutMs?: number;
}

export interface ChronydRelayOptions {
  /** The chronyd it follows, on 127.0.0.1. */
  upstreamPort: number;
  /** chrony's `offset` option: the relay serves upstream time + this. */
  offsetSeconds: number;
  /** What upstream itself serves (e.g. 2.5 behind faketime); default 0. */
  upstreamOffsetSeconds?: number;
  /** chrony's `minpoll` and `maxpoll` for the upstream (log2 s). Default -2 and -2. */
  minPoll?: number;
  maxPoll?: number;
  /** Default: a free port. */
  port?: number;
  extraConfig?: readonly string[];
  /** Served offset must be within this of the expected one to count as synchronized. Default 1 ms. */
  toleranceMs?: number;
  /** How long to wait until synchronized. Default 30 s. */
  syncTimeoutMs?: number;
}

export interface ChronydOneShotOptions {
  host: string;
  port: number;
  /** chronyd's `-t`: give up after this many seconds. Default 20. */
  timeoutS?: number;
  /** Prefix, e.g. a namespace's `wrap`. */
  wrap?: readonly string[];
}

export interface ChronydOneShotResult {
  /** "System clock wrong by X seconds": server − local, like our offsets. */
  offsetSeconds: number;
  output: string;
}

const BIND_FAILED = /Could not (?:bind|open)[^\n]*NTP socket/i;

async function chronyUser(): Promise<{ uid: number; gid: number } | null> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  for (const line of passwd.split("\n")) {
    const [name, , uid, gid] = line.split(":");
    if (name === "_chrony" || name === "chrony") return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

/** A temporary folder chronyd (which drops to user `_chrony`) can write to. */
async function makeChronyDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `chronosync-${prefix}-`));
  const user = await chronyUser();
  if (user !== null) await chown(dir, user.uid, user.gid);
  return dir;
}

/** The lines every instance shares: loopback only, no command socket, private files. */
function commonConfig(port: number, dir: string): string[] {
  return [
    `port ${port}`,
    "bindaddress 127.0.0.1",
    "allow 127.0.0.1",
    "cmdport 0",
    "bindcmdaddress /",
    `pidfile ${join(dir, "chronyd.pid")}`,
    `driftfile ${join(dir, "chrony.drift")}`,
  ];
}

interface Launch {
  name: string;
  port: number | undefined;
  config: (port: number, dir: string) => string[];
  env?: NodeJS.ProcessEnv;
  /** Whether a probe reply means ready (called with null while there is none). */
  ready: (reply: NtpProbeReply | null) => boolean;
  timeoutMs: number;
  /** What to say when it never got ready. */
  notReady: () => string;
}

/** Starts chronyd; when it cannot bind a port we chose, tries again on another. */
async function launchChronyd(launch: Launch): Promise<ChronydHandle> {
  const chronyd = requireProgram("chronyd");
  const attempts = launch.port === undefined ? 3 : 1;
  let lastOutput = "";
  const tried: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = launch.port ?? (await findFreeUdpPort());
    tried.push(port);
    const dir = await makeChronyDir(launch.name);
    const conf = join(dir, `${launch.name}.conf`);
    await writeFile(conf, `${launch.config(port, dir).join("\n")}\n`);
    let peer: PeerChild;
    try {
      peer = await spawnPeer([chronyd, "-x", "-d", "-f", conf], launch.env);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw new PeerFailedError(`cannot start ${chronyd}`, "", { cause: err });
    }
    const handle: ChronydHandle = {
      port,
      dir,
      pid: peer.pid,
      output: peer.output,
      async stop() {
        await peer.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
    const outcome = await waitReady(peer, port, launch);
    if (outcome === "ready") return handle;
    lastOutput = peer.output();
    await handle.stop();
    if (outcome === "bind-failed") continue;
    throw new PeerFailedError(
      outcome === "exited" ? `${launch.name} chronyd exited at start` : launch.notReady(),
      lastOutput,
    );
  }
  throw new PeerFailedError(`${launch.name} chronyd could not bind port ${tried.join(", ")}`, lastOutput);
}

async function waitReady(
  peer: PeerChild,
  port: number,
  launch: Launch,
): Promise<"ready" | "exited" | "bind-failed" | "timeout"> {
  const deadline = Date.now() + launch.timeoutMs;
  while (Date.now() < deadline) {
    if (BIND_FAILED.test(peer.output())) return "bind-failed";
    if (peer.hasExited()) return "exited";
    const reply = await probeNtp("127.0.0.1", port, 300);
    // A reply from before the bind check could come from someone else's server on that port.
    if (BIND_FAILED.test(peer.output())) return "bind-failed";
    if (launch.ready(reply)) return "ready";
    await sleep(reply === null ? 100 : 250);
  }
  return "timeout";
}

/**
 * Starts `chronyd -x` serving its (optionally faked) clock at `local stratum` on
 * 127.0.0.1; resolves once it answers.
 */
export function startChronydServer(options: ChronydServerOptions = {}): Promise<ChronydHandle> {
  const stratum = options.stratum ?? 1;
  const env = options.faketime
    ? { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME: options.faketime }
    : undefined;
  if (options.faketime) requireProgram(LIBFAKETIME);
  return launchChronyd({
    name: "chronyd-server",
    port: options.port,
    config: (port, dir) => [
      ...commonConfig(port, dir),
      `local stratum ${stratum}`,
      ...(options.extraConfig ?? []),
    ],
    ...(env ? { env } : {}),
    ready: (reply) => reply !== null && reply.leap !== 3,
    timeoutMs: options.startTimeoutMs ?? 15_000,
    notReady: () => "chronyd server did not answer in time",
  });
}

/**
 * Starts a stratum-2 `chronyd -x` that follows the chronyd on `upstreamPort` and serves
 * its time shifted by `offsetSeconds`; resolves once it answers synchronized (leap ≠ 3)
 * with the expected offset on three probes in a row.
 */
export function startChronydRelay(options: ChronydRelayOptions): Promise<ChronydHandle> {
  const expectedMs = (options.offsetSeconds + (options.upstreamOffsetSeconds ?? 0)) * 1000;
  const toleranceMs = options.toleranceMs ?? 1;
  let good = 0;
  let last: NtpProbeReply | null = null;
  return launchChronyd({
    name: "chronyd-relay",
    port: options.port,
    config: (port, dir) => [
      `server 127.0.0.1 port ${options.upstreamPort} iburst minpoll ${options.minPoll ?? -2} ` +
        `maxpoll ${options.maxPoll ?? -2} offset ${options.offsetSeconds}`,
      ...commonConfig(port, dir),
      ...(options.extraConfig ?? []),
    ],
    ready: (reply) => {
      if (reply !== null) last = reply;
      const ok = reply !== null && reply.leap !== 3 && Math.abs(reply.offsetMs - expectedMs) < toleranceMs;
      good = ok ? good + 1 : 0;
      return good >= 3;
    },
    timeoutMs: options.syncTimeoutMs ?? 30_000,
    notReady: () =>
      `chronyd relay not synchronized to ${expectedMs} ms ± ${toleranceMs} ms in time; last probe ${JSON.stringify(last)}`,
  });
}

/**
 * chrony's own measurement of a server: `chronyd -Q -t T 'server HOST port PORT iburst'`,
 * with no server port, no command socket and a private pid file. Takes 4–6 s.
 */
export async function chronydOneShot(options: ChronydOneShotOptions): Promise<ChronydOneShotResult> {
  const chronyd = requireProgram("chronyd");
  const timeoutS = options.timeoutS ?? 20;
  const dir = await makeChronyDir("chronyd-oneshot");
  try {
    const peer = await spawnPeer([
      ...(options.wrap ?? []),
      chronyd,
      "-Q",
      "-t",
      String(timeoutS),
      `server ${options.host} port ${options.port} iburst`,
      "port 0",
      "cmdport 0",
      "bindcmdaddress /",
      `pidfile ${join(dir, "chronyd.pid")}`,
    ]);
    const killer = setTimeout(() => void peer.stop(), (timeoutS + 15) * 1000);
    await peer.exited;
    clearTimeout(killer);
    const output = peer.output();
    const match = /System clock wrong by (-?\d+(?:\.\d+)?) seconds/.exec(output);
    if (!match)
      throw new PeerFailedError(`chronyd -Q got no offset from ${options.host}:${options.port}`, output);
    return { offsetSeconds: Number(match[1]), output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
