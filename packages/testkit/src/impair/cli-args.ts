/**
 * Command-line flags of `chronosync-impair`, both ways: parse them (the CLI) and build
 * them from options ({@link spawnImpairmentRelay}).
 */
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "@chronosync/core";
import {
  type DirectionImpairment,
  formatHostPort,
  type ImpairmentRelayOptions,
  parseHostPort,
  RELAY_DEFAULTS,
} from "./options.js";
import { formatJitterSpec, parseJitterSpec } from "./prng.js";

export const IMPAIR_USAGE = `Usage: chronosync-impair --target HOST:PORT [options]

A UDP relay that adds delay, jitter, loss and reordering, per direction
(up = client -> target, down = target -> client). Prints {"ready":true,"listen":...}
once bound, and one JSON report line when it stops (SIGTERM, SIGINT or a limit).

  --listen HOST:PORT        where clients send (default 127.0.0.1:0, a free port)
  --target HOST:PORT        the real server (required)
  --up-delay-ms MS          one-way delay client -> target (default 0)
  --down-delay-ms MS        one-way delay target -> client (default 0)
  --jitter SPEC             both directions: none | uniform:MS | normal:MS | exponential:MS
  --up-jitter SPEC, --down-jitter SPEC
  --loss P                  drop probability, both directions (default 0)
  --up-loss P, --down-loss P
  --reorder P               probability to hold a packet back, both directions (default 0)
  --up-reorder P, --down-reorder P
  --reorder-extra-ms MS     how long a reordered packet is held back (default ${RELAY_DEFAULTS.reorderExtraMs})
  --up-reorder-extra-ms MS, --down-reorder-extra-ms MS
  --seed N                  PRNG seed (default ${RELAY_DEFAULTS.seed})
  --max-seconds S           stop after S seconds (default ${RELAY_DEFAULTS.maxSeconds})
  --max-packets N           stop after N packets (default ${RELAY_DEFAULTS.maxPackets})
  --max-records N           per-packet records in the report (default ${RELAY_DEFAULTS.maxRecords})
  --spin-lead-ms MS         busy-poll the clock this long before a deadline (default ${RELAY_DEFAULTS.spinLeadMs})
  --max-sessions N          client sessions kept, least recently used closed (default ${RELAY_DEFAULTS.maxSessions})
  --stop-on-stdin-eof       stop when stdin closes (spawnImpairmentRelay: dies with its parent)
  --help
`;

/** Not a relay option: tells the CLI to stop when its parent closes the pipe. */
export const STOP_ON_STDIN_EOF = "--stop-on-stdin-eof";

const STRING = { type: "string" } as const;

const FLAGS = {
  listen: STRING,
  target: STRING,
  "up-delay-ms": STRING,
  "down-delay-ms": STRING,
  jitter: STRING,
  "up-jitter": STRING,
  "down-jitter": STRING,
  loss: STRING,
  "up-loss": STRING,
  "down-loss": STRING,
  reorder: STRING,
  "up-reorder": STRING,
  "down-reorder": STRING,
  "reorder-extra-ms": STRING,
  "up-reorder-extra-ms": STRING,
  "down-reorder-extra-ms": STRING,
  seed: STRING,
  "max-seconds": STRING,
  "max-packets": STRING,
  "max-records": STRING,
  "spin-lead-ms": STRING,
  "max-sessions": STRING,
  help: { type: "boolean" },
} as const;

function num(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`--${flag}: not a number: ${JSON.stringify(text)}`);
  }
  return value;
}

/** Parses the flags; `null` means --help. Throws InvalidArgumentError on bad input. */
export function parseImpairArgs(argv: readonly string[]): ImpairmentRelayOptions | null {
  let values: Partial<Record<keyof typeof FLAGS, string | boolean>>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message, { cause: err });
  }
  if (values.help === true) return null;
  const str = (flag: keyof typeof FLAGS) => {
    const v = values[flag];
    return typeof v === "string" ? v : undefined;
  };
  const target = str("target");
  if (target === undefined) throw new InvalidArgumentError("--target HOST:PORT is required");
  const direction = (d: "up" | "down"): Partial<DirectionImpairment> => {
    const jitter = str(`${d}-jitter`) ?? str("jitter");
    const out: Partial<DirectionImpairment> = {};
    const delayMs = num(`${d}-delay-ms`, str(`${d}-delay-ms`));
    const loss = num(`${d}-loss`, str(`${d}-loss`) ?? str("loss"));
    const reorder = num(`${d}-reorder`, str(`${d}-reorder`) ?? str("reorder"));
    const reorderExtraMs = num(
      `${d}-reorder-extra-ms`,
      str(`${d}-reorder-extra-ms`) ?? str("reorder-extra-ms"),
    );
    if (delayMs !== undefined) out.delayMs = delayMs;
    if (jitter !== undefined) out.jitter = parseJitterSpec(jitter);
    if (loss !== undefined) out.loss = loss;
    if (reorder !== undefined) out.reorder = reorder;
    if (reorderExtraMs !== undefined) out.reorderExtraMs = reorderExtraMs;
    return out;
  };
  const options: ImpairmentRelayOptions = {
    target: parseHostPort(target),
    up: direction("up"),
    down: direction("down"),
  };
  const listen = str("listen");
  if (listen !== undefined) options.listen = parseHostPort(listen);
  const seed = num("seed", str("seed"));
  const maxSeconds = num("max-seconds", str("max-seconds"));
  const maxPackets = num("max-packets", str("max-packets"));
  const maxRecords = num("max-records", str("max-records"));
  const spinLeadMs = num("spin-lead-ms", str("spin-lead-ms"));
  if (seed !== undefined) options.seed = seed;
  if (maxSeconds !== undefined) options.maxSeconds = maxSeconds;
  if (maxPackets !== undefined) options.maxPackets = maxPackets;
  if (maxRecords !== undefined) options.maxRecords = maxRecords;
  if (spinLeadMs !== undefined) options.spinLeadMs = spinLeadMs;
  const maxSessions = num("max-sessions", str("max-sessions"));
  if (maxSessions !== undefined) options.maxSessions = maxSessions;
  return options;
}

/** The flags that make the CLI run with `options` (inverse of {@link parseImpairArgs}). */
export function buildImpairArgs(options: ImpairmentRelayOptions): string[] {
  const args: string[] = ["--target", formatHostPort(options.target)];
  if (options.listen) {
    args.push(
      "--listen",
      formatHostPort({ host: options.listen.host ?? "127.0.0.1", port: options.listen.port ?? 0 }),
    );
  }
  for (const d of ["up", "down"] as const) {
    const imp = options[d];
    if (!imp) continue;
    if (imp.delayMs !== undefined) args.push(`--${d}-delay-ms`, String(imp.delayMs));
    if (imp.jitter !== undefined) args.push(`--${d}-jitter`, formatJitterSpec(imp.jitter));
    if (imp.loss !== undefined) args.push(`--${d}-loss`, String(imp.loss));
    if (imp.reorder !== undefined) args.push(`--${d}-reorder`, String(imp.reorder));
    if (imp.reorderExtraMs !== undefined) args.push(`--${d}-reorder-extra-ms`, String(imp.reorderExtraMs));
  }
  const scalars: [string, number | undefined][] = [
    ["seed", options.seed],
    ["max-seconds", options.maxSeconds],
    ["max-packets", options.maxPackets],
    ["max-records", options.maxRecords],
    ["spin-lead-ms", options.spinLeadMs],
    ["max-sessions", options.maxSessions],
  ];
  for (const [flag, value] of scalars) if (value !== undefined) args.push(`--${flag}=${value}`);
  return args;
}
