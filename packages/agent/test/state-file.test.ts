// The agent's state file (issue 3 §11): codec, warm start, atomic writes and every fault
// (missing, corrupt, unreadable, unwritable directory, full disk) as one log line.

import * as fs from "node:fs/promises";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentState,
  decodeAgentState,
  encodeAgentState,
  nodeStateFileFs,
  StateFile,
  SyncEngine,
  warmStartSigmaPpm,
} from "../src/index.js";

const S = 1_000_000_000n;
const T0 = 1_700_000_000n * S;
const STATE: AgentState = { version: 1, savedAtNs: T0, frequencyPpm: -12.345, frequencySigmaPpm: 0.02 };

function logger() {
  const lines: string[] = [];
  return { lines, log: (level: string, message: string) => lines.push(`${level}: ${message}`) };
}

describe("state codec", () => {
  it("round-trips and rejects corrupt or foreign text with a reason", () => {
    expect(decodeAgentState(encodeAgentState(STATE))).toEqual({ ok: true, state: STATE });
    for (const [text, reason] of [
      ["{not json", "not JSON"],
      ["[1]", "not a JSON object"],
      ['{"version":2}', "unknown version 2"],
      ['{"version":1,"savedAtNs":12,"frequencyPpm":1,"frequencySigmaPpm":1}', "savedAtNs"],
      ['{"version":1,"savedAtNs":"12","frequencyPpm":900,"frequencySigmaPpm":1}', "frequencyPpm"],
      ['{"version":1,"savedAtNs":"12","frequencyPpm":1,"frequencySigmaPpm":-1}', "frequencySigmaPpm"],
      ["", "not JSON"],
    ] as const) {
      const d = decodeAgentState(text);
      expect(d.ok, text).toBe(false);
      if (!d.ok) expect(d.reason, text).toContain(reason);
    }
  });

  it("widens the saved sigma for a restart and for the time since, never beyond a cold start", () => {
    expect(warmStartSigmaPpm(STATE, T0 + 60n * S, 100)).toBeCloseTo(Math.hypot(0.02, 1), 3);
    expect(warmStartSigmaPpm(STATE, T0 + 10n * 86_400n * S, 100)).toBeCloseTo(Math.hypot(0.02, 1, 10), 3);
    expect(warmStartSigmaPpm(STATE, T0 + 1000n * 86_400n * S, 100)).toBe(100);
    // A clock that went backwards counts the age the other way.
    expect(warmStartSigmaPpm(STATE, T0 - 10n * 86_400n * S, 100)).toBeCloseTo(Math.hypot(0.02, 1, 10), 3);
  });
});

describe("engine warm start", () => {
  it("seeds the servo before the first update, exports the state after it", () => {
    const engine = new SyncEngine({ sources: ["a"] });
    expect(engine.exportState(T0)).toBeUndefined();
    const sigma = engine.warmStart(STATE, T0 + 60n * S);
    expect(sigma).toBeCloseTo(Math.hypot(0.02, 1), 3);
    engine.clock.update({ localNs: T0 + 61n * S, offsetNs: 5_000n, rootDistanceNs: 0n, uncertaintyNs: 100 });
    const saved = engine.exportState(T0 + 62n * S);
    expect(saved?.frequencyPpm).toBeCloseTo(-12.345, 6);
    expect(saved?.frequencySigmaPpm).toBeCloseTo(sigma ?? 0, 3);
    expect(saved?.savedAtNs).toBe(T0 + 62n * S);
    // 64 s after the first update the bound is ~1 ppm × 64 s wide, not ~100 ppm × 64 s.
    const h = engine.clock.now(T0 + 125n * S).halfWidthNs;
    expect(h).toBeLessThan(1_000_000n);
    expect(engine.warmStart(STATE, T0 + 200n * S)).toBeUndefined();
  });
});

describe("StateFile on disk", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "chronosync-state-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes atomically (no temporary file left) and reads back", async () => {
    const { lines, log } = logger();
    const file = new StateFile(join(dir, "ok.json"), log);
    expect(await file.save(STATE)).toBe(true);
    expect(await file.save({ ...STATE, frequencyPpm: 3 })).toBe(true);
    expect(await readdir(dir)).toEqual(["ok.json"]);
    expect(JSON.parse(await readFile(join(dir, "ok.json"), "utf8")).frequencyPpm).toBe(3);
    expect(await file.load()).toEqual({ ...STATE, frequencyPpm: 3 });
    expect(lines).toEqual([]);
  });

  it("a missing file is one info line; a corrupt or unreadable one one warning; all start cold", async () => {
    const { lines, log } = logger();
    expect(await new StateFile(join(dir, "missing.json"), log).load()).toBeUndefined();
    await writeFile(join(dir, "corrupt.json"), '{"version":1,"savedAtNs":"1","frequ');
    expect(await new StateFile(join(dir, "corrupt.json"), log).load()).toBeUndefined();
    // A directory where the file should be: EISDIR, even for root.
    expect(await new StateFile(dir, log).load()).toBeUndefined();
    expect(lines).toEqual([
      `info: state file ${join(dir, "missing.json")} not found: starting cold`,
      `warn: state file ${join(dir, "corrupt.json")} is corrupt (not JSON): ignored, starting cold`,
      `warn: state file ${dir} cannot be read (EISDIR): starting cold`,
    ]);
  });

  it("an unwritable path logs one warning, not one per attempt, and says when writing works again", async () => {
    const { lines, log } = logger();
    await writeFile(join(dir, "plain"), "a file, not a directory");
    // A path below a regular file: ENOTDIR, which permissions cannot override (tests run as root).
    const file = new StateFile(join(dir, "plain", "state.json"), log);
    expect(await file.save(STATE)).toBe(false);
    expect(await file.save(STATE)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warn: cannot write state file .*plain\/state\.json \(ENOTDIR\): .*still serving$/,
    );
  });

  it("creates a missing directory for the file", async () => {
    const { lines, log } = logger();
    const path = join(dir, "new", "deeper", "state.json");
    const file = new StateFile(path, log);
    expect(await file.save(STATE)).toBe(true);
    expect(await file.load()).toEqual(STATE);
    expect(lines).toEqual([]);
  });

  it("a full disk (writes to /dev/full) logs ENOSPC, removes the temporary file, recovers", async () => {
    const { lines, log } = logger();
    let full = true;
    const tmpFiles: string[] = [];
    const fsOps = {
      ...nodeStateFileFs,
      writeFile: async (path: string, data: string) => {
        tmpFiles.push(path);
        await fs.writeFile(path, "");
        if (full) await fs.writeFile("/dev/full", data);
        else await fs.writeFile(path, data);
      },
    };
    const file = new StateFile(join(dir, "full.json"), log, fsOps);
    expect(await file.save(STATE)).toBe(false);
    expect(lines).toEqual([
      `warn: cannot write state file ${join(dir, "full.json")} (ENOSPC): the frequency will not survive a restart; still serving`,
    ]);
    expect((await readdir(dir)).filter((f) => f.startsWith("full.json"))).toEqual([]);
    full = false;
    expect(await file.save(STATE)).toBe(true);
    expect(lines.at(-1)).toBe(`info: state file ${join(dir, "full.json")} written again`);
    expect(await file.load()).toEqual(STATE);
    expect(tmpFiles).toHaveLength(2);
  });
});
