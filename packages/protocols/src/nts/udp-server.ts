/**
 * `startNtsServer`: NTS-KE over TLS plus authenticated and plain NTP on one UDP port
 * (node:dgram), sharing one set of cookie master keys. The KE server's Port Negotiation
 * record carries the UDP port actually bound, so port 0 works for both.
 * @see https://www.rfc-editor.org/rfc/rfc8915
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { NetworkFailureError } from "@chronosync/core";
import type { NtpResponder } from "../ntp/responder.js";
import {
  clockNowAtCall,
  createUdpSocket,
  formatEndpoint,
  resolveHost,
  responderFailureReporter,
  socketCall,
} from "../ntp/udp-socket.js";
import { NtsCookieKeys } from "./cookie.js";
import { type NtsKeServerHandle, startNtsKeServer } from "./ke-server.js";
import { NtsResponder } from "./responder.js";

/** Options of {@link startNtsServer}. */
export interface NtsServerOptions {
  host: string;
  /** UDP port for NTP and NTS-authenticated NTP (0 picks one). */
  ntpPort: number;
  /** TCP port for NTS-KE (4460 is standard; 0 picks one). */
  kePort: number;
  /** Certificate chain and private key for NTS-KE, PEM. */
  cert: string | Buffer;
  key: string | Buffer;
  /** Answers the NTP side (its clock, reference state and rate limits). */
  ntp: NtpResponder;
  /** Cookie master keys (default: fresh random ones; rotate them with `keys.rotate()`). */
  keys?: NtsCookieKeys;
  /** Sent as NTPv4 Server Negotiation when the NTP host differs from the KE host. */
  ntpServer?: string;
  /**
   * Makes a new cookie master key this often, ms (default 86 400 000, one day; 0: never).
   * `keys` keeps the last few (3 by default), so cookies stay valid for two periods.
   */
  rotateKeysEveryMs?: number;
}

/** A running NTS server. */
export interface NtsServerHandle {
  /** The UDP (NTP) endpoint. */
  ntpAddress: { address: string; port: number };
  /** The TCP (NTS-KE) endpoint. */
  keAddress: { address: string; port: number };
  readonly keys: NtsCookieKeys;
  readonly responder: NtsResponder;
  readonly ke: NtsKeServerHandle;
  close(): Promise<void>;
}

/**
 * Starts the UDP side, then the KE side. Rejects with core's NetworkFailureError or
 * NameNotResolvedError.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5
 */
export async function startNtsServer(options: NtsServerOptions): Promise<NtsServerHandle> {
  const keys = options.keys ?? new NtsCookieKeys({ random: randomBytes });
  const responder = new NtsResponder({ ntp: options.ntp, keys, random: randomBytes });
  const { address, family } = await resolveHost(options.host);
  const socket = createUdpSocket(family);
  const clock = options.ntp.clock;
  clock.now();
  const failed = responderFailureReporter(() => `${formatEndpoint(address, options.ntpPort)} (nts)`);
  socket.on("message", (message, rinfo) => {
    try {
      const receiveTime = clockNowAtCall(clock);
      if (rinfo.port === 0) return;
      const reply = responder.respond(message, receiveTime, rinfo.address);
      if (reply !== null) socket.send(reply, rinfo.port, rinfo.address);
    } catch (err) {
      failed(err);
    }
  });
  try {
    await socketCall(socket, (done) => socket.bind(options.ntpPort, address, done));
  } catch (err) {
    socket.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new NetworkFailureError(`cannot bind ${formatEndpoint(address, options.ntpPort)}: ${message}`, {
      cause: err,
    });
  }
  socket.on("error", () => {});
  const bound = socket.address() as AddressInfo;
  let ke: NtsKeServerHandle;
  try {
    ke = await startNtsKeServer({
      host: address,
      port: options.kePort,
      cert: options.cert,
      key: options.key,
      keys,
      ntpPort: bound.port,
      ...(options.ntpServer === undefined ? {} : { ntpServer: options.ntpServer }),
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  const rotateMs = options.rotateKeysEveryMs ?? 86_400_000;
  const rotation = rotateMs > 0 ? setInterval(() => keys.rotate(), rotateMs) : null;
  rotation?.unref();
  let closed: Promise<void> | null = null;
  return {
    ntpAddress: { address: bound.address, port: bound.port },
    keAddress: ke.address,
    keys,
    responder,
    ke,
    close() {
      if (rotation !== null) clearInterval(rotation);
      closed ??= Promise.all([
        new Promise<void>((resolve) => socket.close(() => resolve())),
        ke.close(),
      ]).then(() => undefined);
      return closed;
    },
  };
}
