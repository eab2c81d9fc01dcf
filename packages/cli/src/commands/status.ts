/**
 * `chronosync status`: a thin client of the agent's local API (`GET /v1/status`, see
 * docs/agent-api.md). Prints a tracking header like `chronyc tracking` and a sources table
 * like `chronyc sources`, then the local chronyd's view of the system clock next to the
 * agent's ("System clock according to chronyd"), or with `--json` the document exactly as
 * the agent sent it.
 */
import { request } from "node:http";
import { parseCommandArgs, parseIntegerOption } from "../args.js";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { type ChronydDoc, formatChronyd } from "../format/chronyd.js";
import { type Column, formatProtocol, renderFields, renderTable } from "../format/table.js";
import { formatMs } from "../format/units.js";
import { formatHostPort, parseListen, quote } from "../target.js";

export { type ChronydDoc, formatChronyd };

export const STATUS_DEFAULTS = { api: "127.0.0.1:8123", timeoutMs: 5000 } as const;

export const STATUS_HELP = `Usage: chronosync status [options]

Shows what the local agent ("chronosync agent") is doing: tracking (offset, frequency,
error bound, status, system peer, stratum, last update) and its sources, like
chronyc tracking + chronyc sources; then, when a local chronyd answers, the system clock
according to chronyd next to the agent's own measurement, and chronyd's sources.
Reads GET /v1/status of the agent's local API.

Source marks: * system peer, + combined, - outlier, x falseticker, ? unreachable/unusable.
With sources other than NTP a protocol column shows what each one speaks ("(auth)":
authenticated time), and a fallback group shows the member in use.

Options:
  --api HOST:PORT       address of the agent's local API (default ${STATUS_DEFAULTS.api})
  --timeout MS          how long to wait for the agent, 1-600000 ms (default ${STATUS_DEFAULTS.timeoutMs})
  --json                print the agent's status document as received
  -h, --help            show this help

Exit status: 0 success, 2 usage, 3 name not resolved, 4 no answer (timeout),
6 connection refused (no agent running), 7 other network failure, 1 internal error.
`;

/** `GET /v1/status` as the CLI reads it (the agent's `StatusDocument`). */
export interface StatusDoc {
  readonly tracking: {
    readonly offsetNs: number;
    readonly frequencyPpm: number;
    readonly boundNs: number;
    readonly status: string;
    readonly lastUpdate: string | null;
    readonly systemPeer: string | null;
    readonly stratum: number;
  };
  readonly sources: readonly {
    readonly id: string;
    readonly state: string;
    readonly reach: string;
    readonly lastOffsetNs: number | null;
    readonly delayNs: number | null;
    readonly jitterNs: number | null;
    readonly stratum: number | null;
    readonly poll: number;
    readonly score: number;
    /** Agents before issue 6 §5 send none (their sources are all NTP). */
    readonly protocol?: string;
    readonly authenticated?: boolean;
    /** A fallback group: the member in use and the switches so far. */
    readonly fallback?: {
      readonly members: readonly { readonly url: string }[];
      readonly current: string;
      readonly switches: number;
    };
  }[];
  /** The local chronyd (agents before issue 3 §7 send none). */
  readonly chronyd?: ChronydDoc;
}

export interface StatusOptions {
  host: string;
  port: number;
  timeoutMs: number;
  json: boolean;
}

interface StatusValues {
  api?: string;
  timeout?: string;
  json?: boolean;
  help?: boolean;
}

/** Parses the arguments after `status`; null when help was asked for. */
export function parseStatusArgs(args: readonly string[]): StatusOptions | null {
  const { values, positionals } = parseCommandArgs<StatusValues>("status", args, {
    api: { type: "string" },
    timeout: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  if (positionals.length > 0)
    throw new UsageError(`status takes no arguments, got ${quote(positionals[0]!)}`);
  const api = values.api ?? STATUS_DEFAULTS.api;
  const { host, port } = parseListen(api);
  if (port === 0) throw new UsageError(`invalid port "0" in ${quote(api)} (expected 1–65535)`);
  return {
    host,
    port,
    timeoutMs: parseIntegerOption(
      "timeout",
      values.timeout,
      { min: 1, max: 600_000 },
      STATUS_DEFAULTS.timeoutMs,
    ),
    json: values.json ?? false,
  };
}

/** GETs `path` from the agent; resolves with the status code and body text. */
function get(options: StatusOptions, path: string): Promise<{ status: number; body: string }> {
  const where = formatHostPort(options.host, options.port);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host,
        port: options.port,
        path,
        method: "GET",
        agent: false,
        headers: { Accept: "application/json" },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", (err) =>
          reject(new CliError("CLI_NETWORK", `reading from ${where}: ${err.message}`)),
        );
      },
    );
    req.setTimeout(options.timeoutMs, () => {
      req.destroy();
      reject(
        new CliError("CLI_TIMEOUT", `no answer from the agent at ${where} within ${options.timeoutMs} ms`),
      );
    });
    req.on("error", (err: NodeJS.ErrnoException) => reject(connectFailure(err, options)));
    req.end();
  });
}

function connectFailure(err: NodeJS.ErrnoException, options: StatusOptions): CliError {
  const where = formatHostPort(options.host, options.port);
  switch (err.code) {
    case "ECONNREFUSED":
      return new CliError("CLI_REFUSED", `no agent answers at ${where} (is "chronosync agent" running?)`, {
        cause: err,
      });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new CliError("CLI_NAME_NOT_RESOLVED", `cannot resolve ${quote(options.host)}`, { cause: err });
    default:
      return new CliError("CLI_NETWORK", `cannot reach the agent at ${where}: ${err.message}`, {
        cause: err,
      });
  }
}

function isStatusDoc(x: unknown): x is StatusDoc {
  if (typeof x !== "object" || x === null) return false;
  const d = x as { tracking?: unknown; sources?: unknown };
  return typeof d.tracking === "object" && d.tracking !== null && Array.isArray(d.sources);
}

const MARKS: Readonly<Record<string, string>> = {
  selected: "+",
  outlier: "-",
  falseticker: "x",
  unreachable: "?",
  unusable: "?",
};

const ms = (ns: number | null, signed = false) =>
  ns === null || !Number.isFinite(ns) ? "-" : formatMs(BigInt(Math.round(ns)), signed);

/** A source's name in the table: its id, or for a fallback group the member in use. */
function sourceLabel(s: StatusDoc["sources"][number]): string {
  const f = s.fallback;
  if (f === undefined) return s.id;
  const i = f.members.findIndex((m) => m.url === f.current);
  return `${f.current} [fallback ${i + 1}/${f.members.length}, ${f.switches} switch${f.switches === 1 ? "" : "es"}]`;
}

/** The human-readable report of `chronosync status`, ending with a newline. */
export function formatStatus(doc: StatusDoc): string {
  const t = doc.tracking;
  const direction =
    t.offsetNs > 0 ? "system clock behind" : t.offsetNs < 0 ? "system clock ahead" : "in step";
  const ppm = t.frequencyPpm;
  const header = renderFields([
    ["status", t.status],
    ["system peer", t.systemPeer ?? "-"],
    ["stratum", String(t.stratum)],
    ["offset", `${ms(t.offsetNs, true)} ms (${direction})`],
    [
      "frequency",
      `${ppm >= 0 ? "+" : ""}${ppm.toFixed(3)} ppm (${ppm > 0 ? "fast" : ppm < 0 ? "slow" : "exact"})`,
    ],
    ["bound", `±${ms(t.boundNs)} ms`],
    ["last update", t.lastUpdate ?? "never"],
  ]);
  // The protocol column appears once any source is not plain NTP (issue 6 §5).
  const showProtocol = doc.sources.some((s) => (s.protocol ?? "ntp") !== "ntp" || s.fallback !== undefined);
  const rows = doc.sources.map((s) => {
    const cells = [
      s.state === "selected" && s.id === t.systemPeer ? "*" : (MARKS[s.state] ?? ""),
      sourceLabel(s),
      s.state,
      s.stratum === null ? "-" : String(s.stratum),
      String(s.poll),
      s.reach,
      ms(s.lastOffsetNs, true),
      ms(s.delayNs),
      ms(s.jitterNs),
      s.score.toFixed(3),
    ];
    if (showProtocol) cells.splice(2, 0, formatProtocol(s.protocol ?? "ntp", s.authenticated));
    return cells;
  });
  const columns: Column[] = [
    { title: "", align: "left" },
    { title: "source", align: "left" },
    { title: "state", align: "left" },
    { title: "stratum", align: "right" },
    { title: "poll", align: "right" },
    { title: "reach", align: "right" },
    { title: "offset ms", align: "right" },
    { title: "delay ms", align: "right" },
    { title: "jitter ms", align: "right" },
    { title: "score", align: "right" },
  ];
  if (showProtocol) columns.splice(2, 0, { title: "protocol", align: "left" });
  const table = renderTable(columns, rows);
  const sources = doc.sources.length === 0 ? ["(no sources)"] : table;
  const chronyd = doc.chronyd === undefined ? [] : ["", ...formatChronyd(doc.chronyd, t.offsetNs)];
  return `${[...header, "", ...sources, ...chronyd].join("\n")}\n`;
}

/** Runs `chronosync status`; returns the exit status (errors are thrown as CliError). */
export async function runStatus(args: readonly string[], ctx: CliContext): Promise<number> {
  const options = parseStatusArgs(args);
  if (options === null) {
    ctx.out(STATUS_HELP);
    return 0;
  }
  const where = formatHostPort(options.host, options.port);
  const { status, body } = await get(options, "/v1/status");
  if (status !== 200) {
    let detail = `HTTP ${status}`;
    try {
      const p = JSON.parse(body) as { detail?: unknown };
      if (typeof p.detail === "string") detail += `: ${p.detail}`;
    } catch {
      // not problem+json: the status code says enough
    }
    throw new CliError("CLI_NETWORK", `the agent at ${where} answered ${detail}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    doc = undefined;
  }
  if (!isStatusDoc(doc)) throw new CliError("CLI_NETWORK", `${where} did not send a status document`);
  ctx.out(options.json ? (body.endsWith("\n") ? body : `${body}\n`) : formatStatus(doc));
  return 0;
}
