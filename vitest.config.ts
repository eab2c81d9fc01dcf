import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/**
 * Two groups. The default runs every `*.test.ts` in parallel files. `*.timing.test.ts` —
 * real-peer tests whose thresholds are tens of microseconds (PTP interop against ptp4l in
 * network namespaces) — run afterwards on their own, one file at a time
 * (`CHRONOSYNC_TEST_GROUP=timing`), so the rest of the suite's load does not decide them.
 */
const timing = process.env.CHRONOSYNC_TEST_GROUP === "timing";

export default defineConfig({
  resolve: {
    alias: [{ find: /^@chronosync\/(core|protocols|sim|testkit|agent|server)$/, replacement: pkg("$1") }],
  },
  test: {
    include: timing ? ["packages/*/test/**/*.timing.test.ts"] : ["packages/*/test/**/*.test.ts"],
    exclude: timing ? configDefaults.exclude : [...configDefaults.exclude, "**/*.timing.test.ts"],
    fileParallelism: !timing,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
