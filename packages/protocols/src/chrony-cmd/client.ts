/**
 * `queryChronyd`: reads a running chronyd's tracking or sources through its command
 * protocol, like `chronyc -h HOST -p PORT tracking|sources`. One connected UDP socket
 * (so ICMP port unreachable surfaces as a NetworkFailureError at once); each request
 * carries a random sequence number and replies that do not echo it are ignored.
 *
 * Transport: UDP only. chronyd answers monitoring commands (tracking, sources, …) over
 * UDP from 127.0.0.1 by default (`cmdport`, default 323; `bindcmdaddress`, `cmdallow`).
 * Its Unix socket (`/run/chrony/chronyd.sock`, needed for commands that change state) is
 * a *datagram* socket, which node:dgram cannot open: `{ socketPath }` targets need a
 * native helper (packages/protocols/native) and are rejected here for now.
 * @see https://chrony-project.org/doc/4.3/chronyc.html
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { isIP } from "node:net";
import { InvalidArgumentError, NetworkFailureError } from "@chronosync/core";
import { ChronyCmdDecodeError, ChronyCmdStatusError, ChronyCmdTimeoutError } from "../errors.js";
import { CHRONY_STATUS_SUCCESS } from "./header.js";
import { type ChronyReply, decodeChronyReply } from "./reply.js";
import { type ChronyRequestKind, createChronyRequest } from "./request.js";
import type { ChronySource } from "./sources.js";
import type { ChronyTracking } from "./tracking.js";

/** Where chronyd listens for commands: UDP (`cmdport`) or its Unix socket (not yet supported). */
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
  if ("socketPath" in target)
    throw new InvalidArgumentError(
      `chronyd's Unix socket ${target.socketPath} is a datagram socket node:dgram cannot open; use its UDP cmdport`,
    );
  const { timeoutMs = 1000 } = options;
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
    throw new InvalidArgumentError(`port ${target.port}`);
  if (!(timeoutMs > 0)) throw new InvalidArgumentError(`timeoutMs ${timeoutMs}`);
  const family = isIP(target.host) === 6 ? "udp6" : "udp4";
  const socket = createSocket(family);
  const where = `chronyd ${target.host}:${target.port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(target.port, target.host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    const ask = (kind: ChronyRequestKind) => exchange(socket, kind, timeoutMs, where);
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
    if (err instanceof Error && "code" in err && typeof err.code === "string" && err.code.startsWith("E"))
      throw new NetworkFailureError(`${where}: ${err.message}`, { cause: err });
    throw err;
  } finally {
    socket.close();
  }
}

function unexpected(reply: ChronyReply, wanted: string): ChronyCmdDecodeError {
  return new ChronyCmdDecodeError("unknown-reply", `asked for ${wanted}, got ${reply.kind}`);
}

/** Sends one request and resolves with the first well-formed reply that echoes it. */
function exchange(
  socket: Socket,
  kind: ChronyRequestKind,
  timeoutMs: number,
  where: string,
): Promise<ChronyReply> {
  const request = createChronyRequest(kind, { random });
  return new Promise((resolve, reject) => {
    let lastError: unknown;
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      socket.off("message", onMessage);
      socket.off("error", onError);
      fn();
    };
    const onError = (err: Error) => finish(() => reject(err));
    const onMessage = (msg: Buffer) => {
      let reply: ChronyReply;
      try {
        reply = decodeChronyReply(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
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
    socket.on("message", onMessage);
    socket.on("error", onError);
    socket.send(request.bytes, (err) => {
      if (err) finish(() => reject(err));
    });
  });
}
