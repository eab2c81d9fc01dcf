/**
 * Throw-away network namespaces (root only): a private loopback where a test may use
 * fixed ports such as 123, which ntpdig cannot change.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PeerFailedError } from "../errors.js";
import { requireProgram } from "./programs.js";

const run = promisify(execFile);
let counter = 0;

export interface Netns {
  /** Its name, `cs-<pid>-<n>`. */
  readonly name: string;
  /** Prefix that runs a command inside: `["ip", "netns", "exec", name]`. */
  readonly wrap: readonly string[];
}

/**
 * Creates a namespace with `lo` up, runs `fn` in it, and deletes the namespace afterwards
 * (also when `fn` throws). Processes started inside must be stopped by `fn`.
 */
export async function withNetns<T>(fn: (ns: Netns) => Promise<T>): Promise<T> {
  const ip = requireProgram("ip");
  const name = `cs-${process.pid}-${counter++}`;
  try {
    await run(ip, ["netns", "add", name]);
    await run(ip, ["-n", name, "link", "set", "lo", "up"]);
  } catch (err) {
    await run(ip, ["netns", "del", name]).catch(() => {});
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new PeerFailedError(`cannot create network namespace ${name} (root needed)`, stderr, {
      cause: err,
    });
  }
  try {
    return await fn({ name, wrap: [ip, "netns", "exec", name] });
  } finally {
    await run(ip, ["netns", "del", name]).catch(() => {});
  }
}
