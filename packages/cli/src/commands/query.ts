/** `chronosync query <target>`: measure this machine's offset against an NTP server. */
import { isChronoSyncError } from "@chronosync/core";
import { NtpKissOfDeathError, type NtpQueryResult, queryNtp } from "@chronosync/protocols";
import { parseCommandArgs, parseIntegerOption } from "../args.js";
import type { CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { queryJson } from "../format/json.js";
import { formatQueryTable } from "../format/table.js";
import { formatHostPort, type NtpTarget, parseTarget, quote } from "../target.js";

export const QUERY_DEFAULTS = { samples: 4, intervalMs: 250, timeoutMs: 2000 } as const;

export const QUERY_HELP = `Usage: chronosync query <target> [options]

Measures the offset of this machine's clock against an NTP server (offset = server -
local: positive when the server is ahead) from the sample with the lowest delay.

Target:
  ntp://host[:port]     e.g. ntp://time.example.com, ntp://127.0.0.1:11123, ntp://[::1]:123
  host[:port]           the same without the scheme; a bare IPv6 literal such as ::1
                        (the port defaults to 123)

Options:
  --samples N           exchanges to make, 1-64 (default ${QUERY_DEFAULTS.samples})
  --interval MS         pause between exchanges in ms, 0-60000 (default ${QUERY_DEFAULTS.intervalMs})
  --timeout MS          how long to wait for each reply in ms, 1-600000 (default ${QUERY_DEFAULTS.timeoutMs})
  --json                print one JSON object instead of a table
  -h, --help            show this help

Exit status: 0 success, 2 usage, 3 name not resolved, 4 no reply (timeout),
5 kiss-o'-death, 6 connection refused, 7 other network failure, 1 internal error.
`;

export interface QueryOptions {
  target: NtpTarget;
  samples: number;
  intervalMs: number;
  timeoutMs: number;
  json: boolean;
}

interface QueryValues {
  samples?: string;
  interval?: string;
  timeout?: string;
  json?: boolean;
  help?: boolean;
}

/** Parses the arguments after `query`; null when help was asked for. */
export function parseQueryArgs(args: readonly string[]): QueryOptions | null {
  const { values, positionals } = parseCommandArgs<QueryValues>("query", args, {
    samples: { type: "string" },
    interval: { type: "string" },
    timeout: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  if (positionals.length === 0)
    throw new UsageError("query needs a target (e.g. chronosync query ntp://127.0.0.1:11123)");
  if (positionals.length > 1) throw new UsageError(`query takes one target, got ${positionals.length}`);
  return {
    target: parseTarget(positionals[0]!),
    samples: parseIntegerOption("samples", values.samples, { min: 1, max: 64 }, QUERY_DEFAULTS.samples),
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
}

/** Turns the typed errors of `queryNtp` into the command's one-line errors. */
export function queryFailure(err: unknown, options: QueryOptions): unknown {
  if (!isChronoSyncError(err)) return err;
  const where = formatHostPort(options.target.host, options.target.port);
  switch (err.code) {
    case "NAME_NOT_RESOLVED":
      return new CliError("CLI_NAME_NOT_RESOLVED", `cannot resolve ${quote(options.target.host)}`, {
        cause: err,
      });
    case "NTP_TIMEOUT":
      return new CliError("CLI_TIMEOUT", `no reply from ${where} within ${options.timeoutMs} ms`, {
        cause: err,
      });
    case "NTP_KISS_OF_DEATH": {
      const kiss = err instanceof NtpKissOfDeathError ? err.kissCode : "?";
      return new CliError("CLI_KISS_OF_DEATH", `server sent kiss-o'-death ${kiss} (from ${where})`, {
        cause: err,
      });
    }
    case "NTP_REFUSED":
      return new CliError("CLI_REFUSED", `connection refused by ${where} (nothing listens there)`, {
        cause: err,
      });
    case "NETWORK_FAILURE":
      return new CliError("CLI_NETWORK", `cannot query ${where}: ${err.message}`, { cause: err });
    default:
      return err;
  }
}

/** Runs `chronosync query`; returns the exit status (errors are thrown as CliError). */
export async function runQuery(args: readonly string[], ctx: CliContext): Promise<number> {
  const options = parseQueryArgs(args);
  if (options === null) {
    ctx.out(QUERY_HELP);
    return 0;
  }
  let result: NtpQueryResult;
  try {
    result = await queryNtp(
      { host: options.target.host, port: options.target.port },
      { samples: options.samples, intervalMs: options.intervalMs, timeoutMs: options.timeoutMs },
    );
  } catch (err) {
    throw queryFailure(err, options);
  }
  ctx.out(
    options.json
      ? `${JSON.stringify(queryJson(options.target, result))}\n`
      : formatQueryTable(options.target, result),
  );
  return 0;
}
