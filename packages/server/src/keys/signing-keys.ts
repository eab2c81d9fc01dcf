/**
 * Ed25519 signing keys of the log. The first start generates one; `rotate()` retires the
 * active key (its public part stays published, so old checkpoints still verify) and
 * makes a new one active. Private keys are stored AES-256-GCM encrypted under the master
 * key with the key id as AAD. Changes run under an advisory lock so concurrent server
 * processes agree on one active key.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { type KeySet, keyIdOf } from "@chronosync/core";
import type pg from "pg";
import { MasterKeyError } from "../errors.js";
import { openSecret, sealSecret } from "./master-key.js";

/** Advisory lock key of signing-key changes ("csky"). */
export const KEY_LOCK = 0x63736b79;

/**
 * Statements (no parameters) that do what {@link SigningKeyStore.activeKey} does — take the
 * key lock shared, select the active key's row — for a caller that sends them with others
 * in one simple query; pass the row to {@link SigningKeyStore.activeKeyOf}.
 */
export const ACTIVE_KEY_SQL = `SELECT pg_advisory_xact_lock_shared(${KEY_LOCK});
SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id LIMIT 1`;

/** The key that signs new checkpoints. */
export interface ActiveKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

interface KeyRow {
  key_id: string;
  public_key: string;
  private_key_encrypted: string;
  created_at: string;
  retired_at: string | null;
}

/** Raw 32-byte Ed25519 public key of a key object. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("not an Ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

/** Reads and writes the `signing_keys` table. */
export class SigningKeyStore {
  readonly #pool: pg.Pool;
  readonly #masterKey: Buffer;
  readonly #now: () => string;
  #cache: ActiveKey | undefined;
  #current: { key: ActiveKey; at: number } | undefined;

  constructor(pool: pg.Pool, masterKey: Buffer, now: () => string) {
    this.#pool = pool;
    this.#masterKey = masterKey;
    this.#now = now;
  }

  /** Makes sure an active key exists (generating the first one) and that it decrypts. */
  async ensureActiveKey(): Promise<string> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [KEY_LOCK]);
      let row = await this.#activeRow(client);
      if (row === undefined) row = await this.#insertNew(client);
      await client.query("COMMIT");
      return this.#decrypt(row).keyId;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Retires the active key and activates a new one; returns the new key id. */
  async rotate(): Promise<{ keyId: string; retiredKeyIds: string[] }> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [KEY_LOCK]);
      const retired = await client.query<{ key_id: string }>(
        "UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL RETURNING key_id",
        [this.#now()],
      );
      const row = await this.#insertNew(client);
      await client.query("COMMIT");
      return { keyId: this.#decrypt(row).keyId, retiredKeyIds: retired.rows.map((r) => r.key_id) };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * The active key as seen by `client`, inside the caller's transaction: takes the key
   * lock shared, so a rotation (exclusive) waits until this transaction commits and
   * stamps `retiredAt` after every checkpoint signed with the old key.
   */
  async activeKey(client: pg.ClientBase): Promise<ActiveKey> {
    await client.query("SELECT pg_advisory_xact_lock_shared($1)", [KEY_LOCK]);
    const row = await this.#activeRow(client);
    if (row === undefined) throw new MasterKeyError("no active signing key (ensureActiveKey was not called)");
    return this.#decrypt(row);
  }

  /**
   * The active key of a row selected by {@link ACTIVE_KEY_SQL} (sent by a caller batching
   * statements into one round trip); undefined when there was no row.
   */
  activeKeyOf(row: unknown): ActiveKey | undefined {
    return row === undefined ? undefined : this.#decrypt(row as KeyRow);
  }

  /**
   * The active key for signing outside the log (time responses), read from the database at
   * most every `maxAgeMs` (a rotation shows within that time; the old key stays published).
   */
  async currentKey(maxAgeMs = 10_000): Promise<ActiveKey> {
    const now = Date.now();
    if (this.#current !== undefined && now - this.#current.at < maxAgeMs) return this.#current.key;
    const result = await this.#pool.query<KeyRow>(
      "SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id LIMIT 1",
    );
    const row = result.rows[0];
    if (row === undefined) throw new MasterKeyError("no active signing key (ensureActiveKey was not called)");
    const key = this.#decrypt(row);
    this.#current = { key, at: now };
    return key;
  }

  /** Every key, active and retired: what `/.well-known/chronosync/keys` publishes. */
  async keySet(): Promise<KeySet> {
    const result = await this.#pool.query<KeyRow>("SELECT * FROM signing_keys ORDER BY created_at, key_id");
    return {
      keys: result.rows.map((row) => ({
        keyId: row.key_id,
        algorithm: "Ed25519" as const,
        publicKey: row.public_key,
        createdAt: row.created_at,
        ...(row.retired_at === null ? {} : { retiredAt: row.retired_at }),
      })),
    };
  }

  async #activeRow(client: pg.ClientBase): Promise<KeyRow | undefined> {
    const result = await client.query<KeyRow>(
      "SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, key_id LIMIT 1",
    );
    return result.rows[0];
  }

  async #insertNew(client: pg.ClientBase): Promise<KeyRow> {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = rawPublicKey(publicKey);
    const keyId = keyIdOf(raw);
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const result = await client.query<KeyRow>(
      `INSERT INTO signing_keys (key_id, algorithm, public_key, private_key_encrypted, created_at)
       VALUES ($1, 'Ed25519', $2, $3, $4) RETURNING *`,
      [keyId, raw.toString("base64"), sealSecret(this.#masterKey, der, keyId), this.#now()],
    );
    return result.rows[0]!;
  }

  #decrypt(row: KeyRow): ActiveKey {
    if (this.#cache?.keyId === row.key_id) return this.#cache;
    const der = openSecret(this.#masterKey, row.private_key_encrypted, row.key_id);
    const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    if (!rawPublicKey(privateKey).equals(Buffer.from(row.public_key, "base64")))
      throw new MasterKeyError(`signing key ${row.key_id}: private key does not match its public key`);
    this.#cache = { keyId: row.key_id, privateKey };
    return this.#cache;
  }
}
