/** What a command may touch of the outside world, so tests can run commands in-process. */

export interface CliContext {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Resolves with the signal name once the process is asked to stop (SIGINT, SIGTERM). */
  waitForStop(): Promise<string>;
}

/** Waits for the first SIGINT or SIGTERM, then removes its handlers again. */
function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const signals = ["SIGINT", "SIGTERM"] as const;
    const handlers = signals.map((signal) => {
      const handler = () => {
        for (const [i, s] of signals.entries()) process.off(s, handlers[i]!);
        resolve(signal);
      };
      process.on(signal, handler);
      return handler;
    });
  });
}

/** The context of the real process. */
export const processContext: CliContext = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  waitForStop: waitForSignal,
};
