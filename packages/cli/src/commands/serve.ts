/** `chronosync serve ntp`: serve this machine's clock over NTP until SIGINT or SIGTERM. */
import { isIPv4 } from "node:net";
import { parseCommandArgs, parseIntegerOption } from "../args.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../errors.js";
import { type ListenAddress, parseListen, quote } from "../target.js";
import { startLine, startLocalNtpServer, stopLine } from "./serve-ntp.js";
import { isServeWorker, runServePrimary, runServeWorker } from "./serve-workers.js";

/**
 * Like chrony's `local` directive: an undisciplined local clock is served at stratum 10
 * so that any synchronized server wins over it. The reference ID is "LOCL" at stratum 1
 * and chrony's 127.127.1.1 above (clients print stratum ≥ 2 reference IDs as addresses).
 */
export const SERVE_DEFAULTS = { listen: "127.0.0.1:11123", stratum: 10 } as const;
const LOCAL_REFID_STRATUM1 = "LOCL";
const LOCAL_REFID = "127.127.1.1";

export const SERVE_HELP = `Usage: chronosync serve ntp [options]

Serves this machine's clock over NTP (RFC 5905, server mode) until SIGINT or SIGTERM,
then prints the counters and exits 0.

Options:
  --listen HOST:PORT    address to listen on (default ${SERVE_DEFAULTS.listen}); [v6]:PORT for
                        IPv6; port 0 picks a free port
  --stratum N           stratum to announce, 1-15 (default ${SERVE_DEFAULTS.stratum}, like chrony's "local":
                        this clock is not synchronized to anything)
  --refid ID            reference ID: 1-4 ASCII characters or an IPv4 address (default
                        ${LOCAL_REFID_STRATUM1} at stratum 1, else ${LOCAL_REFID} like chrony)
  --no-rate-limit       answer every request (default: rate-limit each client address:
                        16 at once, then 8 per second)
  --transport T         auto, native or dgram (default auto: the native batching
                        transport of @chronosync/protocols when its addon is built, else
                        node:dgram)
  --workers N           node:cluster processes sharing one dgram socket, 1-64 (default 1);
                        each keeps its own rate-limit table
  -h, --help            show this help

Exit status: 0 stopped by a signal, 2 usage, 7 cannot listen (address in use, no
permission), 1 internal error.
`;

export interface ServeOptions {
  listen: ListenAddress;
  stratum: number;
  referenceId: number;
  rateLimit: boolean;
  transport: ServeTransport;
  workers: number;
}

export type ServeTransport = "auto" | "native" | "dgram";
const TRANSPORTS: readonly ServeTransport[] = ["auto", "native", "dgram"];

interface ServeValues {
  listen?: string;
  stratum?: string;
  refid?: string;
  "no-rate-limit"?: boolean;
  workers?: string;
  transport?: string;
  help?: boolean;
}

/** Encodes a reference ID: an IPv4 address, or 1–4 ASCII characters left-aligned, zero-padded. */
export function parseReferenceId(text: string): number {
  if (isIPv4(text)) return text.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
  if (!/^[\x21-\x7e]{1,4}$/.test(text)) {
    throw new UsageError(`invalid --refid ${quote(text)} (expected 1-4 ASCII characters or an IPv4 address)`);
  }
  let id = 0;
  for (let i = 0; i < 4; i++) id = id * 256 + (text.charCodeAt(i) || 0);
  return id;
}

/** Parses the arguments after `serve`; null when help was asked for. */
export function parseServeArgs(args: readonly string[]): ServeOptions | null {
  const { values, positionals } = parseCommandArgs<ServeValues>("serve", args, {
    listen: { type: "string" },
    stratum: { type: "string" },
    refid: { type: "string" },
    "no-rate-limit": { type: "boolean" },
    workers: { type: "string" },
    transport: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  const [protocol, ...extra] = positionals;
  if (protocol === undefined) throw new UsageError("serve needs a protocol (supported: ntp)");
  if (protocol !== "ntp")
    throw new UsageError(`unsupported protocol ${quote(protocol)} for serve (supported: ntp)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${quote(extra[0]!)} for serve`);
  const stratum = parseIntegerOption("stratum", values.stratum, { min: 1, max: 15 }, SERVE_DEFAULTS.stratum);
  const refid = values.refid ?? (stratum === 1 ? LOCAL_REFID_STRATUM1 : LOCAL_REFID);
  const transport = (values.transport ?? "auto") as ServeTransport;
  if (!TRANSPORTS.includes(transport)) {
    throw new UsageError(
      `invalid --transport ${quote(String(values.transport))} (expected auto, native or dgram)`,
    );
  }
  const workers = parseIntegerOption("workers", values.workers, { min: 1, max: 64 }, 1);
  if (workers > 1 && transport === "native") {
    throw new UsageError("--workers shares one node:dgram socket: it cannot be used with --transport native");
  }
  return {
    listen: parseListen(values.listen ?? SERVE_DEFAULTS.listen),
    stratum,
    referenceId: parseReferenceId(refid),
    rateLimit: !values["no-rate-limit"],
    transport,
    workers,
  };
}

/** Runs `chronosync serve`; resolves with 0 once stopped by a signal. */
export async function runServe(args: readonly string[], ctx: CliContext): Promise<number> {
  const options = parseServeArgs(args);
  if (options === null) {
    ctx.out(SERVE_HELP);
    return 0;
  }
  if (isServeWorker()) return runServeWorker(options);
  if (options.workers > 1) return runServePrimary(options, ctx);
  const stopped = ctx.waitForStop();
  const server = await startLocalNtpServer(options);
  ctx.out(`${startLine(options, server.address, server.transport)}\n`);
  const signal = await stopped;
  await server.close();
  ctx.out(`${stopLine(signal, server.counters())}\n`);
  return 0;
}
