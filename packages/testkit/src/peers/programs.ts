/**
 * The real peer programs the tests drive, and where they are. A TypeScript twin of
 * `bin/ensure-peers.js` that only checks (it never installs).
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { PeerProgramMissingError } from "../errors.js";

/** libfaketime's preload library on Debian (package `libfaketime`). */
export const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/** [program on PATH or absolute path, Debian package] — keep in step with bin/ensure-peers.js. */
const NEEDED: readonly (readonly [string, string])[] = [
  ["chronyd", "chrony"],
  ["chronyc", "chrony"],
  [LIBFAKETIME, "libfaketime"],
  ["faketime", "faketime"],
  ["ntpdig", "ntpsec-ntpdate"],
  ["ip", "iproute2"],
  ["openssl", "openssl"],
];

/** sbin folders too: a non-login root shell may lack them, and chronyd lives there. */
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/** The absolute path of `program` on PATH (or the sbin folders), or null. */
export function findProgram(program: string): string | null {
  if (program.startsWith("/")) return existsSync(program) ? program : null;
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Debian packages whose programs are missing (empty when all are there). */
export function missingPeerPackages(): string[] {
  return [...new Set(NEEDED.filter(([check]) => findProgram(check) === null).map(([, pkg]) => pkg))];
}

/** Throws PeerProgramMissingError naming the Debian packages to install. */
export function ensurePeerPrograms(): void {
  const missing = missingPeerPackages();
  if (missing.length > 0) throw new PeerProgramMissingError(missing);
}

/** The path of `program`; throws PeerProgramMissingError (with its package) if absent. */
export function requireProgram(program: string): string {
  const path = findProgram(program);
  if (path !== null) return path;
  const pkg = NEEDED.find(([check]) => check === program)?.[1] ?? program;
  throw new PeerProgramMissingError([pkg]);
}
