/**
 * The errors of the `chronosync` command. Each code maps to one documented, stable exit
 * status; the message is the single line printed on stderr after "chronosync: ".
 */
import { ChronoSyncError } from "@chronosync/core";

export type CliErrorCode =
  | "CLI_USAGE"
  | "CLI_NAME_NOT_RESOLVED"
  | "CLI_TIMEOUT"
  | "CLI_KISS_OF_DEATH"
  | "CLI_REFUSED"
  | "CLI_NETWORK"
  | "CLI_INTERNAL";

/**
 * Exit status of each outcome. Stable API: scripts branch on these.
 *
 * | status | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | internal error (a bug: please report it) |
 * | 2 | usage: bad command, option, target, port or number |
 * | 3 | the host name did not resolve |
 * | 4 | no reply within the timeout |
 * | 5 | the server sent a kiss-o'-death (RATE, DENY, RSTR, …) |
 * | 6 | connection refused (ICMP port unreachable: nothing listens there) |
 * | 7 | other network failure (e.g. cannot listen: address in use, permission denied) |
 */
export const EXIT_CODES: Readonly<Record<CliErrorCode, number>> = {
  CLI_INTERNAL: 1,
  CLI_USAGE: 2,
  CLI_NAME_NOT_RESOLVED: 3,
  CLI_TIMEOUT: 4,
  CLI_KISS_OF_DEATH: 5,
  CLI_REFUSED: 6,
  CLI_NETWORK: 7,
};

/** An error the CLI reports as one line on stderr and an exit status. */
export class CliError extends ChronoSyncError {
  override readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.code = code;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Bad command line: unknown command or option, malformed target, number out of range. */
export class UsageError extends CliError {
  constructor(message: string) {
    super("CLI_USAGE", message);
  }
}

/**
 * Runs a command and turns every failure into exactly one line on stderr and its exit
 * status: a CliError's own, else "internal error" (1). Never a stack trace.
 */
export async function runReportingFailures(
  run: () => Promise<number>,
  err: (text: string) => void,
): Promise<number> {
  try {
    return await run();
  } catch (failure) {
    if (failure instanceof CliError) {
      err(`chronosync: ${failure.message}\n`);
      return failure.exitCode;
    }
    const message = failure instanceof Error ? failure.message : String(failure);
    err(`chronosync: internal error: ${message.split("\n")[0]}\n`);
    return EXIT_CODES.CLI_INTERNAL;
  }
}
