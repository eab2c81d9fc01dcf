/**
 * Options of the impairment relay, their defaults and validation. Shared by the
 * in-process API, the CLI and {@link spawnImpairmentRelay}.
 */
import { InvalidArgumentError } from "@chronosync/core";
import type { JitterSpec } from "./prng.js";

export interface HostPort {
  host: string;
  port: number;
}

/** What happens to packets going one way. */
export interface DirectionImpairment {
  /** Base one-way delay added by the relay, ms. */
  delayMs: number;
  jitter: JitterSpec;
  /** Probability in [0, 1] that a packet is dropped. */
  loss: number;
  /** Probability in [0, 1] that a packet is held back an extra `reorderExtraMs`. */
  reorder: number;
  reorderExtraMs: number;
}

export interface ImpairmentRelayOptions {
  /** Where clients send to. Default 127.0.0.1:0 (a free port). */
  listen?: Partial<HostPort>;
  /** The real server. Give an IP address; a name is resolved once at start. */
  target: HostPort;
  /** Client → target. */
  up?: Partial<DirectionImpairment>;
  /** Target → client. */
  down?: Partial<DirectionImpairment>;
  /** PRNG seed for jitter, loss and reordering. Default 1. */
  seed?: number;
  /** Stop by itself after this many seconds. Default 60. */
  maxSeconds?: number;
  /** Stop by itself after relaying (or dropping) this many packets. Default 100000. */
  maxPackets?: number;
  /** Per-packet records kept in the report. Default 10000. */
  maxRecords?: number;
  /** How long before a deadline the timer hands over to polling the clock, ms. Default 1.5. */
  spinLeadMs?: number;
  /** Client sessions (upstream sockets) kept; the least recently used is closed past it. Default 1024. */
  maxSessions?: number;
}

export interface ResolvedRelayOptions {
  listen: HostPort;
  target: HostPort;
  up: DirectionImpairment;
  down: DirectionImpairment;
  seed: number;
  maxSeconds: number;
  maxPackets: number;
  maxRecords: number;
  spinLeadMs: number;
  maxSessions: number;
}

export const RELAY_DEFAULTS = {
  seed: 1,
  maxSeconds: 60,
  maxPackets: 100_000,
  maxRecords: 10_000,
  spinLeadMs: 1.5,
  maxSessions: 1024,
  reorderExtraMs: 5,
} as const;

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new InvalidArgumentError(`impairment relay: invalid ${what}: ${JSON.stringify(value)}`);
}

function checkJitter(jitter: JitterSpec, what: string): void {
  const param =
    jitter.kind === "none"
      ? 0
      : jitter.kind === "uniform"
        ? jitter.halfWidthMs
        : jitter.kind === "normal"
          ? jitter.sdMs
          : jitter.meanMs;
  check(Number.isFinite(param) && param >= 0, what, jitter);
}

function resolveDirection(
  given: Partial<DirectionImpairment> | undefined,
  name: string,
): DirectionImpairment {
  const d: DirectionImpairment = {
    delayMs: given?.delayMs ?? 0,
    jitter: given?.jitter ?? { kind: "none" },
    loss: given?.loss ?? 0,
    reorder: given?.reorder ?? 0,
    reorderExtraMs: given?.reorderExtraMs ?? RELAY_DEFAULTS.reorderExtraMs,
  };
  check(Number.isFinite(d.delayMs) && d.delayMs >= 0, `${name} delay (ms)`, d.delayMs);
  checkJitter(d.jitter, `${name} jitter`);
  check(d.loss >= 0 && d.loss <= 1, `${name} loss probability`, d.loss);
  check(d.reorder >= 0 && d.reorder <= 1, `${name} reorder probability`, d.reorder);
  check(
    Number.isFinite(d.reorderExtraMs) && d.reorderExtraMs >= 0,
    `${name} reorder hold (ms)`,
    d.reorderExtraMs,
  );
  return d;
}

function checkPort(port: number, what: string): void {
  check(Number.isInteger(port) && port >= 0 && port <= 65535, what, port);
}

/** Fills in defaults and validates; throws InvalidArgumentError. */
export function resolveRelayOptions(options: ImpairmentRelayOptions): ResolvedRelayOptions {
  const r: ResolvedRelayOptions = {
    listen: { host: options.listen?.host ?? "127.0.0.1", port: options.listen?.port ?? 0 },
    target: { host: options.target.host, port: options.target.port },
    up: resolveDirection(options.up, "up"),
    down: resolveDirection(options.down, "down"),
    seed: options.seed ?? RELAY_DEFAULTS.seed,
    maxSeconds: options.maxSeconds ?? RELAY_DEFAULTS.maxSeconds,
    maxPackets: options.maxPackets ?? RELAY_DEFAULTS.maxPackets,
    maxRecords: options.maxRecords ?? RELAY_DEFAULTS.maxRecords,
    spinLeadMs: options.spinLeadMs ?? RELAY_DEFAULTS.spinLeadMs,
    maxSessions: options.maxSessions ?? RELAY_DEFAULTS.maxSessions,
  };
  checkPort(r.listen.port, "listen port");
  check(r.target.host.length > 0, "target host", r.target.host);
  checkPort(r.target.port, "target port");
  check(r.target.port > 0, "target port", r.target.port);
  check(Number.isInteger(r.seed), "seed", r.seed);
  check(r.maxSeconds > 0 && r.maxSeconds <= 86_400, "max seconds", r.maxSeconds);
  check(Number.isInteger(r.maxPackets) && r.maxPackets > 0, "max packets", r.maxPackets);
  check(Number.isInteger(r.maxRecords) && r.maxRecords >= 0, "max records", r.maxRecords);
  check(Number.isFinite(r.spinLeadMs) && r.spinLeadMs >= 0 && r.spinLeadMs <= 50, "spin lead", r.spinLeadMs);
  check(Number.isInteger(r.maxSessions) && r.maxSessions > 0, "max sessions", r.maxSessions);
  return r;
}

/** Formats `host:port`, bracketing IPv6 addresses. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parses `host:port` or `[v6]:port`. */
export function parseHostPort(text: string): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError(`expected host:port, got ${JSON.stringify(text)}`);
  }
  return { host: m[1]!, port };
}
