/**
 * The file operations the report buffer and the credentials store need, behind a small
 * interface so unit tests can fake faults. {@link nodeBufferFs} is the real one: appends
 * and atomic writes are fsync'd before they resolve.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

export interface BufferFs {
  /** Creates the directory (and parents) if missing, with `mode`. */
  mkdir(dir: string, mode?: number): Promise<void>;
  /** File names in `dir`. */
  readdir(dir: string): Promise<string[]>;
  /** A file's text; rejects with code ENOENT when missing. */
  readFile(file: string): Promise<string>;
  /** Appends `data` and fsyncs before resolving. */
  append(file: string, data: string): Promise<void>;
  /** Cuts a file to `bytes`. */
  truncate(file: string, bytes: number): Promise<void>;
  /** Writes `data` to a temporary file beside `file` (fsync'd, `mode`), then renames it over `file`. */
  writeAtomic(file: string, data: string, mode?: number): Promise<void>;
  unlink(file: string): Promise<void>;
  /** fsyncs a directory, so a file created or renamed in it survives a power loss. */
  syncDir(dir: string): Promise<void>;
}

/** node:fs/promises, with fsync on every append and atomic write. */
export const nodeBufferFs: BufferFs = {
  async mkdir(dir, mode = 0o700) {
    await fs.mkdir(dir, { recursive: true, mode });
  },
  readdir: (dir) => fs.readdir(dir),
  readFile: (file) => fs.readFile(file, "utf8"),
  async append(file, data) {
    const h = await fs.open(file, "a", 0o600);
    try {
      await h.writeFile(data, "utf8");
      await h.datasync();
    } finally {
      await h.close();
    }
  },
  truncate: (file, bytes) => fs.truncate(file, bytes),
  async writeAtomic(file, data, mode = 0o600) {
    const tmp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${randomBytes(4).toString("hex")}.tmp`,
    );
    try {
      const h = await fs.open(tmp, "w", mode);
      try {
        await h.writeFile(data, "utf8");
        await h.sync();
      } finally {
        await h.close();
      }
      await fs.rename(tmp, file);
      await nodeBufferFs.syncDir(path.dirname(file));
    } catch (err) {
      await fs.unlink(tmp).catch(() => undefined);
      throw err;
    }
  },
  unlink: (file) => fs.unlink(file),
  async syncDir(dir) {
    const h = await fs.open(dir, "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  },
};

/** `ENOSPC`, `EACCES`…, or the message. */
export function fsReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string") return e.code;
  return err instanceof Error ? err.message : String(err);
}
