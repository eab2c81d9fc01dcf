/** The NTP server behind `chronosync serve ntp`: this machine's clock as a local reference. */
import { type Clock, isChronoSyncError, SystemClock } from "@chronosync/core";
import {
  formatReferenceId,
  type NtpReferenceState,
  NtpResponder,
  type NtpResponderStats,
  type NtpServerTransport,
  startNtpServer,
} from "@chronosync/protocols";
import { CliError } from "../errors.js";
import { formatHostPort } from "../target.js";
import type { ServeOptions } from "./serve.js";

/**
 * The reference state served: the local clock as its own reference, "synchronized" at
 * the last refresh (once a second), with no root delay or dispersion of its own.
 */
function localReference(clock: Clock, options: ServeOptions): NtpReferenceState {
  return {
    leap: 0,
    stratum: options.stratum,
    referenceId: options.referenceId,
    referenceTime: clock.now(),
    rootDelayNs: 0n,
    rootDispersionNs: 0n,
    precision: clock.precisionLog2,
  };
}

const LISTEN_REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: "address already in use",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "address not available on this machine",
  ENOTFOUND: "host name not resolved",
  EAI_AGAIN: "host name not resolved",
};

/** A failure to bind as the command's one-line error (exit 7). */
export function listenFailure(err: unknown, where: string): unknown {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const reason = LISTEN_REASONS[String(e.cause?.code)] ?? LISTEN_REASONS[String(e.code)];
  if (reason !== undefined) {
    return new CliError("CLI_NETWORK", `cannot listen on ${where}: ${reason}`, { cause: err });
  }
  if (isChronoSyncError(err) && (err.code === "NETWORK_FAILURE" || err.code === "NAME_NOT_RESOLVED")) {
    return new CliError("CLI_NETWORK", `cannot listen on ${where}: ${err.message}`, { cause: err });
  }
  return err;
}

/** What a server counted: the responder's counters and the replies the kernel refused. */
export interface ServeCounters extends NtpResponderStats {
  sendFailures: number;
}

/** Adds up the counters of several workers. */
export function addCounters(a: ServeCounters, b: ServeCounters): ServeCounters {
  return {
    received: a.received + b.received,
    answered: a.answered + b.answered,
    rateLimited: a.rateLimited + b.rateLimited,
    ignored: a.ignored + b.ignored,
    sendFailures: a.sendFailures + b.sendFailures,
  };
}

export interface LocalNtpServer {
  address: { address: string; port: number };
  transport: NtpServerTransport;
  counters(): ServeCounters;
  close(): Promise<void>;
}

const NATIVE_OPTION = { auto: "auto", native: true, dgram: false } as const;

/** Binds `options.listen` and serves the system clock through an NtpResponder. */
export async function startLocalNtpServer(options: ServeOptions): Promise<LocalNtpServer> {
  const clock = new SystemClock();
  let reference = localReference(clock, options);
  const responder = new NtpResponder({
    clock,
    reference: () => reference,
    ...(options.rateLimit ? {} : { rateLimit: false as const }),
  });
  const { host, port } = options.listen;
  const native = NATIVE_OPTION[options.transport];
  const server = await startNtpServer({ host, port, responder, native }).catch((err: unknown) => {
    throw listenFailure(err, formatHostPort(host, port));
  });
  const refresh = setInterval(() => {
    reference = localReference(clock, options);
  }, 1000);
  refresh.unref();
  return {
    address: server.address,
    transport: server.transport,
    counters: () => ({ ...server.stats, sendFailures: server.transportStats.sendFailures }),
    close() {
      clearInterval(refresh);
      return server.close();
    },
  };
}

/**
 * `chronosync: serving NTP on 127.0.0.1:11123 (stratum 10, refid 127.127.1.1, rate
 * limiting on, transport native-batch)`.
 */
export function startLine(
  options: ServeOptions,
  address: { address: string; port: number },
  transport: NtpServerTransport,
): string {
  const workers = options.workers > 1 ? `, ${options.workers} workers` : "";
  return (
    `chronosync: serving NTP on ${formatHostPort(address.address, address.port)} ` +
    `(stratum ${options.stratum}, refid ${formatReferenceId(options.stratum, options.referenceId)}, ` +
    `rate limiting ${options.rateLimit ? "on" : "off"}${workers}, transport ${transport})`
  );
}

/** `chronosync: stopped by SIGTERM: received 4, answered 4, rate-limited 0, ignored 0, send failures 0`. */
export function stopLine(signal: string, s: ServeCounters): string {
  return (
    `chronosync: stopped by ${signal}: received ${s.received}, answered ${s.answered}, ` +
    `rate-limited ${s.rateLimited}, ignored ${s.ignored}, send failures ${s.sendFailures}`
  );
}
