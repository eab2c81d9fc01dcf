/**
 * The impairment relay: a userspace UDP forwarder that adds one-way delay, jitter,
 * loss and reordering per direction (the kernel here has no `tc netem`), and reports
 * the delays it really applied. "up" is client → target, "down" is target → client.
 *
 * Each client address gets its own upstream socket (a session), so the target's replies
 * map back to the right client. Packets are released at exact deadlines by a
 * {@link ReleaseQueue}: it busy-polls the clock for the last ~1.5 ms, so run the relay
 * in its own process ({@link spawnImpairmentRelay}) when the measuring code shares a core.
 */

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { lookup as dnsLookup, promises as dnsPromises, type LookupOneOptions } from "node:dns";
import { isIP } from "node:net";
import { RelayFailedError } from "../errors.js";
import {
  type DirectionImpairment,
  formatHostPort,
  type HostPort,
  type ImpairmentRelayOptions,
  type ResolvedRelayOptions,
  resolveRelayOptions,
} from "./options.js";
import { createRandom, type Random, sampleJitterMs } from "./prng.js";
import { ReleaseQueue } from "./release-queue.js";
import {
  type Direction,
  DirectionTally,
  type ImpairmentReport,
  type PacketRecord,
  roundRecord,
  type StopReason,
} from "./report.js";

export interface ImpairmentRelay {
  /** The bound listen address: send here instead of to the target. */
  readonly address: HostPort;
  /** Resolves with the final report once the relay has stopped, by itself or by stop(). */
  readonly done: Promise<ImpairmentReport>;
  /** Stops now (packets still held are dropped and counted as unsent); resolves with the final report. */
  stop(): Promise<ImpairmentReport>;
  /** A snapshot of the report so far. */
  report(): ImpairmentReport;
}

interface Session {
  client: HostPort;
  socket: Socket;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * Answers IP literals synchronously: with the default lookup, dgram defers every
 * `send(..., address)` to a later tick, which would blur the send time we report.
 */
function literalLookup(hostname: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, typeof options === "number" ? { family: options } : options, callback);
}

async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const literal = isIP(host);
  if (literal !== 0) return { address: host, family: literal === 6 ? 6 : 4 };
  const found = await dnsPromises.lookup(host);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}

function closeQuietly(socket: Socket, then?: () => void): void {
  try {
    socket.close(then);
  } catch {
    then?.();
  }
}

function udpType(family: 4 | 6): "udp4" | "udp6" {
  return family === 6 ? "udp6" : "udp4";
}

/** Starts a relay in this process; resolves once it is bound. */
export async function startImpairmentRelay(options: ImpairmentRelayOptions): Promise<ImpairmentRelay> {
  const opts: ResolvedRelayOptions = resolveRelayOptions(options);
  const target = await resolveHost(opts.target.host);
  const listenHost = await resolveHost(opts.listen.host);
  const listen = createSocket({ type: udpType(listenHost.family), lookup: literalLookup });
  await new Promise<void>((resolve, reject) => {
    listen.once("error", (err) =>
      reject(new RelayFailedError(`cannot bind ${formatHostPort(opts.listen)}`, { cause: err })),
    );
    listen.bind(opts.listen.port, listenHost.address, () => resolve());
  });
  return new RelayRun(opts, listen, target);
}

class RelayRun implements ImpairmentRelay {
  readonly address: HostPort;
  readonly done: Promise<ImpairmentReport>;
  private resolveDone!: (report: ImpairmentReport) => void;
  private readonly startedAt = process.hrtime.bigint();
  private endedAt: bigint | null = null;
  private stopReason: StopReason | null = null;
  private accepting = true;
  private packets = 0;
  private sessionCount = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly queue: ReleaseQueue;
  private readonly random: Record<Direction, Random>;
  private readonly tally: Record<Direction, DirectionTally> = {
    up: new DirectionTally(),
    down: new DirectionTally(),
  };
  private readonly pending: Record<Direction, number> = { up: 0, down: 0 };
  private readonly records: PacketRecord[] = [];
  private recordsOmitted = 0;
  private readonly limitTimer: NodeJS.Timeout;

  constructor(
    private readonly opts: ResolvedRelayOptions,
    private readonly listen: Socket,
    private readonly target: { address: string; family: 4 | 6 },
  ) {
    const bound = listen.address();
    this.address = { host: bound.address, port: bound.port };
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.queue = new ReleaseQueue(opts.spinLeadMs);
    this.random = { up: createRandom(opts.seed, 0), down: createRandom(opts.seed, 1) };
    listen.removeAllListeners("error");
    listen.on("error", () => this.finish("error"));
    listen.on("message", (msg, rinfo) => this.fromClient(msg, rinfo));
    this.limitTimer = setTimeout(() => this.finish("max-seconds"), opts.maxSeconds * 1000);
  }

  stop(): Promise<ImpairmentReport> {
    this.finish("stopped");
    return this.done;
  }

  report(): ImpairmentReport {
    const end = this.endedAt ?? process.hrtime.bigint();
    const up = this.tally.up.summary();
    const down = this.tally.down.summary();
    return {
      listen: formatHostPort(this.address),
      target: formatHostPort({ host: this.target.address, port: this.opts.target.port }),
      durationMs: Math.round(Number(end - this.startedAt) / 1e3) / 1e3,
      stopReason: this.stopReason,
      sessions: this.sessionCount,
      up,
      down,
      records: this.records.map(roundRecord),
      recordsOmitted: this.recordsOmitted,
    };
  }

  private fromClient(msg: Buffer, rinfo: RemoteInfo): void {
    const rx = process.hrtime.bigint();
    if (!this.accepting) return;
    const client = { host: rinfo.address, port: rinfo.port };
    const session = this.session(client);
    this.impair("up", msg, rx, client, (done) =>
      session.socket.send(msg, this.opts.target.port, this.target.address, done),
    );
  }

  private fromTarget(session: Session, msg: Buffer, rinfo: RemoteInfo): void {
    const rx = process.hrtime.bigint();
    if (!this.accepting || rinfo.port !== this.opts.target.port) return;
    const { client } = session;
    this.impair("down", msg, rx, client, (done) => this.listen.send(msg, client.port, client.host, done));
  }

  private session(client: HostPort): Session {
    const key = formatHostPort(client);
    const found = this.sessions.get(key);
    if (found) {
      // Map order is insertion order: re-inserting keeps the least recently used first.
      this.sessions.delete(key);
      this.sessions.set(key, found);
      return found;
    }
    if (this.sessions.size >= this.opts.maxSessions) {
      const [oldKey, old] = this.sessions.entries().next().value as [string, Session];
      this.sessions.delete(oldKey);
      closeQuietly(old.socket);
    }
    const socket = createSocket({ type: udpType(this.target.family), lookup: literalLookup });
    const session: Session = { client, socket };
    socket.on("error", () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
      closeQuietly(socket);
    });
    socket.on("message", (msg, rinfo) => this.fromTarget(session, msg, rinfo));
    socket.bind(0);
    this.sessions.set(key, session);
    this.sessionCount++;
    return session;
  }

  private impair(
    direction: Direction,
    msg: Buffer,
    rx: bigint,
    client: HostPort,
    send: (done: (err: Error | null) => void) => void,
  ): void {
    const imp: DirectionImpairment = this.opts[direction];
    const tally = this.tally[direction];
    const random = this.random[direction];
    const seq = tally.received++;
    this.packets++;
    // Always four draws per packet, so one setting does not shift the others' streams.
    const lost = random() < imp.loss;
    const reordered = random() < imp.reorder && !lost;
    const jitterMs = sampleJitterMs(imp.jitter, random(), random());
    const plannedMs = Math.max(0, imp.delayMs + jitterMs + (reordered ? imp.reorderExtraMs : 0));
    const record: PacketRecord = {
      direction,
      seq,
      client: formatHostPort(client),
      bytes: msg.length,
      atMs: Number(rx - this.startedAt) / 1e6,
      plannedMs,
      appliedMs: null,
      lost,
      reordered,
    };
    if (this.records.length < this.opts.maxRecords) this.records.push(record);
    else this.recordsOmitted++;
    if (this.packets >= this.opts.maxPackets) this.accepting = false;
    if (lost) {
      tally.lost++;
      this.maybeDrained();
      return;
    }
    if (reordered) tally.reordered++;
    this.pending[direction]++;
    this.queue.schedule(rx + BigInt(Math.round(plannedMs * 1e6)), () => {
      this.pending[direction]--;
      const releasedAt = process.hrtime.bigint();
      try {
        send((err) => {
          if (err) tally.sendErrors++;
        });
      } catch {
        tally.sendErrors++;
        this.maybeDrained();
        return;
      }
      const sentAt = process.hrtime.bigint();
      const appliedMs = Number(sentAt - rx) / 1e6;
      record.appliedMs = appliedMs;
      tally.sent(seq, plannedMs, appliedMs, Number(sentAt - releasedAt) / 1e6);
      this.maybeDrained();
    });
  }

  /** After the packet limit, stop once the packets already accepted have gone out. */
  private maybeDrained(): void {
    if (!this.accepting && this.pending.up + this.pending.down === 0) this.finish("max-packets");
  }

  private finish(reason: StopReason): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    this.accepting = false;
    this.endedAt = process.hrtime.bigint();
    clearTimeout(this.limitTimer);
    this.queue.clear();
    this.tally.up.unsent = this.pending.up;
    this.tally.down.unsent = this.pending.down;
    const sockets = [this.listen, ...[...this.sessions.values()].map((s) => s.socket)];
    const closing = sockets.map((socket) => new Promise<void>((resolve) => closeQuietly(socket, resolve)));
    this.sessions.clear();
    void Promise.all(closing).then(() => this.resolveDone(this.report()));
  }
}
