/**
 * `queryChronyd`: reads a running chronyd's tracking or sources through its command
 * protocol, like `chronyc -h HOST|SOCKET -p PORT tracking|sources`. One connected datagram
 * socket (so a missing endpoint surfaces as a NetworkFailureError at once); each request
 * carries a random sequence number and replies that do not echo it are ignored.
 *
 * Transports (transport.ts): `{ host, port }` is UDP to chronyd's `cmdport` (default 323,
 * monitoring commands from 127.0.0.1 by default: `bindcmdaddress`, `cmdallow`);
 * `{ socketPath }` is chronyd's Unix datagram socket (`/run/chrony/chronyd.sock`, or a
 * private `bindcmdaddress /path/chronyd.sock`) through the native addon
 * (unix-transport.ts; ChronyCmdNativeUnavailableError without it).
 * @see https://chrony-project.org/doc/4.3/chronyc.html
 */
import { randomBytes } from "node:crypto";
import { InvalidArgumentError, NetworkFailureError } from "@chronosync/core";
import { ChronyCmdDecodeError, ChronyCmdStatusError, ChronyCmdTimeoutError } from "../errors.js";
import { CHRONY_STATUS_SUCCESS } from "./header.js";
import { type ChronyReply, decodeChronyReply } from "./reply.js";
import { type ChronyRequestKind, createChronyRequest } from "./request.js";
import type { ChronySource } from "./sources.js";
import type { ChronyTracking } from "./tracking.js";
import { type ChronyCmdTransport, openUdpTransport } from "./transport.js";
import { openUnixTransport } from "./unix-transport.js";

/** chronyd's default Unix command socket (Debian, Fedora: `/run/chrony/chronyd.sock`). */
export const CHRONYD_DEFAULT_SOCKET = "/run/chrony/chronyd.sock";

/** Where chronyd listens for commands: UDP (`cmdport`) or its Unix datagram socket. */
export type ChronydTarget = { host: string; port: number } | { socketPath: string };

/** Options of {@link queryChronyd}. */
export interface ChronydQueryOptions {
  /** How long to wait for each reply, ms (default 1000). */
  timeoutMs?: number;
}

/** At most this many sources are read (chronyd itself has no hard limit). */
const MAX_SOURCES = 1024;

const random = (n: number) => new Uint8Array(randomBytes(n));

/** Asks chronyd for its tracking state (`chronyc tracking`). */
export function queryChronyd(
  target: ChronydTarget,
  what: "tracking",
  options?: ChronydQueryOptions,
): Promise<ChronyTracking>;
/** Asks chronyd for its sources (`chronyc sources`), in chronyd's order. */
export function queryChronyd(
  target: ChronydTarget,
  what: "sources",
  options?: ChronydQueryOptions,
): Promise<ChronySource[]>;
export async function queryChronyd(
  target: ChronydTarget,
  what: "tracking" | "sources",
  options: ChronydQueryOptions = {},
): Promise<ChronyTracking | ChronySource[]> {
  const { timeoutMs = 1000 } = options;
  if (!(timeoutMs > 0)) throw new InvalidArgumentError(`timeoutMs ${timeoutMs}`);
  let transport: ChronyCmdTransport;
  let where: string;
  if ("socketPath" in target) {
    if (target.socketPath === "") throw new InvalidArgumentError("socketPath is empty");
    where = `chronyd ${target.socketPath}`;
  } else {
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
      throw new InvalidArgumentError(`port ${target.port}`);
    where = `chronyd ${target.host}:${target.port}`;
  }
  try {
    transport =
      "socketPath" in target
        ? await openUnixTransport(target.socketPath)
        : await openUdpTransport(target.host, target.port);
  } catch (err) {
    throw asNetworkFailure(err, where);
  }
  try {
    const ask = (kind: ChronyRequestKind) => exchange(transport, kind, timeoutMs);
    if (what === "tracking") {
      const reply = await ask({ kind: "tracking" });
      if (reply.kind !== "tracking") throw unexpected(reply, "tracking");
      return reply.tracking;
    }
    const count = await ask({ kind: "n-sources" });
    if (count.kind !== "n-sources") throw unexpected(count, "n_sources");
    const sources: ChronySource[] = [];
    for (let index = 0; index < Math.min(count.nSources, MAX_SOURCES); index++) {
      const reply = await ask({ kind: "source-data", index });
      if (reply.kind !== "source-data") throw unexpected(reply, "source_data");
      sources.push(reply.source);
    }
    return sources;
  } catch (err) {
    throw asNetworkFailure(err, transport.where);
  } finally {
    await transport.close();
  }
}

/** A system error (`code` E…) becomes core's NetworkFailureError; anything else is rethrown as is. */
function asNetworkFailure(err: unknown, where: string): unknown {
  if (err instanceof Error && "code" in err && typeof err.code === "string" && /^E[A-Z]/.test(err.code))
    return new NetworkFailureError(`${where}: ${err.message}`, { cause: err });
  return err;
}

function unexpected(reply: ChronyReply, wanted: string): ChronyCmdDecodeError {
  return new ChronyCmdDecodeError("unknown-reply", `asked for ${wanted}, got ${reply.kind}`);
}

/** Sends one request and resolves with the first well-formed reply that echoes it. */
function exchange(
  transport: ChronyCmdTransport,
  kind: ChronyRequestKind,
  timeoutMs: number,
): Promise<ChronyReply> {
  const request = createChronyRequest(kind, { random });
  const where = transport.where;
  return new Promise((resolve, reject) => {
    let lastError: unknown;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      transport.listen(
        () => {},
        () => {},
      );
      fn();
    };
    const onMessage = (bytes: Uint8Array) => {
      let reply: ChronyReply;
      try {
        reply = decodeChronyReply(bytes);
      } catch (err) {
        lastError = err;
        return;
      }
      if (reply.header.sequence !== request.sequence || reply.header.command !== request.command) return;
      if (reply.header.status !== CHRONY_STATUS_SUCCESS) {
        const status = reply.header.status;
        finish(() => reject(new ChronyCmdStatusError(status, `${where} answered status ${status}`)));
        return;
      }
      finish(() => resolve(reply));
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new ChronyCmdTimeoutError(`${where}: no reply within ${timeoutMs} ms`, { cause: lastError }),
          ),
        ),
      timeoutMs,
    );
    transport.listen(onMessage, (err) => finish(() => reject(err)));
    try {
      transport.send(request.bytes);
    } catch (err) {
      finish(() => reject(err));
    }
  });
}
