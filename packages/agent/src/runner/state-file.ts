/**
 * The agent's state file on disk (issue 3 §11; the codec is `sync/agent-state.ts`): read
 * once at start, written atomically — a temporary file in the same directory, then
 * `rename` — every few minutes and on a clean shutdown, so a crash or a full disk never
 * leaves a half-written file behind.
 *
 * Faults never stop the agent. A missing file: one info line, cold start. An unreadable
 * or corrupt one: one warn line naming the file and the reason, cold start. A failed
 * write (full disk, read-only directory, or one that cannot be created — a missing
 * directory is created first): one warn line, repeated only after a
 * write has succeeded again; the temporary file is removed.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import { dirname } from "node:path";
import type { LogLevel } from "../config/schema.js";
import { type AgentState, decodeAgentState, encodeAgentState } from "../sync/agent-state.js";

/** The file operations the state file needs (node:fs/promises by default; faked in tests). */
export interface StateFileFs {
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Creates the directory and its parents when missing. */
  mkdir(path: string): Promise<void>;
}

export const nodeStateFileFs: StateFileFs = {
  readFile: (path) => fs.readFile(path, "utf8"),
  writeFile: (path, data) => fs.writeFile(path, data, { encoding: "utf8", mode: 0o644 }),
  rename: (from, to) => fs.rename(from, to),
  unlink: (path) => fs.unlink(path),
  mkdir: async (path) => {
    await fs.mkdir(path, { recursive: true, mode: 0o755 });
  },
};

const reasonOf = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string") return e.code;
  return err instanceof Error ? err.message : String(err);
};

/** Reads and writes one state file, logging each fault once. */
export class StateFile {
  readonly path: string;
  readonly #fs: StateFileFs;
  readonly #log: (level: LogLevel, message: string) => void;
  #writeFailing = false;

  constructor(
    path: string,
    log: (level: LogLevel, message: string) => void,
    fsOps: StateFileFs = nodeStateFileFs,
  ) {
    this.path = path;
    this.#fs = fsOps;
    this.#log = log;
  }

  /** The saved state, or undefined (missing, unreadable or corrupt: logged). Never throws. */
  async load(): Promise<AgentState | undefined> {
    let text: string;
    try {
      text = await this.#fs.readFile(this.path);
    } catch (err) {
      if (reasonOf(err) === "ENOENT") {
        this.#log("info", `state file ${this.path} not found: starting cold`);
      } else {
        this.#log("warn", `state file ${this.path} cannot be read (${reasonOf(err)}): starting cold`);
      }
      return undefined;
    }
    const decoded = decodeAgentState(text);
    if (!decoded.ok) {
      this.#log("warn", `state file ${this.path} is corrupt (${decoded.reason}): ignored, starting cold`);
      return undefined;
    }
    return decoded.state;
  }

  /** Writes `state` atomically; false when it failed (logged once). Never throws. */
  async save(state: AgentState): Promise<boolean> {
    const tmp = `${this.path}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const text = encodeAgentState(state);
      try {
        await this.#fs.writeFile(tmp, text);
      } catch (err) {
        if (reasonOf(err) !== "ENOENT") throw err;
        await this.#fs.mkdir(dirname(this.path)); // the directory is missing: create it, once
        await this.#fs.writeFile(tmp, text);
      }
      await this.#fs.rename(tmp, this.path);
    } catch (err) {
      await this.#fs.unlink(tmp).catch(() => undefined);
      if (!this.#writeFailing) {
        this.#log(
          "warn",
          `cannot write state file ${this.path} (${reasonOf(err)}): the frequency will not survive a restart; still serving`,
        );
      }
      this.#writeFailing = true;
      return false;
    }
    if (this.#writeFailing) this.#log("info", `state file ${this.path} written again`);
    this.#writeFailing = false;
    return true;
  }
}
