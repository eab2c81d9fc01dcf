#!/usr/bin/env node
/**
 * Builds the agent into one file (issue 3 §8 "Lightweight"):
 * packages/agent/dist-bundle/chronosync-agent.mjs, with only `chronosync agent` and
 * `chronosync status` (entry packages/cli/src/agent-entry.ts), no server, database or
 * dashboard code. Bundles the workspace packages from their TypeScript sources, so no
 * `tsc -b` is needed first. Also writes meta.json (esbuild's metafile) next to it.
 *
 * The optional native addon (packages/protocols/native/build/ntp_udp.node) is not
 * bundled: the bundle loads $CHRONOSYNC_NATIVE_ADDON if set, else the addon at its place
 * in this repository relative to the bundle, and falls back to node:dgram if neither loads.
 *
 * Usage: node packages/agent/scripts/bundle.mjs [--outdir DIR] [--quiet]
 * Prints the bundle's path and size. Exports `bundleAgent()` for tests.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const DEFAULT_OUTDIR = join(ROOT, "packages/agent/dist-bundle");
export const BUNDLE_NAME = "chronosync-agent.mjs";
const ADDON = join(ROOT, "packages/protocols/native/build/ntp_udp.node");
const ADDON_LINE = 'const ADDON_PATH = "../../native/build/ntp_udp.node";';

/**
 * V8 flags in the bundle's shebang (the file is executable): the agent's work is a few
 * packets per poll, so it trades V8's optimizing compiler and a large young generation for
 * memory. Measured with bench/agent-overhead.mjs (4 sources, 16 s poll, 2 min): RSS median
 * 53.7 MiB without, 46.8 MiB with, CPU 0.100 % vs 0.083 % of one core. Most of the RSS is
 * the node binary's own pages, shared with every other node process. Run
 * `node chronosync-agent.mjs …` to get V8's defaults back (e.g. for a relay answering
 * thousands of downstream clients a second). `--lite-mode` implies no WebAssembly; saying
 * `--no-expose-wasm` keeps V8 from warning about it on every start.
 */
export const NODE_FLAGS = ["--lite-mode", "--no-expose-wasm", "--max-semi-space-size=1"];

const src = (name) => join(ROOT, `packages/${name}/src/index.ts`);

/** Points native-addon.ts's relative addon path at the addon as seen from the bundle. */
function nativeAddonPath(outdir) {
  return {
    name: "native-addon-path",
    setup(b) {
      b.onLoad({ filter: /[\\/]protocols[\\/]src[\\/]ntp[\\/]native-addon\.ts$/ }, async (args) => {
        const text = await readFile(args.path, "utf8");
        if (!text.includes(ADDON_LINE))
          throw new Error(`${args.path} no longer has ${ADDON_LINE} (update bundle.mjs)`);
        let rel = relative(outdir, ADDON).split("\\").join("/");
        if (!rel.startsWith(".")) rel = `./${rel}`;
        const line = `const ADDON_PATH = process.env.CHRONOSYNC_NATIVE_ADDON || ${JSON.stringify(rel)};`;
        return { contents: text.replace(ADDON_LINE, line), loader: "ts" };
      });
    },
  };
}

/** Builds the bundle; resolves with its path, size in bytes and esbuild's metafile. */
export async function bundleAgent({ outdir = DEFAULT_OUTDIR } = {}) {
  outdir = resolve(outdir);
  const outfile = join(outdir, BUNDLE_NAME);
  const pkg = JSON.parse(await readFile(join(ROOT, "packages/cli/package.json"), "utf8"));
  const result = await build({
    absWorkingDir: ROOT,
    stdin: {
      contents:
        'import { agentMain } from "./packages/cli/src/agent-entry.ts";\n' +
        "process.exitCode = await agentMain(process.argv.slice(2));\n",
      resolveDir: ROOT,
      sourcefile: "agent-bundle-main.ts",
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    legalComments: "none",
    outfile,
    metafile: true,
    logLevel: "silent",
    // yaml is CommonJS and calls require("process"): give the ESM bundle a real require.
    banner: {
      js:
        `#!/usr/bin/env -S node ${NODE_FLAGS.join(" ")}\n` +
        'import { createRequire as __chronosyncCreateRequire } from "node:module";\n' +
        "const require = __chronosyncCreateRequire(import.meta.url);",
    },
    define: { CHRONOSYNC_VERSION: JSON.stringify(pkg.version) },
    alias: {
      "@chronosync/core": src("core"),
      "@chronosync/protocols": src("protocols"),
      "@chronosync/agent": src("agent"),
    },
    plugins: [nativeAddonPath(outdir)],
  });
  await chmod(outfile, 0o755);
  await writeFile(join(outdir, "meta.json"), JSON.stringify(result.metafile));
  const bytes = result.metafile.outputs[relative(ROOT, outfile).split("\\").join("/")]?.bytes;
  return { outfile, bytes, metafile: result.metafile };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { outdir: { type: "string" }, quiet: { type: "boolean" } } });
  const { outfile, bytes, metafile } = await bundleAgent({ outdir: values.outdir });
  if (!values.quiet) {
    const inputs = Object.keys(metafile.inputs).length;
    console.log(
      `${relative(process.cwd(), outfile) || outfile}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), ` +
        `${inputs} inputs`,
    );
  }
}
