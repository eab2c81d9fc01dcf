/**
 * Entry point of `chronosync-impair` (bin/chronosync-impair.js imports this module).
 * stdout carries exactly two JSON lines: the ready line and the final report.
 */
import { isChronoSyncError } from "@chronosync/core";
import { IMPAIR_USAGE, parseImpairArgs, STOP_ON_STDIN_EOF } from "./cli-args.js";
import { formatHostPort, type ImpairmentRelayOptions } from "./options.js";
import { startImpairmentRelay } from "./relay.js";

/** Runs the relay until a signal or a limit stops it; returns the exit code. */
export async function runImpairCli(argv: readonly string[]): Promise<number> {
  let options: ImpairmentRelayOptions | null;
  const stopOnStdinEof = argv.includes(STOP_ON_STDIN_EOF);
  try {
    options = parseImpairArgs(argv.filter((a) => a !== STOP_ON_STDIN_EOF));
  } catch (err) {
    process.stderr.write(`chronosync-impair: ${(err as Error).message}\n\n${IMPAIR_USAGE}`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(IMPAIR_USAGE);
    return 0;
  }
  let relay: Awaited<ReturnType<typeof startImpairmentRelay>>;
  try {
    relay = await startImpairmentRelay(options);
  } catch (err) {
    process.stderr.write(`chronosync-impair: ${(err as Error).message}\n`);
    return isChronoSyncError(err) && err.code === "INVALID_ARGUMENT" ? 2 : 1;
  }
  const onSignal = () => void relay.stop();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  if (stopOnStdinEof) {
    process.stdin.on("end", onSignal).on("close", onSignal).resume();
  }
  process.stdout.write(`${JSON.stringify({ ready: true, listen: formatHostPort(relay.address) })}\n`);
  const report = await relay.done;
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  process.stdin.pause();
  process.stdin.destroy();
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(report)}\n`, () => resolve()));
  return report.stopReason === "error" ? 1 : 0;
}

process.exitCode = await runImpairCli(process.argv.slice(2));
