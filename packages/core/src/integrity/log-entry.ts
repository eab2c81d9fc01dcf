/**
 * Log entries and their hash chain. Each entry carries its predecessor's hash, so the
 * hash of entry n commits to every entry before it. Byte format: docs/ledger-format.md.
 */
import { canonicalJson } from "./canonical-json.js";
import { isHash, sha256, toHex } from "./digest.js";

/** Domain separation prefix of an entry hash (then the entry's canonical JSON). */
export const ENTRY_HASH_PREFIX = "chronosync-log-v1\n";

/** One record of the append-only log. */
export interface LogEntry {
  /** Sequence number as a decimal string without leading zeros; the first entry is "0". */
  readonly seq: string;
  /** What happened, e.g. "timestamp.normalized", "audit.login". */
  readonly kind: string;
  /** When the log appended it, RFC 3339 UTC with up to 9 fractional digits. */
  readonly time: string;
  /** The record itself: any JSON value with a canonical form (no bigint, no undefined). */
  readonly payload: unknown;
  /** {@link hashEntry} of the entry `seq - 1`; 64 zeros for seq "0". */
  readonly prevHash: string;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** True for a sequence number as we write it: a decimal string without leading zeros. */
export function isSeq(value: unknown): value is string {
  return typeof value === "string" && value.length <= 20 && DECIMAL.test(value);
}

/**
 * Hex SHA-256 over `"chronosync-log-v1\n" || canonicalJson(entry)` (UTF-8), RFC 8785
 * canonical JSON: https://www.rfc-editor.org/rfc/rfc8785.
 *
 * Only the five {@link LogEntry} members are hashed; extra properties are ignored.
 * @throws {CanonicalJsonError} when the payload has no canonical JSON form.
 */
export function hashEntry(entry: LogEntry): string {
  const { seq, kind, time, payload, prevHash } = entry;
  const canonical = batchEntryJson(entry) ?? canonicalJson({ seq, kind, time, payload, prevHash });
  return toHex(sha256(ENTRY_HASH_PREFIX, canonical));
}

/** Printable ASCII only: JSON.stringify writes such a string exactly as RFC 8785 does. */
const PLAIN = /^[\x20-\x7e]*$/;

/**
 * The canonical JSON of a record batch entry — payload exactly `{records, recordsRoot}`,
 * plain ASCII strings — written directly (one per normalize request, on the hot path);
 * undefined for any other entry, which takes the general path. A test checks both agree.
 */
function batchEntryJson(entry: LogEntry): string | undefined {
  const { seq, kind, time, payload, prevHash } = entry;
  if (typeof payload !== "object" || payload === null || Object.getPrototypeOf(payload) !== Object.prototype)
    return undefined;
  const keys = Object.keys(payload);
  if (keys.length !== 2) return undefined;
  const { records, recordsRoot } = payload as { records?: unknown; recordsRoot?: unknown };
  if (!Number.isSafeInteger(records) || typeof recordsRoot !== "string") return undefined;
  for (const text of [seq, kind, time, prevHash, recordsRoot])
    if (typeof text !== "string" || !PLAIN.test(text)) return undefined;
  return (
    `{"kind":${JSON.stringify(kind)},"payload":{"records":${records},"recordsRoot":${JSON.stringify(recordsRoot)}},` +
    `"prevHash":${JSON.stringify(prevHash)},"seq":${JSON.stringify(seq)},"time":${JSON.stringify(time)}}`
  );
}

/** Why `value` is not a well-formed {@link LogEntry}, or undefined when it is. */
export function logEntryProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "entry is not an object";
  const e = value as Record<string, unknown>;
  if (!isSeq(e.seq)) return "seq is not a decimal string";
  if (typeof e.kind !== "string") return "kind is not a string";
  if (typeof e.time !== "string") return "time is not a string";
  if (!("payload" in e)) return "payload is missing";
  if (!isHash(e.prevHash)) return "prevHash is not 64 lowercase hex digits";
  return undefined;
}
