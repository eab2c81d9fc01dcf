/**
 * `chronosync agent`: the node agent (issue 3 §1). Loads and validates the configuration
 * (file, environment, flags), starts the runner, runs until SIGINT or SIGTERM, then stops
 * cleanly. An invalid configuration starts nothing: every problem is printed, one per
 * line, and the exit status is 2.
 */
import {
  AgentConfigError,
  type AgentConfigFlags,
  type AgentRunner,
  agentConfigParseArgsOptions,
  chronydTargets,
  createChronydMonitor,
  describeChronydTarget,
  keepLocalApi,
  type LocalApiRetryPolicy,
  loadAgentConfig,
  type Reporter,
  runnerSnapshot,
  startAgent,
  startReporter,
  stderrAgentLog,
} from "@chronosync/agent";
import { parseCommandArgs } from "../args.js";
import type { CliContext } from "../context.js";
import { EXIT_CODES, UsageError } from "../errors.js";
import { formatHostPort, quote } from "../target.js";

export const AGENT_HELP = `Usage: chronosync agent [--config FILE] [--source URL ...] [options]

Measures this machine's clock against NTP sources and keeps a bounded virtual clock
(the system clock plus a correction; the system clock is never changed) until SIGINT or
SIGTERM. Optionally serves that clock to downstream nodes over NTP (--serve).

Options (each also a configuration key and an environment variable, see
docs/configuration.md; flags win over the environment, which wins over the file):
  --config FILE           YAML or JSON configuration file (default $CHRONOSYNC_CONFIG)
  --source URL            NTP source, repeatable: ntp://host[:port][?minpoll=N&maxpoll=N
                          &iburst=0|1&pool=1] or a bare host. None anywhere: the system's
                          servers (chrony.conf, ntp.conf, timesyncd), else pool.ntp.org
  --min-poll N            shortest poll interval, log2 s (default 6)
  --max-poll N            longest poll interval, log2 s (default 10)
  --iburst true|false     burst of 4 polls at start (default true)
  --api-listen HOST:PORT  local HTTP API (default 127.0.0.1:8123)
  --serve URL             serve the virtual clock on ntp://host:port, repeatable
  --max-drift-ppm X       assumed worst-case frequency error, ppm (default 15)
  --holdover-after-s N    seconds without an update before holdover (default 300)
  --max-bound-ms X        largest error bound before unsynchronized, ms (default 1000)
  --server-url URL        ChronoSync server to report to (docs/report-protocol.md);
                          with --enroll-token T (or $CHRONOSYNC_ENROLL_TOKEN) the first
                          time, --report-interval-s N (default 30), --buffer-max-bytes N,
                          --data-dir DIR (credentials + buffer), --server-ca FILE
  --chronyd WHERE         local chronyd shown in status: socket path, host:port or off
                          (default /run/chrony/chronyd.sock, then 127.0.0.1:323)
  --log-level L           debug, info, warn or error (default info)
  -h, --help              show this help

When the local API cannot listen (address in use, not permitted), the agent logs it, keeps
synchronizing and serving, and retries with backoff (1 s doubling to 60 s).

Exit status: 0 stopped by a signal, 2 usage or invalid configuration, 1 internal error.
`;

export interface RunAgentOptions {
  /** Environment for the configuration; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called once the agent runs (the local API is wired in here). */
  readonly onStarted?: (runner: AgentRunner) => void | Promise<void>;
  /** Backoff of the local API's retries when it cannot listen (tests shorten it). */
  readonly apiRetry?: LocalApiRetryPolicy;
}

/** Runs `chronosync agent`; resolves with 0 once stopped by a signal, 2 for a bad configuration. */
export async function runAgent(
  args: readonly string[],
  ctx: CliContext,
  options: RunAgentOptions = {},
): Promise<number> {
  const { values, positionals } = parseCommandArgs<Record<string, string | string[] | boolean | undefined>>(
    "agent",
    args,
    { ...agentConfigParseArgsOptions(), help: { type: "boolean", short: "h" } },
  );
  if (values.help === true) {
    ctx.out(AGENT_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${quote(positionals[0]!)} for agent`);
  const { help: _help, ...flags } = values;

  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig({ env: options.env ?? process.env, flags: flags as AgentConfigFlags });
  } catch (err) {
    if (!(err instanceof AgentConfigError)) throw err;
    const n = err.issues.length;
    ctx.err(
      `chronosync: invalid agent configuration (${n} problem${n === 1 ? "" : "s"}), not started:\n` +
        err.issues
          .map(
            (i) =>
              `  ${i.path === "" ? `${i.origin}: ${i.message}` : `${i.origin}: ${i.path}: ${i.message}`}`,
          )
          .join("\n") +
        "\n",
    );
    return EXIT_CODES.CLI_USAGE;
  }

  const stopped = ctx.waitForStop();
  const log = stderrAgentLog(config.logLevel, (s) => ctx.err(s));
  const runner = await startAgent(config, {
    log,
    ...(options.onStarted === undefined ? {} : { onStarted: options.onStarted }),
  });
  // config.chronyd merges flag > environment > file like every other key.
  const targets = chronydTargets(config.chronyd === "" ? undefined : config.chronyd);
  const chronyd = createChronydMonitor({ targets });
  chronyd.read().catch(() => {}); // warm the cache: the first status then shows chronyd at once
  const api = await keepLocalApi({
    listen: config.api.listen,
    provider: runner.time,
    clock: runner.localClock,
    chronyd,
    log,
    ...(options.apiRetry === undefined ? {} : { retry: options.apiRetry }),
  });
  const where = api.current
    ? `local API on http://${formatHostPort(api.current.address.host, api.current.address.port)}`
    : `local API not listening yet (retrying ${config.api.listen})`;
  log(
    "info",
    `started: ${runner.sources.length} source(s) polling, serving on ${runner.serving.length} address(es), ` +
      `chronyd via ${targets.length === 0 ? "off" : targets.map(describeChronydTarget).join(" or ")}, ${where}`,
  );
  // Reporting to the server (issue 4 §5): only with server.url.
  let reporter: Reporter | undefined;
  const { server } = config;
  if (server.url !== undefined) {
    try {
      reporter = await startReporter({
        server: { ...server, url: server.url },
        stateFile: config.stateFile,
        snapshot: runnerSnapshot(runner),
        log,
      });
    } catch (err) {
      log(
        "error",
        `reporting off: ${err instanceof Error ? err.message : String(err)}; the agent keeps running`,
      );
    }
  }
  const signal = await stopped;
  await reporter?.stop();
  await api.close();
  await runner.stop();
  log("info", `stopped by ${signal}`);
  return 0;
}
