/**
 * Entry point of the single-file agent bundle (`packages/agent/scripts/bundle.mjs`,
 * issue 3 §8): only `chronosync agent` and `chronosync status`, so that the bundle holds
 * no serving, benchmarking or simulation code. Same exit statuses as `chronosync`.
 */
import { AGENT_HELP, runAgent } from "./commands/agent.js";
import { runStatus, STATUS_HELP } from "./commands/status.js";
import { type CliContext, processContext } from "./context.js";
import { CliError, EXIT_CODES, runReportingFailures } from "./errors.js";
import { quote } from "./target.js";

/** Replaced by the bundler (esbuild `define`) with the package version. */
declare const CHRONOSYNC_VERSION: string | undefined;

export const AGENT_ENTRY_HELP = `Usage: chronosync-agent <command> [options]

Commands:
  agent                 run the node agent: sync against sources, serve bounded time
  status                show the local agent's tracking and sources
  help [command]        show help for a command

Options:
  -h, --help            show this help
  -V, --version         print the version
`;

type Command = (args: readonly string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; help: string }>> = {
  agent: { run: runAgent, help: AGENT_HELP },
  status: { run: runStatus, help: STATUS_HELP },
};

async function dispatch(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    ctx.err(AGENT_ENTRY_HELP);
    return EXIT_CODES.CLI_USAGE;
  }
  if (first === "-h" || first === "--help" || (first === "help" && rest[0] === undefined)) {
    ctx.out(AGENT_ENTRY_HELP);
    return 0;
  }
  if (first === "-V" || first === "--version") {
    ctx.out(`chronosync ${typeof CHRONOSYNC_VERSION === "string" ? CHRONOSYNC_VERSION : "unknown"}\n`);
    return 0;
  }
  const name = first === "help" ? rest[0]! : first;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined)
    throw new CliError("CLI_USAGE", `unknown command ${quote(name)} (this bundle has only agent and status)`);
  if (first === "help") {
    ctx.out(command.help);
    return 0;
  }
  return command.run(rest, ctx);
}

/** Like `main` of `chronosync`: one line on stderr per failure, never a stack trace. */
export async function agentMain(argv: readonly string[], ctx: CliContext = processContext): Promise<number> {
  return runReportingFailures(
    () => dispatch(argv, ctx),
    (text) => ctx.err(text),
  );
}
