/**
 * One item of `sources` (issue 6 §5): an NTP server for the engine's own NTP
 * (`ntp://…` or a bare host, {@link parseNtpSource}), any other time source URL the
 * protocols registry knows (`nts://`, `roughtime://host?key=…`, `http(s)://`, `ptp://iface`,
 * `local`, `system` (the system clock itself: a chain's last resort), `chronosync://`, `chronosync+http://`, `auto://host`) with the poll options
 * `minpoll`, `maxpoll`, `iburst`, or a fallback group:
 *
 * ```yaml
 * - fallback: ["nts://time.example", "ntp://time.example", "https://time.example"]
 *   minpoll: 6              # optional, like a URL's options
 *   maxpoll: 10
 *   iburst: false
 *   retryPreferredS: 300    # try the first member again this long after leaving it
 * ```
 *
 * or, as text (environment and flags), `fallback:URL|URL|…`. Members are 2–8 URLs of any
 * scheme but `auto` (bare hosts are `ntp://`), without poll options or `pool`. Each URL is
 * checked by creating its source from the registry (no I/O: sources connect on their first
 * measurement), so a missing Roughtime key or an unknown parameter is a configuration error.
 */
import { isChronoSyncError } from "@chronosync/core";
import { defaultTimeSourceRegistry, parseTimeSourceUrl, TimeSourceUrlError } from "@chronosync/protocols";
import { type NtpSourceSpec, type Parsed, parseNtpSource } from "./source-url.js";

/** A source measured through a TimeSource, as written. */
export interface TimeSourceSpec {
  readonly kind: "time";
  /** Canonical URL of the source (the registry's), the source's id. */
  readonly url: string;
  /** What to create the source from: the URL without the agent's poll options. */
  readonly input: string;
  /** The URL's scheme (`nts`, `https`, `auto`, …). */
  readonly protocol: string;
  readonly minPoll?: number;
  readonly maxPoll?: number;
  readonly iburst?: boolean;
}

/** One member of a fallback group. */
export interface FallbackMemberSpec {
  readonly url: string;
  readonly input: string;
  readonly protocol: string;
}

/** A fallback group, as written. */
export interface FallbackSourceSpec {
  readonly kind: "fallback";
  /** `fallback:URL|URL|…` of the members' canonical URLs: the source's id. */
  readonly url: string;
  readonly members: readonly FallbackMemberSpec[];
  readonly minPoll?: number;
  readonly maxPoll?: number;
  readonly iburst?: boolean;
  readonly retryPreferredS?: number;
}

/** Any item of `sources`. */
export type SourceSpec = NtpSourceSpec | TimeSourceSpec | FallbackSourceSpec;

const POLL_OPTIONS = ["minpoll", "maxpoll", "iburst"] as const;
const GROUP_KEYS = ["fallback", "minpoll", "maxpoll", "iburst", "retryPreferredS"] as const;
const MAX_MEMBERS = 8;
const fail = (expected: string, at?: { path: string; got: unknown }): Parsed<never> =>
  at === undefined ? { ok: false, expected } : { ok: false, expected, at };

function schemeOf(text: string): string | undefined {
  const word = /^(local|system)(\?|$)/i.exec(text.trim())?.[1];
  if (word !== undefined) return word.toLowerCase();
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(text.trim())?.[1]?.toLowerCase();
}

/** Creates (and closes) the source a URL names; what was wrong, or its canonical URL. */
function checkWithRegistry(input: string): Parsed<{ url: string; protocol: string }> {
  try {
    const parsed = parseTimeSourceUrl(input);
    if (!defaultTimeSourceRegistry.has(parsed.scheme))
      return fail(
        `a time source URL with a known scheme (${defaultTimeSourceRegistry.schemes().join(", ")})`,
      );
    const source = defaultTimeSourceRegistry.create(parsed);
    void source.close().catch(() => undefined);
    return { ok: true, value: { url: source.url, protocol: parsed.scheme } };
  } catch (err) {
    if (err instanceof TimeSourceUrlError) {
      const prefix = `bad time source URL ${JSON.stringify(err.url)}: `;
      const why = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      return fail(`a usable time source URL (${why})`);
    }
    if (isChronoSyncError(err)) return fail(`a usable time source URL (${err.code}: ${err.message})`);
    throw err;
  }
}

/** Splits the agent's poll options off a URL's query; the rest goes to the adapter. */
function splitPollOptions(
  text: string,
): Parsed<{ input: string; options: Record<string, number | boolean> }> {
  const q = text.indexOf("?");
  if (q < 0) return { ok: true, value: { input: text, options: {} } };
  const keep: string[] = [];
  const options: Record<string, number | boolean> = {};
  for (const pair of text.slice(q + 1).split("&")) {
    const eq = pair.indexOf("=");
    const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? "1" : pair.slice(eq + 1);
    if (name === "minpoll" || name === "maxpoll") {
      if (!/^-?\d{1,2}$/.test(value)) return fail(`${name} to be an integer poll exponent`);
      options[name] = Number(value);
    } else if (name === "iburst") {
      const b = { "1": true, true: true, "0": false, false: false }[value.toLowerCase()];
      if (b === undefined) return fail("iburst to be 1, 0, true or false");
      options[name] = b;
    } else if (pair !== "") keep.push(pair);
  }
  const base = text.slice(0, q);
  return { ok: true, value: { input: keep.length === 0 ? base : `${base}?${keep.join("&")}`, options } };
}

function pollFields(o: Record<string, number | boolean | undefined>): Parsed<{
  minPoll?: number;
  maxPoll?: number;
  iburst?: boolean;
}> {
  const { minpoll, maxpoll, iburst } = o as { minpoll?: number; maxpoll?: number; iburst?: boolean };
  if (minpoll !== undefined && maxpoll !== undefined && minpoll > maxpoll) return fail("minpoll ≤ maxpoll");
  return {
    ok: true,
    value: {
      ...(minpoll !== undefined && { minPoll: minpoll }),
      ...(maxpoll !== undefined && { maxPoll: maxpoll }),
      ...(iburst !== undefined && { iburst }),
    },
  };
}

/** Parses a non-NTP source URL with the agent's poll options. */
export function parseTimeSource(text: string): Parsed<TimeSourceSpec> {
  const split = splitPollOptions(text.trim());
  if (!split.ok) return split;
  const checked = checkWithRegistry(split.value.input);
  if (!checked.ok) return checked;
  const poll = pollFields(split.value.options);
  if (!poll.ok) return poll;
  return { ok: true, value: { kind: "time", input: split.value.input, ...checked.value, ...poll.value } };
}

function parseMember(value: unknown): Parsed<FallbackMemberSpec> {
  if (typeof value !== "string" || value.trim() === "") return fail("a time source URL");
  const text = value.trim();
  const scheme = schemeOf(text);
  if (scheme === "auto") return fail("a time source URL other than auto:// (detection is its own fallback)");
  if (scheme === "fallback") return fail("a time source URL, not a nested group");
  let input = text;
  if (scheme === undefined || scheme === "ntp") {
    const ntp = parseNtpSource(text);
    if (!ntp.ok) return ntp;
    if (Object.keys(ntp.value).some((k) => ["minPoll", "maxPoll", "iburst", "pool"].includes(k)))
      return fail("a member URL without minpoll/maxpoll/iburst/pool (poll options go on the group)");
    input = ntp.value.url;
  } else if (POLL_OPTIONS.some((o) => new RegExp(`[?&]${o}(=|&|$)`, "i").test(text))) {
    return fail("a member URL without minpoll/maxpoll/iburst (poll options go on the group)");
  }
  const checked = checkWithRegistry(input);
  return checked.ok ? { ok: true, value: { input, ...checked.value } } : checked;
}

function group(members: readonly unknown[], options: Record<string, unknown>): Parsed<FallbackSourceSpec> {
  if (members.length < 2 || members.length > MAX_MEMBERS)
    return fail(`a list of 2..${MAX_MEMBERS} member URLs`, { path: ".fallback", got: members });
  const parsed: FallbackMemberSpec[] = [];
  for (const [i, m] of members.entries()) {
    const r = parseMember(m);
    if (!r.ok) return fail(r.expected, { path: `.fallback[${i}]`, got: m });
    parsed.push(r.value);
  }
  const urls = parsed.map((m) => m.url);
  const dup = urls.findIndex((u, i) => urls.indexOf(u) !== i);
  if (dup >= 0) return fail("distinct members", { path: `.fallback[${dup}]`, got: members[dup] });
  const poll: Record<string, number | boolean> = {};
  for (const key of ["minpoll", "maxpoll"] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < -7 || v > 17)
      return fail("an integer poll exponent in -7..17", { path: `.${key}`, got: v });
    poll[key] = v;
  }
  if (options.iburst !== undefined) {
    if (typeof options.iburst !== "boolean")
      return fail("true or false", { path: ".iburst", got: options.iburst });
    poll.iburst = options.iburst;
  }
  const retry = options.retryPreferredS;
  if (
    retry !== undefined &&
    (typeof retry !== "number" || !Number.isInteger(retry) || retry < 1 || retry > 86_400)
  )
    return fail("an integer in 1..86400", { path: ".retryPreferredS", got: retry });
  const p = pollFields(poll);
  if (!p.ok) return fail(p.expected, { path: ".minpoll", got: poll.minpoll });
  return {
    ok: true,
    value: {
      kind: "fallback",
      url: `fallback:${urls.join("|")}`,
      members: parsed,
      ...p.value,
      ...(retry !== undefined && { retryPreferredS: retry as number }),
    },
  };
}

/**
 * Parses one item of `sources`: a URL or host (text), or a `{ fallback: [...] }` mapping.
 * Never throws; a problem inside a group names its sub-path (`.fallback[1]`).
 */
export function parseSourceEntry(value: unknown): Parsed<SourceSpec> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o))
      if (!(GROUP_KEYS as readonly string[]).includes(key))
        return fail(`a fallback group with keys ${GROUP_KEYS.join(", ")}`, { path: `.${key}`, got: o[key] });
    if (!Array.isArray(o.fallback))
      return fail("a list of member URLs", { path: ".fallback", got: o.fallback });
    return group(o.fallback, o);
  }
  if (typeof value !== "string") return fail("a source URL, a host name or a { fallback: [URL, …] } group");
  const text = value.trim();
  if (/^fallback:/i.test(text)) return group(text.slice("fallback:".length).split("|"), {});
  const scheme = schemeOf(text);
  if (scheme === undefined || scheme === "ntp") return parseNtpSource(text);
  return parseTimeSource(text);
}
