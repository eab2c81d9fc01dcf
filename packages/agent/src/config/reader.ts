/** File access of the configuration loader, injected so tests need no filesystem. */
import { readdirSync, readFileSync } from "node:fs";

export interface ConfigReader {
  /** The file's text; throws (e.g. an error with `code: "ENOENT"`) when it cannot be read. */
  readFile(path: string): string;
  /** Names of the entries of a directory; throws when it cannot be listed. */
  listDir?(path: string): readonly string[];
}

/** The real filesystem through node:fs. */
export const nodeConfigReader: ConfigReader = {
  readFile: (path) => readFileSync(path, "utf8"),
  listDir: (path) => readdirSync(path),
};

/** A short reason for a read failure: the errno code when there is one. */
export function describeReadError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}
