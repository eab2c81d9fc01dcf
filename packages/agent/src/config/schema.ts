/**
 * The one schema of the agent's configuration: every key with its type, range, default,
 * environment variable, flag and doc string. Validation ({@link ./load.ts}) and the key
 * table of docs/configuration.md ({@link renderConfigTable}, checked by a test) both come
 * from here, so they cannot drift apart.
 */
import { POLL_EXPONENT_MAX, POLL_EXPONENT_MIN } from "../engine/source-poll.js";
import { parseSourceEntry } from "./source-spec.js";
import { type Parsed, parseHostPort, parseServeUrl } from "./source-url.js";

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
  {
    key: "sources",
    default: [],
    env: "CHRONOSYNC_SOURCES",
    flag: "source",
    doc: "Time sources to measure against. `ntp://host[:port][?minpoll=4&maxpoll=8&iburst=1&pool=1]` or a bare host (the agent's own NTP); any other scheme the time source registry knows — `nts://`, `roughtime://host?key=…`, `https://`, `http://`, `ptp://iface`, `local`, `system` (the system clock itself, a group's last resort; never synchronizes), `chronosync://`, `chronosync+http://`, `auto://host` — with `?minpoll=&maxpoll=&iburst=`; or a fallback group `{fallback: [URL, …], minpoll, maxpoll, iburst, retryPreferredS}` (as text `fallback:URL\\|URL`). Empty: the servers the system is configured with, else `pool.ntp.org`.",
    type: "list of source URLs or fallback groups",
    list: true,
    check: parseSourceEntry,
    fromText: asText,
  },
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
      default: 1,
      env: "CHRONOSYNC_MAX_DRIFT_PPM",
      flag: "max-drift-ppm",
      doc: "Frequency error of the local clock assumed beyond the servo's own estimate (chrony's `maxclockerror`), ppm; the error bound grows by this rate between updates. RFC 5905's φ is 15.",
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
      key: "stateFile",
      default: "/var/lib/chronosync/agent-state.json",
      env: "CHRONOSYNC_STATE_FILE",
      flag: "state-file",
      doc: "File keeping the clock's frequency across restarts (like chrony's driftfile), written atomically every 5 minutes and at shutdown (its directory is created when missing); `\"\"` turns it off. Not writable: one warning, the agent runs on.",
    },
    "path",
    "a file path",
    (s) => (s.includes("\0") ? fail("a file path without NUL") : ok(s.trim())),
  ),
  text(
    {
      key: "server.url",
      env: "CHRONOSYNC_SERVER_URL",
      flag: "server-url",
      doc: "Base URL of the ChronoSync server to report to (docs/report-protocol.md); unset: no reporting.",
    },
    "http(s) URL",
    "an http:// or https:// URL",
    httpUrl,
  ),
  text(
    {
      key: "server.enrollToken",
      env: "CHRONOSYNC_ENROLL_TOKEN",
      flag: "enroll-token",
      doc: "One-time enrollment token from the server's admin, traded once for client credentials (saved in `server.dataDir`). Prefer the environment variable to a flag.",
    },
    "string",
    "a non-empty token",
    (s) => (s.trim() === "" ? fail("a non-empty token") : ok(s.trim())),
  ),
  integer(
    {
      key: "server.reportIntervalS",
      default: 30,
      env: "CHRONOSYNC_REPORT_INTERVAL_S",
      flag: "report-interval-s",
      doc: "Seconds between reports (each a snapshot of `/v1/status` plus the agent's CPU and RSS).",
    },
    1,
    86_400,
  ),
  integer(
    {
      key: "server.bufferMaxBytes",
      default: 16_777_216,
      env: "CHRONOSYNC_BUFFER_MAX_BYTES",
      flag: "buffer-max-bytes",
      doc: "Most bytes of unsent reports kept on disk while the server is unreachable (about 1 KiB each); when full the oldest are dropped and counted.",
    },
    65_536,
    1_099_511_627_776,
  ),
  text(
    {
      key: "server.dataDir",
      env: "CHRONOSYNC_DATA_DIR",
      flag: "data-dir",
      doc: "Directory for the credentials (`credentials.json`, 0600) and the report buffer (`report-buffer/`). Unset: the state file's directory, else `/var/lib/chronosync`.",
    },
    "path",
    "a directory path",
    (s) => (s.includes("\0") || s.trim() === "" ? fail("a directory path") : ok(s.trim())),
  ),
  text(
    {
      key: "server.ca",
      env: "CHRONOSYNC_SERVER_CA",
      flag: "server-ca",
      doc: "PEM file of CA certificates trusted for the server besides the system's (e.g. its self-signed certificate).",
    },
    "path",
    "a file path",
    (s) => (s.includes("\0") || s.trim() === "" ? fail("a file path") : ok(s.trim())),
  ),
  text(
    {
      key: "chronyd",
      env: "CHRONOSYNC_CHRONYD",
      flag: "chronyd",
      doc: "Where `/v1/status` reads the local chronyd's own state: its Unix command socket (an absolute path), its UDP command port (`host:port`), or `off`. Unset: `/run/chrony/chronyd.sock`, then `127.0.0.1:323`.",
    },
    'socket path, host:port or "off"',
    'an absolute socket path, host:port or "off"',
    (s) =>
      s === "off" || s.startsWith("/")
        ? ok(s)
        : s.includes(":")
          ? listenAddress(s)
          : fail('an absolute socket path, host:port or "off"'),
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
