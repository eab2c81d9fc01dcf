/**
 * The client credentials the server issued at enrollment, kept in one JSON file with 0600
 * permissions (written atomically), so the agent enrolls once. A file for another server
 * URL is ignored (the agent enrolls with that server instead).
 */
import { type BufferFs, fsReason, nodeBufferFs } from "./buffer-fs.js";

/** What `POST /api/agents/enroll` returned, with the server it belongs to. */
export interface Credentials {
  /** Server base URL, ending in `/`. */
  readonly server: string;
  readonly nodeId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

export class CredentialsStore {
  readonly file: string;
  readonly #fs: BufferFs;

  constructor(file: string, fs: BufferFs = nodeBufferFs) {
    this.file = file;
    this.#fs = fs;
  }

  /** The saved credentials for `server`, or undefined (missing, other server, corrupt: `problem` says which). */
  async load(server: string): Promise<{ credentials?: Credentials; problem?: string }> {
    let text: string;
    try {
      text = await this.#fs.readFile(this.file);
    } catch (err) {
      return fsReason(err) === "ENOENT" ? {} : { problem: `cannot read ${this.file} (${fsReason(err)})` };
    }
    let c: Partial<Credentials>;
    try {
      c = JSON.parse(text) as Partial<Credentials>;
    } catch {
      return { problem: `${this.file} is corrupt` };
    }
    const ok = [c.server, c.nodeId, c.clientId, c.clientSecret].every(
      (v) => typeof v === "string" && v !== "",
    );
    if (!ok) return { problem: `${this.file} is corrupt` };
    if (c.server !== server) return { problem: `${this.file} is for another server (${c.server})` };
    return { credentials: { ...(c as Credentials), scopes: Array.isArray(c.scopes) ? c.scopes : [] } };
  }

  /** Writes the file atomically with mode 0600. Throws the fs error. */
  async save(credentials: Credentials): Promise<void> {
    await this.#fs.writeAtomic(this.file, `${JSON.stringify(credentials, null, 2)}\n`, 0o600);
  }
}
