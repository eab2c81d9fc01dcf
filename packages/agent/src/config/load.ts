/**
 * Loads the agent's configuration from a file (YAML or JSON), the environment and
 * command-line flags, validated against {@link AGENT_CONFIG_SCHEMA}. Precedence per key:
 * flags > environment > file > defaults. Every problem is collected and thrown at once as
 * an {@link AgentConfigError}, so the agent never starts half-configured. With no
 * sources anywhere, the system's own servers are used ({@link detectSystemSources}).
 */
import { LineCounter, parseDocument } from "yaml";
import { AgentConfigError, type AgentConfigIssue } from "../errors.js";
import { type ConfigReader, describeReadError, nodeConfigReader } from "./reader.js";
import {
  AGENT_CONFIG_SCHEMA,
  CONFIG_FILE_ENV,
  type ConfigKeySpec,
  configKeySpec,
  type LogLevel,
} from "./schema.js";
import type { FallbackMemberSpec, SourceSpec } from "./source-spec.js";
import { parseNtpSource } from "./source-url.js";
import { suggest } from "./suggest.js";
import { detectSystemSources, type SystemSources, type SystemSourcesOrigin } from "./system-sources.js";

/** One NTP source with every poll setting resolved. */
export interface AgentSource {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly minPoll: number;
  readonly maxPoll: number;
  readonly iburst: boolean;
  readonly pool: boolean;
}

/** A source measured through a TimeSource (any scheme but ntp), poll settings resolved. */
export interface AgentTimeSource {
  readonly kind: "time";
  /** Canonical URL: the source's id. */
  readonly url: string;
  /** What the source is created from (the URL without the agent's poll options). */
  readonly input: string;
  readonly protocol: string;
  readonly minPoll: number;
  readonly maxPoll: number;
  readonly iburst: boolean;
}

/** A fallback group (issue 6 §5): members in order of preference, poll settings resolved. */
export interface AgentFallbackSource {
  readonly kind: "fallback";
  /** `fallback:URL|URL|…`: the source's id. */
  readonly url: string;
  readonly members: readonly FallbackMemberSpec[];
  readonly minPoll: number;
  readonly maxPoll: number;
  readonly iburst: boolean;
  /** Seconds before the first member is tried again after leaving it (default 300). */
  readonly retryPreferredS: number;
}

/** Any configured source: the agent's own NTP ({@link AgentSource}), a TimeSource, or a group. */
export type AgentSourceConfig = AgentSource | AgentTimeSource | AgentFallbackSource;

/** True for a source the agent's own NTP engine polls. */
export function isNtpSourceConfig(s: AgentSourceConfig): s is AgentSource {
  return !("kind" in s);
}

/** Where the sources came from: a configuration layer, or the system detection. */
export type SourcesOrigin = "flags" | "env" | "file" | SystemSourcesOrigin;

/** The validated, frozen configuration. Keys and defaults: docs/configuration.md. */
export interface AgentConfig {
  /** The configuration file read, if any. */
  readonly file?: string;
  readonly sources: readonly AgentSourceConfig[];
  readonly sourcesOrigin: SourcesOrigin;
  /** When the sources were detected: the system files they came from. */
  readonly sourcesFiles: readonly string[];
  readonly minPoll: number;
  readonly maxPoll: number;
  readonly iburst: boolean;
  readonly api: { readonly listen: string };
  readonly serve: readonly string[];
  readonly maxDriftPpm: number;
  readonly holdoverAfterS: number;
  readonly maxBoundMs: number;
  /** State file path; empty: none. */
  readonly stateFile: string;
  /** Where status reads the local chronyd: socket path, host:port or "off"; unset = defaults. */
  readonly chronyd?: string;
  /** Reporting to a ChronoSync server (docs/report-protocol.md); no `url`: off. */
  readonly server: AgentServerConfig;
  readonly logLevel: LogLevel;
}

/** The `server` section: reporting to a ChronoSync server (issue 4 §5). */
export interface AgentServerConfig {
  readonly url?: string;
  readonly enrollToken?: string;
  readonly reportIntervalS: number;
  readonly bufferMaxBytes: number;
  /** Credentials and buffer; unset: the state file's directory. */
  readonly dataDir?: string;
  /** Extra CA certificates (PEM file). */
  readonly ca?: string;
}

/** Flags as parsed from argv (e.g. by `node:util` parseArgs), keyed by flag name without dashes. */
export type AgentConfigFlags = Readonly<
  Record<string, string | readonly string[] | number | boolean | undefined>
>;

export interface LoadAgentConfigOptions {
  /** Configuration file; else the `config` flag, else `$CHRONOSYNC_CONFIG`, else none. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: AgentConfigFlags;
  /** Default: node:fs. */
  readonly reader?: ConfigReader;
  /** Called when no layer gives a source. Default: {@link detectSystemSources} with `reader`. */
  readonly detectSources?: (reader: ConfigReader) => SystemSources;
}

/** A fallback group tries its first member again this long after leaving it, s. */
export const DEFAULT_RETRY_PREFERRED_S = 300;

interface Setting {
  readonly value: unknown;
  readonly origin: string;
}
type Layer = Map<string, Setting>;

/** A short, safe rendering of any value for "got …". */
export function describeValue(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value === "undefined" ? "nothing" : `a ${typeof value}`;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

class Collector {
  readonly issues: AgentConfigIssue[] = [];
  add(origin: string, path: string, message: string): void {
    this.issues.push({ origin, path, message });
  }
  /** Checks `value` against `spec` (each item for lists) and stores it in `layer`. */
  set(layer: Layer, spec: ConfigKeySpec, value: unknown, origin: string, fromText = false): void {
    const check = (v: unknown, path: string): { ok: boolean; value?: unknown } => {
      const input = fromText && typeof v === "string" ? spec.fromText(v) : v;
      const r = spec.check(input);
      if (!r.ok) {
        const where = r.at === undefined ? path : `${path}${r.at.path}`;
        const got = r.at === undefined ? input : r.at.got;
        this.add(origin, where, `expected ${r.expected}, got ${describeValue(got)}`);
      }
      return r;
    };
    if (spec.list) {
      const items = value === null ? [] : value;
      if (!Array.isArray(items)) {
        this.add(origin, spec.key, `expected a list, got ${describeValue(value)}`);
        return;
      }
      const results = items.map((item, i) => check(item, `${spec.key}[${i}]`));
      if (results.every((r) => r.ok)) layer.set(spec.key, { value: results.map((r) => r.value), origin });
      return;
    }
    const r = check(value, spec.key);
    if (r.ok) layer.set(spec.key, { value: r.value, origin });
  }
}

const TOP_KEYS = [...new Set(AGENT_CONFIG_SCHEMA.map((s) => s.key.split(".")[0] ?? s.key))];
const ALL_KEYS = AGENT_CONFIG_SCHEMA.map((s) => s.key);

function unknownKey(c: Collector, origin: string, path: string, candidates: readonly string[]): void {
  const hint = suggest(path, candidates);
  c.add(origin, path, `unknown key${hint === undefined ? "" : ` (did you mean "${hint}"?)`}`);
}

/** Validates a parsed file's object into a layer. */
function fileLayer(c: Collector, data: unknown, origin: string): Layer {
  const layer: Layer = new Map();
  if (data === null || data === undefined) return layer; // an empty file
  if (!isMapping(data)) {
    c.add(origin, "", `expected a mapping of configuration keys, got ${describeValue(data)}`);
    return layer;
  }
  for (const [key, value] of Object.entries(data)) {
    const spec = configKeySpec(key);
    if (spec !== undefined) {
      c.set(layer, spec, value, origin);
      continue;
    }
    const children = AGENT_CONFIG_SCHEMA.filter((s) => s.key.startsWith(`${key}.`));
    if (children.length === 0) {
      unknownKey(c, origin, key, [...TOP_KEYS, ...ALL_KEYS]);
    } else if (!isMapping(value)) {
      const names = children.map((s) => s.key.slice(key.length + 1)).join(", ");
      c.add(origin, key, `expected a mapping with key(s) ${names}, got ${describeValue(value)}`);
    } else {
      for (const [sub, subValue] of Object.entries(value)) {
        const subSpec = configKeySpec(`${key}.${sub}`);
        if (subSpec === undefined) unknownKey(c, origin, `${key}.${sub}`, ALL_KEYS);
        else if (subValue !== null || subSpec.default !== undefined) c.set(layer, subSpec, subValue, origin);
      }
    }
  }
  return layer;
}

/** YAML or JSON by extension, else by content (`{` or `[` first: JSON). */
function parseFile(c: Collector, text: string, file: string): unknown {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  const json = ext === "json" || (ext !== "yaml" && ext !== "yml" && /^\s*[{[]/.test(text));
  if (json) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      c.add(file, "", `invalid JSON: ${(err as Error).message}`);
      return undefined;
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      c.add(`${file}:${line}:${col}`, "", `invalid YAML: ${e.message.split("\n")[0]}`);
    }
    return undefined;
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    c.add(file, "", `invalid YAML: ${(err as Error).message}`);
    return undefined;
  }
}

function envLayer(c: Collector, env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = new Map();
  for (const spec of AGENT_CONFIG_SCHEMA) {
    const text = env[spec.env];
    if (text === undefined || text.trim() === "") continue;
    const value = spec.list
      ? text
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : text;
    c.set(layer, spec, value, `$${spec.env}`, true);
  }
  return layer;
}

function flagLayer(c: Collector, flags: AgentConfigFlags): Layer {
  const layer: Layer = new Map();
  const names = AGENT_CONFIG_SCHEMA.map((s) => s.flag);
  for (const [name, raw] of Object.entries(flags)) {
    if (raw === undefined || name === "config") continue;
    const spec = AGENT_CONFIG_SCHEMA.find((s) => s.flag === name);
    if (spec === undefined) {
      const hint = suggest(name, names);
      c.add(`--${name}`, "", `unknown flag${hint === undefined ? "" : ` (did you mean "--${hint}"?)`}`);
      continue;
    }
    const value = spec.list ? (Array.isArray(raw) ? raw : [raw]) : Array.isArray(raw) ? raw.at(-1) : raw;
    c.set(layer, spec, value, `--${name}`, true);
  }
  return layer;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads, merges and validates the configuration. Throws {@link AgentConfigError}
 * listing every problem, one per line (`origin: key.path: expected …, got …`).
 */
export function loadAgentConfig(options: LoadAgentConfigOptions = {}): AgentConfig {
  const env = options.env ?? {};
  const flags = options.flags ?? {};
  const reader = options.reader ?? nodeConfigReader;
  const c = new Collector();

  const flagFile = typeof flags.config === "string" ? flags.config : undefined;
  const file = options.file ?? flagFile ?? (env[CONFIG_FILE_ENV] || undefined);
  let fromFile: Layer = new Map();
  if (file !== undefined) {
    let text: string | undefined;
    try {
      text = reader.readFile(file);
    } catch (err) {
      c.add(file, "", `cannot read the configuration file: ${describeReadError(err)}`);
    }
    if (text !== undefined) {
      const data = parseFile(c, text, file);
      if (c.issues.length === 0) fromFile = fileLayer(c, data, file);
    }
  }
  const layers = [fromFile, envLayer(c, env), flagLayer(c, flags)];
  const merged: Layer = new Map();
  for (const layer of layers) for (const [k, v] of layer) merged.set(k, v);
  const get = <T>(key: string): T => (merged.get(key)?.value ?? configKeySpec(key)?.default) as T;

  const minPoll = get<number>("minPoll");
  const maxPoll = get<number>("maxPoll");
  if (minPoll > maxPoll) {
    c.add(
      merged.get("minPoll")?.origin ?? "defaults",
      "minPoll",
      `expected at most maxPoll (${maxPoll}), got ${minPoll}`,
    );
  }

  const given = merged.get("sources");
  const givenSpecs = (given?.value ?? []) as SourceSpec[];
  let sourcesOrigin: SourcesOrigin;
  let sourcesFiles: readonly string[] = [];
  let specs: SourceSpec[];
  if (given !== undefined && givenSpecs.length > 0) {
    specs = givenSpecs;
    sourcesOrigin = given.origin.startsWith("--") ? "flags" : given.origin.startsWith("$") ? "env" : "file";
  } else if (c.issues.length > 0) {
    specs = []; // do not look at the system while the configuration is already invalid
    sourcesOrigin = "default";
  } else {
    const detected = (options.detectSources ?? detectSystemSources)(reader);
    specs = detected.sources.flatMap((s) => {
      const parsed = parseNtpSource(s);
      return parsed.ok ? [parsed.value] : [];
    });
    sourcesOrigin = detected.origin;
    sourcesFiles = detected.files;
  }
  const iburst = get<boolean>("iburst");
  const sources = specs.map((s, i): AgentSourceConfig => {
    const poll = { minPoll: s.minPoll ?? minPoll, maxPoll: s.maxPoll ?? maxPoll, iburst: s.iburst ?? iburst };
    if (poll.minPoll > poll.maxPoll && minPoll <= maxPoll) {
      c.add(
        given?.origin ?? "defaults",
        `sources[${i}]`,
        `expected minpoll ≤ maxpoll, got minpoll ${poll.minPoll} > maxpoll ${poll.maxPoll} in ${JSON.stringify(s.url)}`,
      );
    }
    if (!("kind" in s)) return { url: s.url, host: s.host, port: s.port, ...poll, pool: s.pool ?? false };
    if (s.kind === "time") return { kind: "time", url: s.url, input: s.input, protocol: s.protocol, ...poll };
    return {
      kind: "fallback",
      url: s.url,
      members: s.members,
      ...poll,
      retryPreferredS: s.retryPreferredS ?? DEFAULT_RETRY_PREFERRED_S,
    };
  });
  if (c.issues.length > 0) throw new AgentConfigError(c.issues);

  const optional = (key: string, name: string) => {
    const v = get<string | undefined>(`server.${key}`);
    return v === undefined ? {} : { [name]: v };
  };
  const server: AgentServerConfig = {
    ...optional("url", "url"),
    ...optional("enrollToken", "enrollToken"),
    reportIntervalS: get<number>("server.reportIntervalS"),
    bufferMaxBytes: get<number>("server.bufferMaxBytes"),
    ...optional("dataDir", "dataDir"),
    ...optional("ca", "ca"),
  };
  const chronyd = get<string | undefined>("chronyd");
  return deepFreeze({
    ...(file !== undefined && { file }),
    sources,
    sourcesOrigin,
    sourcesFiles,
    minPoll,
    maxPoll,
    iburst: get<boolean>("iburst"),
    api: { listen: get<string>("api.listen") },
    serve: get<string[]>("serve"),
    maxDriftPpm: get<number>("maxDriftPpm"),
    holdoverAfterS: get<number>("holdoverAfterS"),
    maxBoundMs: get<number>("maxBoundMs"),
    stateFile: get<string>("stateFile"),
    ...(chronyd !== undefined && { chronyd }),
    server,
    logLevel: get<LogLevel>("logLevel"),
  });
}

/** The line the agent logs about its sources, e.g. `4 sources from chrony.conf (/etc/chrony/chrony.conf)`. */
export function describeSourcesChoice(config: AgentConfig): string {
  const n = `${config.sources.length} source${config.sources.length === 1 ? "" : "s"}`;
  switch (config.sourcesOrigin) {
    case "flags":
      return `${n} from --source`;
    case "env":
      return `${n} from $CHRONOSYNC_SOURCES`;
    case "file":
      return `${n} from ${config.file ?? "the configuration file"}`;
    case "default":
      return `${n} (no configured or system servers found): ${config.sources.map((s) => s.url).join(", ")}`;
    default:
      return `${n} from the system's ${config.sourcesOrigin} (${config.sourcesFiles.join(", ")})`;
  }
}
