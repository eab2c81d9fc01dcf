// Issue 3 §8 "Lightweight": the agent bundles into one file (packages/agent/scripts/bundle.mjs)
// under 1 MB with no server, database or dashboard code, and the bundle synchronizes
// against a real chronyd within 3 s of its start.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ChronydHandle, startChronydServer } from "@chronosync/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { bundleAgent } from "../scripts/bundle.mjs";

const ADDON = fileURLToPath(new URL("../../protocols/native/build/ntp_udp.node", import.meta.url));

interface Metafile {
  inputs: Record<string, { bytes: number }>;
  outputs: Record<string, { bytes: number }>;
}

interface StatusDoc {
  tracking: { status: string; offsetNs: number | null; systemPeer: string | null };
  sources: { id: string; state: string }[];
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(
  bundle: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runExecutable(process.execPath, [bundle, ...args]);
}

function runExecutable(
  file: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the single-file agent bundle", () => {
  let outdir: string;
  let bundle: string;
  let bytes: number;
  let metafile: Metafile;
  let chronyd: ChronydHandle;

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), "chronosync-bundle-"));
    const built = (await bundleAgent({ outdir })) as { outfile: string; bytes: number; metafile: Metafile };
    ({ outfile: bundle, bytes, metafile } = built);
    chronyd = await startChronydServer();
  });
  afterAll(async () => {
    await chronyd?.stop();
    if (outdir !== undefined) await rm(outdir, { recursive: true, force: true });
  });

  it("is one executable ESM file under 1 MB", async () => {
    expect(bytes).toBe((await stat(bundle)).size);
    expect(bytes).toBeLessThan(1_000_000);
    expect(Object.keys(metafile.outputs)).toHaveLength(1);
    const firstLine = (await readFile(bundle, "utf8")).split("\n", 1)[0];
    expect(firstLine).toBe("#!/usr/bin/env -S node --lite-mode --no-expose-wasm --max-semi-space-size=1");
    expect((await stat(bundle)).mode & 0o111).not.toBe(0);
  });

  it("holds only the agent, core, protocols, the CLI's agent/status commands, yaml and @noble crypto", () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.length).toBeGreaterThan(10);
    const allowed =
      /^(packages\/(agent|core|protocols|cli)\/src\/|node_modules\/(yaml|@noble\/(ciphers|hashes|curves))\/|agent-bundle-main\.ts$)/;
    expect(inputs.filter((p) => !allowed.test(p))).toEqual([]);
    const forbidden = /fastify|(^|\/)pg\/|postgres|react|\/sim\/|\/testkit\/|commands\/serve|commands\/query/;
    expect(inputs.filter((p) => forbidden.test(p))).toEqual([]);
    expect(inputs).toContain("packages/cli/src/commands/agent.ts");
    expect(inputs).toContain("packages/cli/src/commands/status.ts");
  });

  it("answers --version and rejects the commands it does not have", async () => {
    expect((await run(bundle, ["--version"])).stdout).toMatch(/^chronosync \d+\.\d+\.\d+\n$/);
    // Run as an executable: its shebang's V8 flags are accepted and print no warning.
    const direct = await runExecutable(bundle, ["--version"]);
    expect(direct).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^chronosync \d+\.\d+\.\d+\n$/),
      stderr: "",
    });
    const serve = await run(bundle, ["serve", "ntp"]);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain("only agent and status");
  });

  // With the addon path given explicitly (set when built), and with a missing addon: dgram.
  for (const variant of ["native addon if built", "dgram fallback"] as const) {
    it(`synchronizes against chronyd within 3 s of start and stops on SIGTERM (${variant})`, async () => {
      const fallback = variant === "dgram fallback";
      const api = `127.0.0.1:${await freeTcpPort()}`;
      const source = `ntp://127.0.0.1:${chronyd.port}?minpoll=-2&maxpoll=0`;
      const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
      if (fallback) env.CHRONOSYNC_NATIVE_ADDON = join(outdir, "no-such-addon.node");
      const started = performance.now();
      const agent = spawn(
        process.execPath,
        [bundle, "agent", "--source", source, "--api-listen", api, "--log-level", "debug"],
        { stdio: ["ignore", "ignore", "pipe"], env },
      );
      let stderr = "";
      agent.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => agent.on("close", resolve));
      let firstSyncMs = Number.POSITIVE_INFINITY;
      let doc: StatusDoc | null = null;
      try {
        while (performance.now() - started < 10_000) {
          const status = await run(bundle, ["status", "--api", api, "--json", "--timeout", "1000"]);
          if (status.code === 0) {
            doc = JSON.parse(status.stdout) as StatusDoc;
            if (doc.tracking.status === "synchronized") {
              firstSyncMs = performance.now() - started;
              break;
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(doc?.tracking.status, stderr).toBe("synchronized");
        expect(doc?.sources[0]?.state).toBe("selected");
        expect(firstSyncMs, stderr).toBeLessThan(3000);
        const transport = fallback || !existsSync(ADDON) ? "dgram" : "native";
        expect(stderr).toContain(`:${chronyd.port} (${transport})`);
      } finally {
        agent.kill("SIGTERM");
      }
      expect(await exited, stderr).toBe(0);
      expect(stderr).toContain("stopped by SIGTERM");
    });
  }
});
