/**
 * NTS-KE record framing (RFC 8915 §4, Figure 3) and the messages records form:
 *
 * ```
 * |C|         Record Type         |          Body Length          |
 * |                     Record Body (Body Length bytes)           |
 * ```
 * A message is a run of records closed by End of Message. Each known type's body has its
 * own codec in `ke-records/`; other types come back as `unknown` (the caller answers a
 * critical one with Error 0, RFC 8915 §4.1.3). Any byte string decodes to records or
 * throws {@link NtsKeDecodeError}; decode→encode gives back the same bytes.
 *
 * Pure functions of bytes.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
import { InvalidArgumentError } from "@chronosync/core";
import { NtsKeDecodeError } from "../errors.js";
import { aeadAlgorithmCodec, type NtsKeAeadAlgorithm } from "./ke-records/aead-algorithm.js";
import { type NtsKeBodyCodec, readU16 } from "./ke-records/body.js";
import { endOfMessageCodec, type NtsKeEndOfMessage } from "./ke-records/end-of-message.js";
import { errorCodec, type NtsKeErrorRecord } from "./ke-records/error.js";
import { type NtsKeNewCookie, newCookieCodec } from "./ke-records/new-cookie.js";
import { type NtsKeNextProtocol, nextProtocolCodec } from "./ke-records/next-protocol.js";
import { type NtsKeNtpPort, ntpPortCodec } from "./ke-records/ntp-port.js";
import { type NtsKeNtpServer, ntpServerCodec } from "./ke-records/ntp-server.js";
import { type NtsKeWarning, warningCodec } from "./ke-records/warning.js";

/** A record of a type this codec does not know, body kept as is. */
export interface NtsKeUnknownRecord {
  type: "unknown";
  critical: boolean;
  recordType: number;
  body: Uint8Array;
}

/** One NTS-KE record; `critical` is the C bit as sent. */
export type NtsKeRecord =
  | NtsKeEndOfMessage
  | NtsKeNextProtocol
  | NtsKeErrorRecord
  | NtsKeWarning
  | NtsKeAeadAlgorithm
  | NtsKeNewCookie
  | NtsKeNtpServer
  | NtsKeNtpPort
  | NtsKeUnknownRecord;

type KnownRecord = Exclude<NtsKeRecord, NtsKeUnknownRecord>;

const codecs: readonly NtsKeBodyCodec<KnownRecord>[] = [
  endOfMessageCodec,
  nextProtocolCodec,
  errorCodec,
  warningCodec,
  aeadAlgorithmCodec,
  newCookieCodec,
  ntpServerCodec,
  ntpPortCodec,
] as unknown as readonly NtsKeBodyCodec<KnownRecord>[];
const byType = new Map(codecs.map((c) => [c.recordType, c]));
const byName = new Map<string, NtsKeBodyCodec<KnownRecord>>(codecs.map((c) => [c.name, c]));

function typedRecord(recordType: number, critical: boolean, body: Uint8Array): NtsKeRecord {
  const codec = byType.get(recordType);
  if (codec === undefined) return { type: "unknown", critical, recordType, body };
  if (codec.mustBeCritical && !critical) {
    throw new NtsKeDecodeError("not-critical", `record type ${recordType} must have the critical bit`);
  }
  return codec.decode(body, critical);
}

/**
 * Length of the first complete message in `bytes` (through its End of Message record),
 * or null while more bytes are needed. For framing a TLS stream; it does not validate
 * bodies (decode the returned prefix with {@link decodeNtsKeMessage}).
 */
export function ntsKeMessageLength(bytes: Uint8Array): number | null {
  let pos = 0;
  while (pos + 4 <= bytes.length) {
    const next = pos + 4 + readU16(bytes, pos + 2);
    if (next > bytes.length) return null;
    if ((readU16(bytes, pos) & 0x7fff) === endOfMessageCodec.recordType) return next;
    pos = next;
  }
  return null;
}

/**
 * Decodes one NTS-KE message: records up to and including End of Message, which must
 * end `bytes`. Throws {@link NtsKeDecodeError} (code `NTS_KE_DECODE_ERROR`).
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
export function decodeNtsKeMessage(bytes: Uint8Array): NtsKeRecord[] {
  const records: NtsKeRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 4 > bytes.length) throw new NtsKeDecodeError("truncated", `record header cut at byte ${pos}`);
    const head = readU16(bytes, pos);
    const end = pos + 4 + readU16(bytes, pos + 2);
    if (end > bytes.length)
      throw new NtsKeDecodeError("truncated", `record body at byte ${pos} runs past the end`);
    const record = typedRecord(head & 0x7fff, (head & 0x8000) !== 0, bytes.slice(pos + 4, end));
    records.push(record);
    pos = end;
    if (record.type === "end-of-message") {
      if (pos !== bytes.length) {
        throw new NtsKeDecodeError("trailing-bytes", `${bytes.length - pos} bytes after End of Message`);
      }
      return records;
    }
  }
  throw new NtsKeDecodeError("truncated", "no End of Message record");
}

function bodyOf(record: NtsKeRecord): { recordType: number; body: Uint8Array } {
  if (record.type === "unknown") {
    if (!Number.isInteger(record.recordType) || record.recordType < 0 || record.recordType > 0x7fff) {
      throw new InvalidArgumentError(`NTS-KE record type must be in [0, 32767], got ${record.recordType}`);
    }
    return { recordType: record.recordType, body: record.body };
  }
  const codec = byName.get(record.type);
  if (codec === undefined) throw new InvalidArgumentError(`unknown NTS-KE record ${String(record.type)}`);
  return { recordType: codec.recordType, body: codec.encode(record) };
}

/**
 * Encodes records in order (end the list with End of Message to make a message).
 * Throws core's InvalidArgumentError for values that do not fit the wire.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4
 */
export function encodeNtsKeRecords(records: readonly NtsKeRecord[]): Uint8Array {
  const parts = records.map((r) => ({ ...bodyOf(r), critical: r.critical }));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.body.length, 0));
  let pos = 0;
  for (const { recordType, body, critical } of parts) {
    if (body.length > 0xffff) throw new InvalidArgumentError(`NTS-KE record body too long: ${body.length}`);
    const head = recordType | (critical ? 0x8000 : 0);
    out[pos] = head >>> 8;
    out[pos + 1] = head & 0xff;
    out[pos + 2] = body.length >>> 8;
    out[pos + 3] = body.length & 0xff;
    out.set(body, pos + 4);
    pos += 4 + body.length;
  }
  return out;
}
