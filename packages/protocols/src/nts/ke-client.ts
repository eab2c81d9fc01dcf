/**
 * The NTS-KE client (RFC 8915 §4): TLS 1.3 with ALPN `ntske/1` to the KE server, one
 * request, one response, then the C2S and S2C keys from the TLS exporter (RFC 8915 §5.1:
 * label `EXPORTER-network-time-security`, context = protocol id 0x0000 ‖ AEAD id ‖
 * 0x00 for C2S or 0x01 for S2C).
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
import { isIP } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import { NtsKeDecodeError, NtsKeError } from "../errors.js";
import {
  NTS_AEAD_KEY_LENGTH,
  NTS_KE_ALPN,
  NTS_KE_DEFAULT_PORT,
  NTS_KE_EXPORTER_LABEL,
  NTS_PROTOCOL_NTPV4,
} from "./constants.js";
import { createNtsKeRequest, type NtsKeOutcome, readNtsKeResponse } from "./ke-exchange.js";
import { decodeNtsKeMessage, encodeNtsKeRecords, ntsKeMessageLength } from "./ke-record.js";

/** Options of {@link performNtsKe}. */
export interface NtsKeClientOptions {
  /** NTS-KE TCP port (default 4460). */
  port?: number;
  /** Trusted CA or self-signed server certificates, PEM (chrony's `ntstrustedcerts`); default: Node's CA store. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Name checked against the certificate (default: `host` when it is a name; IPs are checked as IPs). */
  servername?: string;
  /** Reject certificates that do not verify (default true; false only for tests). */
  rejectUnauthorized?: boolean;
  /** Whole-exchange limit, ms (default 5000). */
  timeoutMs?: number;
}

/** A successful NTS-KE: negotiated values, cookies, keys and where to send NTP. */
export interface NtsKeResult extends NtsKeOutcome {
  c2s: Uint8Array;
  s2c: Uint8Array;
  /** The NTP server to query: the Server Negotiation record, else the KE host. */
  ntpHost: string;
  /** The NTP port: the Port Negotiation record, else 123. */
  ntpPort: number;
  /** The raw response message, End of Message included. */
  responseBytes: Uint8Array;
}

/** The TLS exporter context of RFC 8915 §5.1. */
export function ntsExporterContext(aeadAlgorithm: number, direction: 0 | 1): Buffer {
  return Buffer.from([
    NTS_PROTOCOL_NTPV4 >>> 8,
    NTS_PROTOCOL_NTPV4 & 0xff,
    aeadAlgorithm >>> 8,
    aeadAlgorithm & 0xff,
    direction,
  ]);
}

/** Exports the C2S (direction 0) and S2C (1) keys of a finished NTS-KE TLS session. */
export function exportNtsKeys(
  socket: TLSSocket,
  aeadAlgorithm: number,
): { c2s: Uint8Array; s2c: Uint8Array } {
  const key = (d: 0 | 1) =>
    new Uint8Array(
      socket.exportKeyingMaterial(
        NTS_AEAD_KEY_LENGTH,
        NTS_KE_EXPORTER_LABEL,
        ntsExporterContext(aeadAlgorithm, d),
      ),
    );
  return { c2s: key(0), s2c: key(1) };
}

/**
 * Runs NTS-KE against `host`. Rejects with {@link NtsKeError}: `tls` (connection,
 * certificate, TLS version or ALPN), `timeout`, `bad-response` (malformed or cut short),
 * `server-error`, `unsupported`, `no-cookies`.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
export function performNtsKe(host: string, options: NtsKeClientOptions = {}): Promise<NtsKeResult> {
  const port = options.port ?? NTS_KE_DEFAULT_PORT;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ALPNProtocols: [NTS_KE_ALPN],
      minVersion: "TLSv1.3",
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.servername !== undefined
        ? { servername: options.servername }
        : isIP(host) === 0
          ? { servername: host }
          : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    });
    let settled = false;
    const fail = (err: NtsKeError) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new NtsKeError("timeout", `no NTS-KE answer from ${host}:${port} within ${timeoutMs} ms`)),
    );
    socket.on("error", (err) =>
      fail(new NtsKeError("tls", `${host}:${port}: ${err.message}`, { cause: err })),
    );
    socket.once("secureConnect", () => {
      if (socket.alpnProtocol !== NTS_KE_ALPN) {
        fail(new NtsKeError("tls", `${host}:${port} did not agree to ALPN ${NTS_KE_ALPN}`));
        return;
      }
      socket.write(encodeNtsKeRecords(createNtsKeRequest()));
    });
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const length = ntsKeMessageLength(buffered);
      if (length === null) {
        if (buffered.length > 65536) fail(new NtsKeError("bad-response", "NTS-KE response over 64 KiB"));
        return;
      }
      try {
        const responseBytes = new Uint8Array(buffered.subarray(0, length));
        const outcome = readNtsKeResponse(decodeNtsKeMessage(responseBytes));
        const keys = exportNtsKeys(socket, outcome.aeadAlgorithm);
        settled = true;
        socket.end();
        resolve({
          ...outcome,
          ...keys,
          ntpHost: outcome.ntpServer ?? host,
          ntpPort: outcome.ntpPort ?? 123,
          responseBytes,
        });
      } catch (err) {
        if (err instanceof NtsKeError) fail(err);
        else if (err instanceof NtsKeDecodeError)
          fail(new NtsKeError("bad-response", err.message, { cause: err }));
        else fail(new NtsKeError("tls", String(err), { cause: err }));
      }
    });
    socket.on("end", () =>
      fail(new NtsKeError("bad-response", `${host}:${port} closed before End of Message`)),
    );
  });
}
