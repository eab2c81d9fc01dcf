/** Entry point of the `chronosync` command: dispatch to a command, map errors to exit codes. */
import { AGENT_HELP, runAgent } from "./commands/agent.js";
import { DB_HELP, runDb } from "./commands/db.js";
import { QUERY_HELP, runQuery } from "./commands/query.js";
import { runServe, SERVE_HELP } from "./commands/serve.js";
import { runServer, SERVER_HELP } from "./commands/server.js";
import { runStatus, STATUS_HELP } from "./commands/status.js";
import { runVerify, VERIFY_HELP } from "./commands/verify.js";
import { type CliContext, processContext } from "./context.js";
import { CliError, EXIT_CODES, runReportingFailures } from "./errors.js";
import { quote } from "./target.js";
import { readVersion } from "./version.js";

export const MAIN_HELP = `Usage: chronosync <command> [options]

Commands:
  query <target>        measure this clock's offset against an NTP server
                        (target: ntp://host[:port] or a host name)
  serve ntp             serve this machine's clock over NTP
  agent                 run the node agent: sync against sources, serve bounded time
  status                show the local agent's tracking and sources
  server                run the server: HTTP API, signed log, sign-in
  db migrate            apply the server's database migrations
  verify <file>         check a log receipt or export offline against the published keys
  help [command]        show help for a command

Options:
  -h, --help            show this help
  -V, --version         print the version

Run "chronosync <command> --help" for a command's options.
Exit status: 0 success, 1 internal error, 2 usage, 3 name not resolved, 4 timeout,
5 kiss-o'-death, 6 connection refused, 7 other network failure.
`;

type Command = (args: readonly string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  agent: { run: runAgent, help: AGENT_HELP },
  db: { run: runDb, help: DB_HELP },
  query: { run: runQuery, help: QUERY_HELP },
  serve: { run: runServe, help: SERVE_HELP },
  server: { run: runServer, help: SERVER_HELP },
  status: { run: runStatus, help: STATUS_HELP },
  verify: { run: runVerify, help: VERIFY_HELP },
};

function help(topic: string | undefined, ctx: CliContext): number {
  if (topic === undefined) {
    ctx.out(MAIN_HELP);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
  if (command === undefined) throw new CliError("CLI_USAGE", `no help for unknown command ${quote(topic)}`);
  ctx.out(command.help);
  return 0;
}

async function dispatch(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      ctx.err(MAIN_HELP);
      return EXIT_CODES.CLI_USAGE;
    case "-h":
    case "--help":
      return help(undefined, ctx);
    case "help":
      return help(rest[0], ctx);
    case "-V":
    case "--version":
      ctx.out(`chronosync ${readVersion()}\n`);
      return 0;
  }
  if (first.startsWith("-"))
    throw new CliError("CLI_USAGE", `unknown option ${quote(first)} (see chronosync --help)`);
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (command === undefined)
    throw new CliError("CLI_USAGE", `unknown command ${quote(first)} (see chronosync --help)`);
  return command.run(rest, ctx);
}

/**
 * Entry point of the `chronosync` command. Returns the process exit status; every
 * failure is reported as exactly one line on stderr, never a stack trace.
 */
export async function main(argv: readonly string[], ctx: CliContext = processContext): Promise<number> {
  return runReportingFailures(
    () => dispatch(argv, ctx),
    (text) => ctx.err(text),
  );
}
