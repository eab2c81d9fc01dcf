// `chronosync agent`: an invalid configuration starts nothing, names the file and the key
// path, exits 2; a good one runs until stopped and exits 0. The spawned case runs the
// built command (`npx tsc -b` first).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_HELP, runAgent } from "../src/commands/agent.js";
import type { CliContext } from "../src/context.js";
import { freeTcpPort, runCli } from "./helpers/run-cli.js";

function fakeContext(stop: Promise<string> = new Promise(() => {})) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    waitForStop: () => stop,
  };
  return { ctx, out: () => out.join(""), err: () => err.join("") };
}

describe("chronosync agent", () => {
  let dir = "";
  let bad = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "chronosync-agent-cli-"));
    bad = join(dir, "bad.yaml");
    await writeFile(
      bad,
      ["sources:", "  - ntp://127.0.0.1:1", "  - 42", "minPoll: fast", "api:", "  listen: nowhere"].join(
        "\n",
      ),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("prints its help", async () => {
    const f = fakeContext();
    expect(await runAgent(["--help"], f.ctx)).toBe(0);
    expect(f.out()).toBe(AGENT_HELP);
  });

  it("rejects an invalid file in-process: exit 2, every problem with file and key path, nothing started", async () => {
    const f = fakeContext();
    expect(
      await runAgent(["--config", bad], f.ctx, { env: {}, onStarted: () => expect.fail("started") }),
    ).toBe(2);
    const lines = f.err().trimEnd().split("\n");
    expect(lines[0]).toBe("chronosync: invalid agent configuration (3 problems), not started:");
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^  ${bad.replace(/[.]/g, "\\.")}: sources\\[1\\]: expected .*, got 42$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^  ${bad.replace(/[.]/g, "\\.")}: minPoll: expected an integer in -7\\.\\.17, got "fast"$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^  ${bad.replace(/[.]/g, "\\.")}: api\\.listen: expected .*, got "nowhere"$`),
      ),
    ]);
    expect(f.out()).toBe("");
  });

  it("runs until stopped and exits 0", async () => {
    let stop: (signal: string) => void = () => {};
    const f = fakeContext(new Promise((r) => (stop = r)));
    let started = false;
    const code = runAgent(
      [
        "--source",
        "ntp://127.0.0.1:9?minpoll=-2&maxpoll=0",
        "--api-listen",
        `127.0.0.1:${await freeTcpPort()}`,
      ],
      f.ctx,
      {
        env: {},
        onStarted: () => {
          started = true;
          setTimeout(() => stop("SIGTERM"), 100);
        },
      },
    );
    expect(await code).toBe(0);
    expect(started).toBe(true);
    expect(f.err()).toContain("chronosync agent: info: using 1 source from --source");
    expect(f.err()).toContain("chronosync agent: info: stopped by SIGTERM");
  });

  it("rejects a malformed --chronyd before starting anything (exit 2)", async () => {
    const f = fakeContext();
    expect(
      await runAgent(["--chronyd", "nowhere"], f.ctx, { env: {}, onStarted: () => expect.fail("started") }),
    ).toBe(2);
    expect(f.err()).toContain(
      `--chronyd: chronyd: expected an absolute socket path, host:port or "off", got "nowhere"`,
    );
  });

  it("--chronyd off: the start line says so, and the API still listens", async () => {
    let stop: (signal: string) => void = () => {};
    const f = fakeContext(new Promise((r) => (stop = r)));
    const code = runAgent(
      [
        "--source",
        "ntp://127.0.0.1:9?minpoll=-2&maxpoll=0",
        "--api-listen",
        `127.0.0.1:${await freeTcpPort()}`,
        "--chronyd",
        "off",
      ],
      f.ctx,
      { env: {}, onStarted: () => void setTimeout(() => stop("SIGINT"), 100) },
    );
    expect(await code).toBe(0);
    expect(f.err()).toMatch(/info: started: .*chronyd via off, local API on http:\/\/127\.0\.0\.1:\d+/);
  });

  it("the built command exits 2 on a bad file with the file and key path on stderr", async () => {
    const run = await runCli(["agent", "--config", bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${bad}: minPoll: expected an integer in -7..17, got "fast"`);
    expect(run.stderr).toContain(`${bad}: sources[1]:`);
  });
});
