/**
 * The NTS-KE conversation as pure functions of records (RFC 8915 §4.1): the client's
 * request, the client's reading of a response, and the server's answer to a request.
 * The TLS layers (ke-client.ts, ke-server.ts) move the bytes and export the keys.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
import { NtsKeError } from "../errors.js";
import { NTS_AEAD_AES_SIV_CMAC_256, NTS_PROTOCOL_NTPV4, NtsKeErrorCode } from "./constants.js";
import type { NtsKeRecord } from "./ke-record.js";

/** What a successful NTS-KE gives a client, keys aside. */
export interface NtsKeOutcome {
  aeadAlgorithm: number;
  cookies: Uint8Array[];
  /** NTPv4 Server Negotiation: the NTP server to use, null for the KE server's host. */
  ntpServer: string | null;
  /** NTPv4 Port Negotiation: the NTP port to use, null for 123. */
  ntpPort: number | null;
  /** Warning codes the server sent. */
  warnings: number[];
}

/**
 * The client's request: NTPv4 (protocol 0), AES-SIV-CMAC-256 (AEAD 15), End of Message.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1
 */
export function createNtsKeRequest(): NtsKeRecord[] {
  return [
    { type: "next-protocol", critical: true, protocols: [NTS_PROTOCOL_NTPV4] },
    { type: "aead-algorithm", critical: true, algorithms: [NTS_AEAD_AES_SIV_CMAC_256] },
    { type: "end-of-message", critical: true },
  ];
}

/**
 * Reads a server's response. Throws {@link NtsKeError}: `server-error` for an Error
 * record, `bad-response` for an unknown critical record or a missing or repeated
 * negotiation record, `unsupported` when NTPv4 or AES-SIV-CMAC-256 was not agreed,
 * `no-cookies` when no New Cookie came.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1
 */
export function readNtsKeResponse(records: readonly NtsKeRecord[]): NtsKeOutcome {
  let protocols: number[] | null = null;
  let algorithms: number[] | null = null;
  const outcome: NtsKeOutcome = {
    aeadAlgorithm: 0,
    cookies: [],
    ntpServer: null,
    ntpPort: null,
    warnings: [],
  };
  for (const r of records) {
    switch (r.type) {
      case "error":
        throw new NtsKeError("server-error", `server sent NTS-KE error ${r.errorCode}`, {
          keErrorCode: r.errorCode,
        });
      case "warning":
        outcome.warnings.push(r.warningCode);
        break;
      case "next-protocol":
        if (protocols !== null) throw new NtsKeError("bad-response", "two Next Protocol records");
        protocols = r.protocols;
        break;
      case "aead-algorithm":
        if (algorithms !== null) throw new NtsKeError("bad-response", "two AEAD Algorithm records");
        algorithms = r.algorithms;
        break;
      case "new-cookie":
        outcome.cookies.push(r.cookie);
        break;
      case "ntp-server":
        outcome.ntpServer = r.server;
        break;
      case "ntp-port":
        outcome.ntpPort = r.port;
        break;
      case "unknown":
        if (r.critical) throw new NtsKeError("bad-response", `unknown critical record type ${r.recordType}`);
        break;
      case "end-of-message":
        break;
    }
  }
  if (protocols === null) throw new NtsKeError("bad-response", "no Next Protocol record");
  if (protocols.length !== 1 || protocols[0] !== NTS_PROTOCOL_NTPV4) {
    throw new NtsKeError("unsupported", `server did not agree to NTPv4 (got [${protocols.join(", ")}])`);
  }
  if (algorithms === null || algorithms.length !== 1 || algorithms[0] !== NTS_AEAD_AES_SIV_CMAC_256) {
    throw new NtsKeError("unsupported", `server did not agree to AEAD ${NTS_AEAD_AES_SIV_CMAC_256}`);
  }
  outcome.aeadAlgorithm = NTS_AEAD_AES_SIV_CMAC_256;
  if (outcome.cookies.length === 0) throw new NtsKeError("no-cookies", "server sent no New Cookie record");
  return outcome;
}

/** What the server says besides cookies. */
export interface NtsKeServerSettings {
  /** Sent as NTPv4 Server Negotiation when set. */
  ntpServer?: string;
  /** Sent as NTPv4 Port Negotiation when set. */
  ntpPort?: number;
}

const errorResponse = (errorCode: number): NtsKeRecord[] => [
  { type: "error", critical: true, errorCode },
  { type: "end-of-message", critical: true },
];

/**
 * The server's answer to a client's request (RFC 8915 §4.1): Error 0 for an unknown
 * critical record, Error 1 for a request without exactly one Next Protocol and one AEAD
 * record; an empty Next Protocol when NTPv4 is not offered, an empty AEAD list when
 * AES-SIV-CMAC-256 is not; else NTPv4, AEAD 15, the server settings and
 * `issueCookies()` as New Cookie records. `issueCookies` runs only then.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1
 */
export function answerNtsKeRequest(
  request: readonly NtsKeRecord[],
  settings: NtsKeServerSettings,
  issueCookies: (aeadAlgorithm: number) => Uint8Array[],
): { records: NtsKeRecord[]; agreed: boolean } {
  if (request.some((r) => r.type === "unknown" && r.critical)) {
    return { records: errorResponse(NtsKeErrorCode.unrecognizedCriticalRecord), agreed: false };
  }
  const protocols = request.filter((r) => r.type === "next-protocol");
  const aeads = request.filter((r) => r.type === "aead-algorithm");
  if (protocols.length !== 1 || aeads.length !== 1 || request.some((r) => r.type === "error")) {
    return { records: errorResponse(NtsKeErrorCode.badRequest), agreed: false };
  }
  const end: NtsKeRecord = { type: "end-of-message", critical: true };
  if (!protocols[0]?.protocols.includes(NTS_PROTOCOL_NTPV4)) {
    return { records: [{ type: "next-protocol", critical: true, protocols: [] }, end], agreed: false };
  }
  const ntp: NtsKeRecord = { type: "next-protocol", critical: true, protocols: [NTS_PROTOCOL_NTPV4] };
  if (!aeads[0]?.algorithms.includes(NTS_AEAD_AES_SIV_CMAC_256)) {
    return { records: [ntp, { type: "aead-algorithm", critical: true, algorithms: [] }, end], agreed: false };
  }
  const records: NtsKeRecord[] = [
    ntp,
    { type: "aead-algorithm", critical: true, algorithms: [NTS_AEAD_AES_SIV_CMAC_256] },
  ];
  if (settings.ntpServer !== undefined) {
    records.push({ type: "ntp-server", critical: false, server: settings.ntpServer });
  }
  if (settings.ntpPort !== undefined)
    records.push({ type: "ntp-port", critical: false, port: settings.ntpPort });
  for (const cookie of issueCookies(NTS_AEAD_AES_SIV_CMAC_256)) {
    records.push({ type: "new-cookie", critical: false, cookie });
  }
  records.push(end);
  return { records, agreed: true };
}
