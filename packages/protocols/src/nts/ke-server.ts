/**
 * The NTS-KE server (RFC 8915 §4): TLS 1.3 only, ALPN `ntske/1`; reads one request,
 * answers with {@link answerNtsKeRequest} (cookies sealed by {@link NtsCookieKeys} around
 * the keys exported from this very TLS session) and closes. A malformed request gets
 * Error 1 (bad request). Each connection has `timeoutMs` of idle time.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
import type { AddressInfo } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import { NetworkFailureError } from "@chronosync/core";
import { NTS_COOKIE_COUNT, NTS_KE_ALPN, NtsKeErrorCode } from "./constants.js";
import type { NtsCookieKeys } from "./cookie.js";
import { exportNtsKeys } from "./ke-client.js";
import { answerNtsKeRequest, type NtsKeServerSettings } from "./ke-exchange.js";
import { decodeNtsKeMessage, encodeNtsKeRecords, ntsKeMessageLength } from "./ke-record.js";

/** Options of {@link startNtsKeServer}. */
export interface NtsKeServerOptions extends NtsKeServerSettings {
  host: string;
  /** TCP port (4460 is the standard one; 0 picks a free one). */
  port: number;
  /** Server certificate chain and private key, PEM. */
  cert: string | Buffer;
  key: string | Buffer;
  /** The master keys that seal cookies (share them with the NtsResponder). */
  keys: NtsCookieKeys;
  /** Cookies per response (default 8). */
  cookies?: number;
  /** Idle limit per connection, ms (default 10 000). */
  timeoutMs?: number;
}

/** Counters of a KE server. */
export interface NtsKeServerStats {
  /** Connections whose TLS handshake finished. */
  handshakes: number;
  /** Responses that agreed on NTPv4 and AES-SIV and carried cookies. */
  agreed: number;
  /** Responses with an Error record or an empty negotiation. */
  refused: number;
  /** TLS or socket failures (bad version, ALPN, resets, timeouts). */
  failures: number;
}

/** A running KE server. */
export interface NtsKeServerHandle {
  address: { address: string; port: number };
  readonly stats: NtsKeServerStats;
  close(): Promise<void>;
}

/**
 * Listens for NTS-KE on `host:port`. Rejects with core's NetworkFailureError when it
 * cannot listen.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
export async function startNtsKeServer(options: NtsKeServerOptions): Promise<NtsKeServerHandle> {
  const stats: NtsKeServerStats = { handshakes: 0, agreed: 0, refused: 0, failures: 0 };
  const cookieCount = options.cookies ?? NTS_COOKIE_COUNT;
  const settings: NtsKeServerSettings = {
    ...(options.ntpServer === undefined ? {} : { ntpServer: options.ntpServer }),
    ...(options.ntpPort === undefined ? {} : { ntpPort: options.ntpPort }),
  };
  const server = createServer(
    { cert: options.cert, key: options.key, ALPNProtocols: [NTS_KE_ALPN], minVersion: "TLSv1.3" },
    (socket: TLSSocket) => {
      stats.handshakes++;
      socket.setTimeout(options.timeoutMs ?? 10_000, () => {
        stats.failures++;
        socket.destroy();
      });
      socket.on("error", () => {
        stats.failures++;
      });
      if (socket.alpnProtocol !== NTS_KE_ALPN) {
        stats.failures++;
        socket.destroy();
        return;
      }
      let buffered = Buffer.alloc(0);
      let answered = false;
      socket.on("data", (chunk: Buffer) => {
        if (answered) return;
        buffered = Buffer.concat([buffered, chunk]);
        const length = ntsKeMessageLength(buffered);
        if (length === null && buffered.length <= 65536) return;
        answered = true;
        let records: ReturnType<typeof answerNtsKeRequest>["records"];
        try {
          if (length === null) throw new Error("request over 64 KiB");
          const request = decodeNtsKeMessage(new Uint8Array(buffered.subarray(0, length)));
          const answer = answerNtsKeRequest(request, settings, (aeadAlgorithm) => {
            const session = { aeadAlgorithm, ...exportNtsKeys(socket, aeadAlgorithm) };
            return Array.from({ length: cookieCount }, () => options.keys.seal(session));
          });
          records = answer.records;
          if (answer.agreed) stats.agreed++;
          else stats.refused++;
        } catch {
          stats.refused++;
          records = [
            { type: "error", critical: true, errorCode: NtsKeErrorCode.badRequest },
            { type: "end-of-message", critical: true },
          ];
        }
        socket.end(encodeNtsKeRecords(records));
      });
    },
  );
  server.on("tlsClientError", () => {
    stats.failures++;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new NetworkFailureError(`cannot listen on ${options.host}:${options.port}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    address: { address: bound.address, port: bound.port },
    stats,
    close() {
      closed ??= new Promise((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
