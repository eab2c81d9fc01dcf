#!/usr/bin/env node
// Runs every benchmark in turn with its defaults (build first: `npx tsc -b`).
// Each prints its figures as one JSON document on stdout, progress on stderr.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

for (const script of ["serving-rate.js", "query-accuracy.js"]) {
  execFileSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: "inherit" });
}
