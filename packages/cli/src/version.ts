import { readFileSync } from "node:fs";

/** The package version, read from package.json next to `src/` and `dist/`. */
export function readVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const version = (pkg as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}
