/**
 * One normalize request → the records to append (issue 4 §3): parse every value, pick the
 * offset model per timestamp — (a) the node's agent history, (b) the request's own
 * `requestTimestamp` against the server's receive time with latency compensation, (c)
 * none — run core's engine and check the policy. Malformed values are a 400 naming every
 * bad field; a strict policy's failures are a 422 naming every rejected item.
 */
import {
  formatRfc3339,
  type Instant,
  type NormalizeFlag,
  type NormalizeInput,
  normalizeTimestamp,
  type OffsetModel,
  type OffsetReport,
  parseTimestampValue,
  policyFlags,
} from "@chronosync/core";
import { type FieldError, ServerError } from "../errors.js";
import type { LoggedRecord, NormalizeBody } from "../schemas/timestamps.js";
import type { OffsetHistoryProvider } from "./offset-history-provider.js";
import type { NormalizeSettings } from "./settings.js";

/** What one timestamp becomes in the log: the seed's TimestampRecord minus its hash, plus ours. */
export type RecordPayload = LoggedRecord;

/** Most field errors listed in one problem (the detail says how many there were). */
const MAX_LISTED = 100;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text cannot go into the log (U+0000, lone surrogates), or undefined. */
export function textProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain U+0000";
  if (LONE_SURROGATE.test(text)) return "must not contain a lone surrogate (not well-formed UTF-16)";
  return undefined;
}

/** Parses a seed timestamp value, or records why not under `pointer`. */
function parseValue(value: number | string, pointer: string, errors: FieldError[]): Instant | undefined {
  try {
    return parseTimestampValue(value);
  } catch (err) {
    errors.push({ pointer, detail: (err as Error).message });
    return undefined;
  }
}

type History = readonly OffsetReport[] | null;

/**
 * The offset history for timestamp `i`: one bulk call when the provider has one; else one
 * call per timestamp, none after the first null (the source is not a node with reports).
 */
async function historiesOf(
  provider: OffsetHistoryProvider,
  sourceId: string,
  instants: readonly Instant[],
): Promise<(i: number) => Promise<History>> {
  if (provider.historiesAround !== undefined) {
    const all = await provider.historiesAround(sourceId, instants);
    return async (i) => all?.[i] ?? null;
  }
  let unknown = false;
  return async (i) => {
    if (unknown) return null;
    const history = await provider.historyAround(sourceId, instants[i]!);
    unknown = history === null;
    return history;
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
): Promise<RecordPayload[]> {
  const errors: FieldError[] = [];
  const meta = body.requestMetadata;
  const texts: [string, string | undefined][] = [
    ["/body/sourceId", body.sourceId],
    ["/body/requestMetadata/clientId", meta?.clientId],
    ...body.timestamps.map((t, i): [string, string | undefined] => [
      `/body/timestamps/${i}/source`,
      t.source,
    ]),
  ];
  for (const [pointer, text] of texts) {
    const problem = text === undefined ? undefined : textProblem(text);
    if (problem !== undefined) errors.push({ pointer, detail: problem });
  }
  const requestNs =
    meta?.requestTimestamp === undefined
      ? undefined
      : parseValue(meta.requestTimestamp, "/body/requestMetadata/requestTimestamp", errors);
  const originals = body.timestamps.map((t, i) => parseValue(t.value, `/body/timestamps/${i}/value`, errors));
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
  const receivedAt = formatRfc3339(receivedNs, 9);
  const rejected: FieldError[] = [];
  const outOfRange: FieldError[] = [];
  let firstCode: NormalizeFlag | undefined;
  const records: RecordPayload[] = [];
  const histories = await historiesOf(provider, body.sourceId, originals as Instant[]);
  for (const [i, t] of body.timestamps.entries()) {
    const originalNs = originals[i]!;
    const history = await histories(i);
    const model: OffsetModel =
      history !== null && history.length > 0 ? { kind: "agent-history", history } : fallback;
    const input: NormalizeInput = { originalNs, precisionS: t.precision ?? 0, model };
    const result = normalizeTimestamp(input, settings.config);
    let normalized: string;
    try {
      normalized = formatRfc3339(result.normalizedNs, 9);
    } catch {
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
    const record: RecordPayload = {
      sourceId: body.sourceId,
      ...(t.source === undefined ? {} : { source: t.source }),
      ...(meta?.clientId === undefined ? {} : { clientId: meta.clientId }),
      receivedAt,
      originalTimestamp: typeof t.value === "number" ? t.value : nsToMs(originalNs),
      normalizedTimestamp: nsToMs(result.normalizedNs),
      precision: t.precision ?? 0,
      networkLatency: result.latencyNs === undefined ? 0 : Number(result.latencyNs) / 1e6,
      original: formatRfc3339(originalNs, 9),
      normalized,
      offsetNs: result.offsetNs.toString(),
      uncertaintyNs: result.uncertaintyNs.toString(),
      method: result.method,
      flags: [...flags],
    };
    records.push(record);
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
