/**
 * `chronosync query <target>`: measure this machine's offset against a time source of
 * any scheme (ntp, nts, roughtime, http, https, ptp, local, or automatic detection),
 * through the protocols package's TimeSource registry.
 */
import { readFileSync } from "node:fs";
import { isChronoSyncError } from "@chronosync/core";
import {
  AutoTimeSource,
  createTimeSource,
  type DetectionResult,
  decodeRoughtimeKey,
  NtpKissOfDeathError,
  type TimeSample,
  type TimeSource,
  type TimeSourceOptions,
} from "@chronosync/protocols";
import { parseCommandArgs, parseIntegerOption } from "../args.js";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { queryJson } from "../format/json.js";
import { formatQueryTable } from "../format/table.js";
import { formatHostPort, parseQueryTarget, type QueryTarget, queryTargetUrl, quote } from "../target.js";

export const QUERY_DEFAULTS = { samples: 4, intervalMs: 250, timeoutMs: 2000, deadlineMs: 3000 } as const;

/** Protocols whose one measurement is already an average of several exchanges (or slow): 1 sample by default. */
const ONE_SAMPLE = new Set(["http", "https", "ptp"]);

export const QUERY_HELP = `Usage: chronosync query <target> [options]

Measures the offset of this machine's clock against a time source (offset = source -
local: positive when the source is ahead) from the sample with the lowest delay.

Target:
  ntp://host[:port]     NTP (port 123), e.g. ntp://127.0.0.1:11123, ntp://[::1]:123
  host:port             the same without the scheme ([v6]:port for IPv6)
  nts://host[:port]     NTS (RFC 8915): NTS-KE on port 4460, then authenticated NTP
  roughtime://host[:port]?key=BASE64
                        Roughtime (port 2002); the server's Ed25519 public key, or --key
  http://host[:port][/path], https://…
                        the server's Date header, locked to its second boundary
  ptp://IFACE-OR-ADDRESS[?domain=N]
                        PTP (IEEE 1588) slave on that interface (multicast, ports 319/320)
  local                 chronyd's own estimate (its Unix socket); local://host:port for
                        its UDP command port (323)
  host, ::1             automatic detection: probes NTS, Roughtime, HTTPS, NTP, HTTP (and
                        PTP with auto://host?ptp=IFACE) in parallel, prints what answered
                        and measures with the preferred one (authenticated first)
  auto://host[?ntp=PORT&nts=PORT&roughtime=PORT&https=PORT&http=PORT&ptp=IFACE&key=BASE64]
                        the same with ports overridden

Options:
  --samples N           measurements to make, 1-64 (default ${QUERY_DEFAULTS.samples}; 1 for http, https, ptp)
  --interval MS         pause between measurements in ms, 0-60000 (default ${QUERY_DEFAULTS.intervalMs})
  --timeout MS          how long to wait for each reply in ms, 1-600000 (default ${QUERY_DEFAULTS.timeoutMs})
  --deadline MS         automatic detection's limit in ms, 1-600000 (default ${QUERY_DEFAULTS.deadlineMs})
  --ca FILE             trusted CA or self-signed certificate (PEM) for nts:// and https://
  --key BASE64          Roughtime public key (instead of ?key=)
  --json                print one JSON object instead of a table
  -h, --help            show this help

Exit status: 0 success, 2 usage, 3 name not resolved, 4 no reply (timeout) or nothing
detected, 5 kiss-o'-death, 6 connection refused, 7 other network, TLS or
authentication failure, 1 internal error.
`;

export interface QueryOptions {
  target: QueryTarget;
  samples: number;
  intervalMs: number;
  timeoutMs: number;
  json: boolean;
  /** Only when given on the command line. */
  deadlineMs?: number;
  caFile?: string;
  key?: string;
}

interface QueryValues {
  samples?: string;
  interval?: string;
  timeout?: string;
  deadline?: string;
  ca?: string;
  key?: string;
  json?: boolean;
  help?: boolean;
}

/** Parses the arguments after `query`; null when help was asked for. */
export function parseQueryArgs(args: readonly string[]): QueryOptions | null {
  const { values, positionals } = parseCommandArgs<QueryValues>("query", args, {
    samples: { type: "string" },
    interval: { type: "string" },
    timeout: { type: "string" },
    deadline: { type: "string" },
    ca: { type: "string" },
    key: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  if (positionals.length === 0)
    throw new UsageError("query needs a target (e.g. chronosync query ntp://127.0.0.1:11123)");
  if (positionals.length > 1) throw new UsageError(`query takes one target, got ${positionals.length}`);
  const target = parseQueryTarget(positionals[0]!);
  const defaultSamples = ONE_SAMPLE.has(target.protocol) ? 1 : QUERY_DEFAULTS.samples;
  const options: QueryOptions = {
    target,
    samples: parseIntegerOption("samples", values.samples, { min: 1, max: 64 }, defaultSamples),
    intervalMs: parseIntegerOption(
      "interval",
      values.interval,
      { min: 0, max: 60_000 },
      QUERY_DEFAULTS.intervalMs,
    ),
    timeoutMs: parseIntegerOption(
      "timeout",
      values.timeout,
      { min: 1, max: 600_000 },
      QUERY_DEFAULTS.timeoutMs,
    ),
    json: values.json ?? false,
  };
  if (values.deadline !== undefined)
    options.deadlineMs = parseIntegerOption("deadline", values.deadline, { min: 1, max: 600_000 }, 0);
  if (values.ca !== undefined) options.caFile = values.ca;
  if (values.key !== undefined) {
    if (decodeRoughtimeKey(values.key) === null)
      throw new UsageError(
        `invalid --key ${quote(values.key)} (expected a base64 Ed25519 public key, 32 bytes)`,
      );
    options.key = values.key;
  }
  return options;
}

/** Where the target is, for messages: `host:port` for NTP, else the URL. */
function describeTarget(options: QueryOptions): string {
  const t = options.target;
  return t.protocol === "ntp" ? formatHostPort(t.host, t.port) : t.url;
}

/** Turns the typed errors of the time sources into the command's one-line errors. */
export function queryFailure(err: unknown, options: QueryOptions): unknown {
  if (!isChronoSyncError(err) || err instanceof CliError) return err;
  const where = describeTarget(options);
  const fail = (code: ConstructorParameters<typeof CliError>[0], message: string) =>
    new CliError(code, message, { cause: err });
  switch (err.code) {
    case "NAME_NOT_RESOLVED":
      return fail("CLI_NAME_NOT_RESOLVED", `cannot resolve ${quote(options.target.host)}`);
    case "NTP_TIMEOUT":
    case "ROUGHTIME_TIMEOUT":
    case "HTTP_TIMEOUT":
    case "PTP_TIMEOUT":
    case "CHRONY_CMD_TIMEOUT":
      return fail("CLI_TIMEOUT", `no reply from ${where} within ${options.timeoutMs} ms`);
    case "TIME_SOURCE_UNAVAILABLE":
      return fail("CLI_TIMEOUT", err.message);
    case "NTP_KISS_OF_DEATH": {
      const kiss = err instanceof NtpKissOfDeathError ? err.kissCode : "?";
      return fail("CLI_KISS_OF_DEATH", `server sent kiss-o'-death ${kiss} (from ${where})`);
    }
    case "NTP_REFUSED":
      return fail("CLI_REFUSED", `connection refused by ${where} (nothing listens there)`);
    case "TIME_SOURCE_BAD_URL":
    case "TIME_SOURCE_UNKNOWN_SCHEME":
    case "INVALID_ARGUMENT":
    case "PTP_INTERFACE_NOT_FOUND":
      return fail("CLI_USAGE", err.message);
    case "NETWORK_FAILURE":
      return fail("CLI_NETWORK", `cannot query ${where}: ${err.message}`);
    default:
      // NTS-KE, NTS NAK, TLS trust, Roughtime verification, HTTP Date, chronyd status…
      return fail("CLI_NETWORK", `${where}: ${err.message}`);
  }
}

function sourceOptions(options: QueryOptions): TimeSourceOptions {
  const o: TimeSourceOptions = { timeoutMs: options.timeoutMs };
  if (options.caFile !== undefined) {
    try {
      o.ca = readFileSync(options.caFile, "utf8");
    } catch (err) {
      throw new UsageError(
        `cannot read --ca ${quote(options.caFile)}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }
  if (options.key !== undefined) o.roughtimeKey = decodeRoughtimeKey(options.key)!;
  return o;
}

/** The URL to open: for auto, --deadline joins the query unless the URL has one. */
function sourceUrl(options: QueryOptions): string {
  const url = queryTargetUrl(options.target);
  if (options.target.protocol !== "auto" || /[?&]deadline=/.test(url)) return url;
  const deadline = options.deadlineMs ?? QUERY_DEFAULTS.deadlineMs;
  return `${url}${url.includes("?") ? "&" : "?"}deadline=${deadline}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A measurement that merely got no answer in time: the others may still answer. */
const TIMEOUT_CODES = new Set([
  "NTP_TIMEOUT",
  "HTTP_TIMEOUT",
  "ROUGHTIME_TIMEOUT",
  "PTP_TIMEOUT",
  "CHRONY_CMD_TIMEOUT",
]);

/**
 * Makes `options.samples` measurements. A lost one (a timeout) is skipped, as NTP clients
 * do — a lost UDP datagram must not fail a query that has other answers; any other error
 * ends the query at once. Throws the last timeout when no measurement answered.
 */
async function measureAll(source: TimeSource, options: QueryOptions): Promise<TimeSample[]> {
  const samples: TimeSample[] = [];
  let lost: unknown;
  for (let i = 0; i < options.samples; i++) {
    if (i > 0 && options.intervalMs > 0) await sleep(options.intervalMs);
    try {
      samples.push(await source.measure({ timeoutMs: options.timeoutMs }));
    } catch (err) {
      if (!TIMEOUT_CODES.has((err as { code?: unknown } | null)?.code as string)) throw err;
      lost = err;
    }
  }
  if (samples.length === 0) throw lost;
  return samples;
}

/** Runs `chronosync query`; returns the exit status (errors are thrown as CliError). */
export async function runQuery(args: readonly string[], ctx: CliContext): Promise<number> {
  const options = parseQueryArgs(args);
  if (options === null) {
    ctx.out(QUERY_HELP);
    return 0;
  }
  let source: TimeSource;
  try {
    source = createTimeSource(sourceUrl(options), sourceOptions(options));
  } catch (err) {
    throw queryFailure(err, options);
  }
  let samples: TimeSample[];
  let detection: DetectionResult | null = null;
  try {
    samples = await measureAll(source, options);
  } catch (err) {
    throw queryFailure(err, options);
  } finally {
    if (source instanceof AutoTimeSource) detection = source.detection();
    await source.close();
  }
  const best = samples.reduce((a, s) => (s.delayNs < a.delayNs ? s : a));
  const target =
    options.target.protocol === "ntp" || options.target.protocol === "auto"
      ? queryTargetUrl(options.target)
      : source.url;
  const t = options.target;
  const endpoint =
    t.protocol === "ntp" && best.address !== null ? formatHostPort(best.address, t.port) : best.address;
  ctx.out(
    options.json
      ? `${JSON.stringify(queryJson(target, samples, best, detection))}\n`
      : formatQueryTable(target, endpoint, samples, best, detection),
  );
  return 0;
}
