/**
 * The master key (32 bytes) that encrypts signing keys at rest: from
 * `CHRONOSYNC_MASTER_KEY` (base64) or `<dataDir>/master.key`, generated with 0600
 * permissions at first start. Several server processes on one external PostgreSQL must
 * share it (set the variable on each).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MasterKeyError } from "../errors.js";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== KEY_BYTES)
    throw new MasterKeyError(`${where} must be base64 of exactly 32 bytes`);
  return key;
}

/**
 * Loads the master key: `fromEnv` when given, else the key file (created on first use;
 * an existing file readable by group or others is tightened to 0600).
 */
export async function loadMasterKey(dataDir: string, fromEnv: string | undefined): Promise<Buffer> {
  if (fromEnv !== undefined) return decodeKey(fromEnv, "CHRONOSYNC_MASTER_KEY");
  const file = join(dataDir, "master.key");
  await mkdir(dataDir, { recursive: true });
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
    return decodeKey(await readFile(file, "utf8"), file);
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ENOENT") throw err;
  }
  const key = randomBytes(KEY_BYTES);
  await writeFile(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" }).catch(
    async (err: unknown) => {
      // Another process created it first: use theirs.
      if ((err as { code?: unknown }).code !== "EEXIST") throw err;
    },
  );
  return decodeKey(await readFile(file, "utf8"), file);
}

/**
 * AES-256-GCM encryption with a random 12-byte IV and `aad` authenticated; returns
 * base64 of `iv || ciphertext || tag`. @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
 */
export function sealSecret(masterKey: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
}

/** Inverse of {@link sealSecret}; a wrong key, AAD or any altered byte throws MasterKeyError. */
export function openSecret(masterKey: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, "base64");
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new MasterKeyError("sealed secret is truncated");
  const decipher = createDecipheriv("aes-256-gcm", masterKey, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (err) {
    throw new MasterKeyError(`cannot decrypt ${aad}: wrong master key or altered data`, { cause: err });
  }
}
