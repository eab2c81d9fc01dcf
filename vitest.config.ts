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
    // Three files at once on two cores: most test time is waiting (child processes, peers,
    // HTTP Date second boundaries, the database), and two left the cores half idle.
    maxWorkers: timing ? 1 : 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
