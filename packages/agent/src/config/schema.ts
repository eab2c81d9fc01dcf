/**
 * The one schema of the agent's configuration: every key with its type, range, default,
 * environment variable, flag and doc string. Validation ({@link ./load.ts}) and the key
 * table of docs/configuration.md ({@link renderConfigTable}, checked by a test) both come
 * from here, so they cannot drift apart.
 */
import { POLL_EXPONENT_MAX, POLL_EXPONENT_MIN } from "../engine/source-poll.js";
import { type Parsed, parseHostPort, parseNtpSource, parseServeUrl } from "./source-url.js";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One configuration key. */
export interface ConfigKeySpec {
  /** Dotted path in the file, e.g. `api.listen`. */
  readonly key: string;
  /** Type and range as the docs show it, e.g. `integer -7..17`. */
  readonly type: string;
  /** Value when no source sets the key; undefined: the key is optional. */
  readonly default: unknown;
  readonly doc: string;
  /** Environment variable, e.g. `CHRONOSYNC_MIN_POLL`. */
  readonly env: string;
  /** Command-line flag without the dashes, e.g. `min-poll`. */
  readonly flag: string;
  /** A list: the file gives an array, the environment a comma-separated string, the flag repeats. */
  readonly list: boolean;
  /** Checks one value (one item of a list). */
  readonly check: (value: unknown) => Parsed<unknown>;
  /** Turns the text of an environment variable or flag into what {@link check} takes. */
  readonly fromText: (text: string) => unknown;
}

type KeyBase = Pick<ConfigKeySpec, "key" | "doc" | "env" | "flag"> & { readonly default?: unknown };
const ok = (value: unknown): Parsed<unknown> => ({ ok: true, value });
const fail = (expected: string): Parsed<unknown> => ({ ok: false, expected });
const asText = (text: string): unknown => text;

function integer(base: KeyBase, min: number, max: number): ConfigKeySpec {
  const expected = `an integer in ${min}..${max}`;
  return {
    ...base,
    default: base.default,
    type: `integer ${min}..${max}`,
    list: false,
    check: (v) =>
      typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? ok(v) : fail(expected),
    fromText: (t) => (/^[+-]?\d{1,15}$/.test(t.trim()) ? Number(t) : t),
  };
}

function decimal(base: KeyBase, min: number, max: number): ConfigKeySpec {
  const expected = `a number in ${min}..${max}`;
  return {
    ...base,
    default: base.default,
    type: `number ${min}..${max}`,
    list: false,
    check: (v) =>
      typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? ok(v) : fail(expected),
    fromText: (t) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t.trim()) ? Number(t) : t),
  };
}

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  "1": true,
  "0": false,
  yes: true,
  no: false,
  on: true,
  off: false,
};

function boolean(base: KeyBase): ConfigKeySpec {
  return {
    ...base,
    default: base.default,
    type: "boolean",
    list: false,
    check: (v) => (typeof v === "boolean" ? ok(v) : fail("true or false")),
    fromText: (t) => BOOLEAN_WORDS[t.trim().toLowerCase()] ?? t,
  };
}

function oneOf(base: KeyBase, values: readonly string[]): ConfigKeySpec {
  return {
    ...base,
    default: base.default,
    type: values.map((v) => `"${v}"`).join(" \\| "),
    list: false,
    check: (v) =>
      typeof v === "string" && values.includes(v)
        ? ok(v)
        : fail(`one of ${values.map((x) => `"${x}"`).join(", ")}`),
    fromText: (t) => t.trim(),
  };
}

function text(
  base: KeyBase,
  type: string,
  expected: string,
  parse: (s: string) => Parsed<unknown>,
  list = false,
): ConfigKeySpec {
  return {
    ...base,
    default: base.default,
    type,
    list,
    check: (v) => {
      // The parser's own expectation is the more precise one (e.g. "a port in 1..65535").
      return typeof v === "string" ? parse(v) : fail(expected);
    },
    fromText: asText,
  };
}

function httpUrl(s: string): Parsed<unknown> {
  if (!URL.canParse(s)) return fail("a valid URL");
  const url = new URL(s);
  return url.protocol === "http:" || url.protocol === "https:" ? ok(url.href) : fail("scheme http or https");
}

function listenAddress(s: string): Parsed<unknown> {
  const hp = parseHostPort(s.trim());
  return hp.ok ? ok(s.trim()) : hp;
}

const POLL = [POLL_EXPONENT_MIN, POLL_EXPONENT_MAX] as const;

/** Every key of the agent's configuration, in documentation order. */
export const AGENT_CONFIG_SCHEMA: readonly ConfigKeySpec[] = [
  text(
    {
      key: "sources",
      default: [],
      env: "CHRONOSYNC_SOURCES",
      flag: "source",
      doc: "NTP servers to measure against: `ntp://host[:port][?minpoll=4&maxpoll=8&iburst=1&pool=1]` or a bare host. Empty: the servers the system is configured with, else `pool.ntp.org`.",
    },
    "list of ntp:// URLs",
    "an ntp:// URL or host name",
    parseNtpSource,
    true,
  ),
  integer(
    {
      key: "minPoll",
      default: 6,
      env: "CHRONOSYNC_MIN_POLL",
      flag: "min-poll",
      doc: "Shortest poll interval, log2 seconds (6 = 64 s). Per source: `?minpoll=`.",
    },
    ...POLL,
  ),
  integer(
    {
      key: "maxPoll",
      default: 10,
      env: "CHRONOSYNC_MAX_POLL",
      flag: "max-poll",
      doc: "Longest poll interval, log2 seconds (10 = 1024 s); at least `minPoll`. Per source: `?maxpoll=`.",
    },
    ...POLL,
  ),
  boolean({
    key: "iburst",
    default: true,
    env: "CHRONOSYNC_IBURST",
    flag: "iburst",
    doc: "Send a burst of 4 polls 2 s apart at start, so time is usable within seconds. Per source: `?iburst=0`.",
  }),
  text(
    {
      key: "api.listen",
      default: "127.0.0.1:8123",
      env: "CHRONOSYNC_API_LISTEN",
      flag: "api-listen",
      doc: "Address of the local HTTP API (`/v1/now`, `/v1/status`, `/metrics`): `host:port`, IPv6 as `[::1]:8123`.",
    },
    "host:port",
    "host:port with a port in 1..65535",
    listenAddress,
  ),
  text(
    {
      key: "serve",
      default: [],
      env: "CHRONOSYNC_SERVE",
      flag: "serve",
      doc: 'Serve the agent\'s clock to downstream nodes over NTP on these addresses, e.g. `["ntp://0.0.0.0:11123"]`.',
    },
    "list of ntp://host:port",
    "an ntp://host:port URL to serve on",
    parseServeUrl,
    true,
  ),
  decimal(
    {
      key: "maxDriftPpm",
      default: 15,
      env: "CHRONOSYNC_MAX_DRIFT_PPM",
      flag: "max-drift-ppm",
      doc: "Largest frequency error assumed for the local clock, ppm; the error bound grows by this rate between updates.",
    },
    0,
    500,
  ),
  integer(
    {
      key: "holdoverAfterS",
      default: 300,
      env: "CHRONOSYNC_HOLDOVER_AFTER_S",
      flag: "holdover-after-s",
      doc: "Seconds without a usable update before the status changes from synchronized to holdover.",
    },
    1,
    604_800,
  ),
  decimal(
    {
      key: "maxBoundMs",
      default: 1000,
      env: "CHRONOSYNC_MAX_BOUND_MS",
      flag: "max-bound-ms",
      doc: "Largest error bound (half-width), ms; beyond it the status is unsynchronized.",
    },
    0.001,
    3_600_000,
  ),
  text(
    {
      key: "report.server",
      env: "CHRONOSYNC_REPORT_SERVER",
      flag: "report-server",
      doc: "Base URL of the ChronoSync server to report to. Accepted and validated, not used yet: reporting arrives with the server.",
    },
    "http(s) URL",
    "an http:// or https:// URL",
    httpUrl,
  ),
  oneOf(
    {
      key: "logLevel",
      default: "info",
      env: "CHRONOSYNC_LOG_LEVEL",
      flag: "log-level",
      doc: "Least severe log level written.",
    },
    LOG_LEVELS,
  ),
];

/** Environment variable naming the configuration file when no `--config` is given. */
export const CONFIG_FILE_ENV = "CHRONOSYNC_CONFIG";

/** Finds a key's spec by dotted path. */
export function configKeySpec(key: string): ConfigKeySpec | undefined {
  return AGENT_CONFIG_SCHEMA.find((s) => s.key === key);
}

/** How a default shows in the docs: JSON, or "—" for optional keys. */
export function formatDefault(value: unknown): string {
  return value === undefined ? "—" : `\`${JSON.stringify(value)}\``;
}

/** The key table of docs/configuration.md, generated from the schema. */
export function renderConfigTable(): string {
  const rows = AGENT_CONFIG_SCHEMA.map((s) =>
    [
      `\`${s.key}\``,
      s.type,
      formatDefault(s.default),
      `\`${s.env}\``,
      `\`--${s.flag}\`${s.list ? " (repeatable)" : ""}`,
      s.doc,
    ].join(" | "),
  );
  return ["| key | type | default | environment | flag | meaning |", "|---|---|---|---|---|---|"]
    .concat(rows.map((r) => `| ${r} |`))
    .join("\n");
}

/**
 * Options for `node:util` parseArgs matching the schema's flags (every flag takes a
 * value, booleans as `--iburst false`; list flags repeat), plus `--config FILE`.
 */
export function agentConfigParseArgsOptions(): Record<string, { type: "string"; multiple?: boolean }> {
  const options: Record<string, { type: "string"; multiple?: boolean }> = { config: { type: "string" } };
  for (const s of AGENT_CONFIG_SCHEMA)
    options[s.flag] = s.list ? { type: "string", multiple: true } : { type: "string" };
  return options;
}
