/**
 * One normalize request → the records to append (issue 4 §3): parse every value, pick the
 * offset model per timestamp — (a) the node's agent history, (b) the request's own
 * `requestTimestamp` against the server's receive time with latency compensation, (c)
 * none — run core's engine and check the policy. Malformed values are a 400 naming every
 * bad field; a strict policy's failures are a 422 naming every rejected item.
 */
import {
  formatRfc3339,
  hashPrefixedRecordJson,
  type Instant,
  type NormalizedTimestamp,
  type NormalizeFlag,
  type NormalizeMethod,
  normalizeTimestamp,
  type OffsetModel,
  type OffsetReport,
  parseTimestampValue,
  policyFlags,
  RECORD_HASH_PREFIX,
  RFC3339_MAX_INSTANT,
  RFC3339_MIN_INSTANT,
} from "@chronosync/core";
import { type FieldError, ServerError } from "../errors.js";
import type { BatchRecord } from "../ledger/ledger.js";
import type { NormalizeBody } from "../schemas/timestamps.js";
import type { OffsetHistoryProvider } from "./offset-history-provider.js";
import type { NormalizeSettings } from "./settings.js";

/**
 * What one timestamp becomes in the log: the seed's TimestampRecord minus its hash, plus
 * ours ({@link LoggedRecord}), as canonical JSON, with its record hash.
 */
export interface NormalizedRecord extends BatchRecord {
  readonly method: NormalizeMethod;
  readonly flagged: boolean;
}

const FLAGS_JSON = (flags: readonly NormalizeFlag[]): string =>
  flags.length === 0 ? "[]" : flags.length === 1 ? `["${flags[0]}"]` : JSON.stringify(flags);

/**
 * The builder of one request's records. A record's keys are written in RFC 8785 order
 * (UTF-16 code units) and every value is a finite number, an ASCII string we made or a
 * well-formed string checked by {@link textProblem}, so this text IS the record's canonical
 * JSON (a test checks it against canonicalJson) — built once, hashed, stored and answered.
 */
function recordBuilder(
  sourceId: string,
  clientId: string | undefined,
  receivedAt: string,
): (
  t: NormalizeBody["timestamps"][number],
  originalNs: Instant,
  precision: number,
  result: NormalizedTimestamp,
  flags: readonly NormalizeFlag[],
) => NormalizedRecord {
  const head = clientId === undefined ? "{" : `{"clientId":${JSON.stringify(clientId)},`;
  const tail = `"receivedAt":"${receivedAt}",`;
  const sourceIdJson = `"sourceId":${JSON.stringify(sourceId)},`;
  let lastSource: string | undefined;
  let lastSourceJson = "";
  const precisionText = lastNum();
  const latencyText = lastNum();
  return (t, originalNs, precision, result, flags) => {
    if (t.source !== lastSource) {
      lastSource = t.source;
      lastSourceJson = t.source === undefined ? "" : `"source":${JSON.stringify(t.source)},`;
    }
    const originalMs = typeof t.value === "number" ? t.value : nsToMs(originalNs);
    const latencyMs = result.latencyNs === undefined ? 0 : Number(result.latencyNs) / 1e6;
    // Built with the hash prefix in front: hashing flattens this text once, and the record's
    // JSON is a slice of it (a view). Every later use — the log's batch text, the answer —
    // then copies flat text instead of re-walking a rope of some thirty pieces.
    const prefixed =
      `${RECORD_HASH_PREFIX}${head}"flags":${FLAGS_JSON(flags)},"method":"${result.method}","networkLatency":${latencyText(latencyMs)},` +
      `"normalized":"${formatRfc3339(result.normalizedNs, 9)}","normalizedTimestamp":${num(nsToMs(result.normalizedNs))},` +
      `"offsetNs":"${result.offsetNs}","original":"${formatRfc3339(originalNs, 9)}",` +
      `"originalTimestamp":${num(originalMs)},"precision":${precisionText(precision)},${tail}${lastSourceJson}${sourceIdJson}` +
      `"uncertaintyNs":"${result.uncertaintyNs}"}`;
    const hash = hashPrefixedRecordJson(prefixed);
    return {
      json: prefixed.slice(RECORD_HASH_PREFIX.length),
      hash,
      method: result.method,
      flagged: flags.length > 0,
    };
  };
}

/** A finite number as JSON (and RFC 8785) writes it: ECMAScript's shortest form, -0 as 0. */
function num(n: number): string {
  return n === 0 ? "0" : Number.isSafeInteger(n) ? `${n}` : String(n);
}

/** {@link num}, remembering the last value (precision and latency repeat within a request). */
function lastNum(): (n: number) => string {
  let last = Number.NaN;
  let text = "";
  return (n) => {
    if (n !== last) {
      last = n;
      text = num(n);
    }
    return text;
  };
}

/** Most field errors listed in one problem (the detail says how many there were). */
const MAX_LISTED = 100;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text cannot go into the log (U+0000, lone surrogates), or undefined. */
export function textProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain U+0000";
  if (LONE_SURROGATE.test(text)) return "must not contain a lone surrogate (not well-formed UTF-16)";
  return undefined;
}

/**
 * Parses a seed timestamp value, or records why not: under the pointer of timestamp `index`'s
 * value, or of the request timestamp without one (pointers are made only for a problem).
 */
function parseValue(value: number | string, errors: FieldError[], index?: number): Instant | undefined {
  try {
    return parseTimestampValue(value);
  } catch (err) {
    const pointer =
      index === undefined ? "/body/requestMetadata/requestTimestamp" : `/body/timestamps/${index}/value`;
    errors.push({ pointer, detail: (err as Error).message });
    return undefined;
  }
}

/**
 * Records why `text` cannot go into the log, under `pointer` (a number: timestamp
 * `pointer`'s source; made only for a problem); false when it cannot.
 */
function checkText(text: string | undefined, errors: FieldError[], pointer: string | number): boolean {
  const problem = text === undefined ? undefined : textProblem(text);
  if (problem === undefined) return true;
  errors.push({
    pointer: typeof pointer === "number" ? `/body/timestamps/${pointer}/source` : pointer,
    detail: problem,
  });
  return false;
}

type History = readonly OffsetReport[] | null;

/**
 * The offset history for timestamp `i`: one bulk call when the provider has one; else one
 * call per timestamp, none after the first null (the source is not a node with reports).
 * Answers synchronously when it knows (a promise per timestamp was a tenth of a
 * 1 000-timestamp request's CPU).
 */
function historiesOf(
  provider: OffsetHistoryProvider,
  sourceId: string,
  instants: readonly Instant[],
): ((i: number) => History | Promise<History>) | Promise<(i: number) => History | Promise<History>> {
  if (provider.historiesAround !== undefined) {
    return provider.historiesAround(sourceId, instants).then((all) => (i) => all?.[i] ?? null);
  }
  // No promise of its own here: the per-timestamp lookups are the only waits.
  let unknown = false;
  return (i) => {
    if (unknown) return null;
    return provider.historyAround(sourceId, instants[i]!).then((history) => {
      unknown = history === null;
      return history;
    });
  };
}

const nsToMs = (ns: bigint): number => Number(ns / 1000n) / 1000;

function refuse(code: "VALIDATION_FAILED" | NormalizeFlag, message: string, errors: FieldError[]): never {
  const listed = errors.slice(0, MAX_LISTED);
  const more = errors.length > MAX_LISTED ? ` (${errors.length} in all, first ${MAX_LISTED} listed)` : "";
  throw new ServerError(code, `${message}${more}`, { errors: listed });
}

/**
 * Normalizes every timestamp of `body` received at `receivedNs` (server UTC).
 * @throws {ServerError} VALIDATION_FAILED for unparsable values or texts the log cannot
 *   hold; TIMESTAMP_DIVERGENCE / PRECISION_THRESHOLD_EXCEEDED under a strict policy.
 */
export async function normalizeBatch(
  body: NormalizeBody,
  receivedNs: Instant,
  settings: NormalizeSettings,
  provider: OffsetHistoryProvider,
  receivedAt: string = formatRfc3339(receivedNs, 9),
): Promise<NormalizedRecord[]> {
  const errors: FieldError[] = [];
  const meta = body.requestMetadata;
  // Field pointers are made only for a problem (not two strings per timestamp up front).
  checkText(body.sourceId, errors, "/body/sourceId");
  checkText(meta?.clientId, errors, "/body/requestMetadata/clientId");
  const timestamps = body.timestamps;
  let goodSource: string | undefined; // the last source checked without a problem
  for (let i = 0; i < timestamps.length; i++) {
    const source = timestamps[i]!.source;
    if (source === goodSource) continue;
    if (checkText(source, errors, i)) goodSource = source;
  }
  const requestNs =
    meta?.requestTimestamp === undefined ? undefined : parseValue(meta.requestTimestamp, errors);
  const originals: (Instant | undefined)[] = new Array(timestamps.length);
  for (let i = 0; i < timestamps.length; i++) originals[i] = parseValue(timestamps[i]!.value, errors, i);
  if (errors.length > 0) refuse("VALIDATION_FAILED", "some values cannot be normalized", errors);

  const fallback: OffsetModel =
    requestNs === undefined
      ? { kind: "none" }
      : {
          kind: "request-latency",
          requestTimestampNs: requestNs,
          serverReceiveNs: receivedNs,
          ...(meta?.roundTripMs === undefined
            ? {}
            : { roundTripNs: BigInt(Math.round(meta.roundTripMs * 1e6)) }),
        };
  const rejected: FieldError[] = [];
  const outOfRange: FieldError[] = [];
  let firstCode: NormalizeFlag | undefined;
  const records: NormalizedRecord[] = [];
  const build = recordBuilder(body.sourceId, meta?.clientId, receivedAt);
  const found = historiesOf(provider, body.sourceId, originals as Instant[]);
  const histories = found instanceof Promise ? await found : found;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    const originalNs = originals[i]!;
    const lookup = histories(i);
    const history = lookup instanceof Promise ? await lookup : lookup;
    const model: OffsetModel =
      history !== null && history.length > 0 ? { kind: "agent-history", history } : fallback;
    const precision = t.precision ?? 0;
    const result = normalizeTimestamp({ originalNs, precisionS: precision, model }, settings.config);
    if (result.normalizedNs < RFC3339_MIN_INSTANT || result.normalizedNs > RFC3339_MAX_INSTANT) {
      outOfRange.push({
        pointer: `/body/timestamps/${i}/value`,
        detail: "normalized instant is outside years 0000–9999",
      });
      continue;
    }
    const flags = policyFlags(result, settings.policy);
    if (settings.policy.strict && flags.length > 0) {
      firstCode ??= flags[0];
      rejected.push({
        pointer: `/body/timestamps/${i}`,
        detail: `${flags.join(", ")}: offset ${result.offsetNs} ns, uncertainty ${result.uncertaintyNs} ns`,
      });
      continue;
    }
    records.push(build(t, originalNs, precision, result, flags));
  }
  if (outOfRange.length > 0) refuse("VALIDATION_FAILED", "some timestamps cannot be normalized", outOfRange);
  if (firstCode !== undefined) {
    const { maxDivergenceNs, maxUncertaintyNs } = settings.policy;
    refuse(
      firstCode,
      `${rejected.length} of ${body.timestamps.length} timestamps fail the strict policy (divergence ≤ ${maxDivergenceNs} ns, uncertainty ≤ ${maxUncertaintyNs} ns); nothing was logged`,
      rejected,
    );
  }
  return records;
}
