/**
 * Server cookies (RFC 8915 §6): the server keeps no per-client state; each cookie
 * carries the client's keys, sealed under a server master key.
 *
 * ```
 * | Key Id (4) | Nonce (16) | AES-SIV(master[keyId], nonce; AEAD id (2) ‖ 0 (2) ‖ C2S (32) ‖ S2C (32)) |
 * ```
 * 104 bytes, a multiple of 4 so no padding ever reaches the client's copy. Master keys
 * rotate: {@link NtsCookieKeys.rotate} makes a new current key and keeps the last few so
 * cookies issued before a rotation still open (RFC 8915 §6 suggests this scheme).
 *
 * Pure: randomness is injected, no clock (the caller decides when to rotate).
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-6
 */
import { InvalidArgumentError } from "@chronosync/core";
import { openSiv, sealSiv } from "./aead.js";
import { NTS_AEAD_AES_SIV_CMAC_256, NTS_AEAD_KEY_LENGTH, NTS_NONCE_LENGTH } from "./constants.js";

/** The keys one NTS-KE established, as a cookie carries them. */
export interface NtsSessionKeys {
  aeadAlgorithm: number;
  /** Client-to-server key: requests are sealed with it. */
  c2s: Uint8Array;
  /** Server-to-client key: responses are sealed with it. */
  s2c: Uint8Array;
}

/** Length of the cookies {@link NtsCookieKeys} issues. */
export const NTS_COOKIE_LENGTH = 4 + NTS_NONCE_LENGTH + 16 + 4 + 2 * NTS_AEAD_KEY_LENGTH;

/** A server master key and its id, for persisting keys across restarts. */
export interface NtsMasterKey {
  id: number;
  key: Uint8Array;
}

/**
 * The server's master keys: seals and opens cookies.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-6
 */
export class NtsCookieKeys {
  private readonly random: (n: number) => Uint8Array;
  private readonly keep: number;
  private keys: NtsMasterKey[] = [];

  /**
   * `random(n)` gives n cryptographically random bytes; `keep` (default 3) master keys
   * are kept, the newest issuing; `initial` restores saved keys (newest last), else one
   * is made.
   */
  constructor(options: {
    random: (n: number) => Uint8Array;
    keep?: number;
    initial?: readonly NtsMasterKey[];
  }) {
    this.random = options.random;
    this.keep = options.keep ?? 3;
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new InvalidArgumentError("keep must be ≥ 1");
    for (const k of options.initial ?? []) {
      if (k.key.length !== NTS_AEAD_KEY_LENGTH) throw new InvalidArgumentError("master keys are 32 bytes");
      this.keys.push({ id: k.id >>> 0, key: new Uint8Array(k.key) });
    }
    if (this.keys.length === 0) this.rotate();
  }

  /** The keys held, oldest first (the last one issues cookies). */
  get masterKeys(): readonly NtsMasterKey[] {
    return this.keys;
  }

  /** Makes a new current master key, drops the oldest past `keep`; returns its id. */
  rotate(): number {
    const last = this.keys[this.keys.length - 1];
    const id =
      last === undefined ? new DataView(this.random(4).slice().buffer).getUint32(0) : (last.id + 1) >>> 0;
    this.keys.push({ id, key: new Uint8Array(this.random(NTS_AEAD_KEY_LENGTH)) });
    while (this.keys.length > this.keep) this.keys.shift();
    return id;
  }

  /** A new cookie for `session` under the current master key. */
  seal(session: NtsSessionKeys): Uint8Array {
    const master = this.keys[this.keys.length - 1];
    if (master === undefined) throw new InvalidArgumentError("no master key");
    if (session.c2s.length !== NTS_AEAD_KEY_LENGTH || session.s2c.length !== NTS_AEAD_KEY_LENGTH) {
      throw new InvalidArgumentError("session keys are 32 bytes");
    }
    const plaintext = new Uint8Array(4 + 2 * NTS_AEAD_KEY_LENGTH);
    plaintext[0] = session.aeadAlgorithm >>> 8;
    plaintext[1] = session.aeadAlgorithm & 0xff;
    plaintext.set(session.c2s, 4);
    plaintext.set(session.s2c, 4 + NTS_AEAD_KEY_LENGTH);
    const nonce = this.random(NTS_NONCE_LENGTH).subarray(0, NTS_NONCE_LENGTH);
    const cookie = new Uint8Array(NTS_COOKIE_LENGTH);
    new DataView(cookie.buffer).setUint32(0, master.id);
    cookie.set(nonce, 4);
    cookie.set(sealSiv(master.key, [nonce], plaintext), 4 + NTS_NONCE_LENGTH);
    return cookie;
  }

  /**
   * The session keys in `cookie`, or null when it is not one of ours: wrong length, an
   * unknown (rotated out) key id, a failed authentication, or an AEAD we do not speak.
   */
  open(cookie: Uint8Array): NtsSessionKeys | null {
    if (cookie.length !== NTS_COOKIE_LENGTH) return null;
    const id = ((cookie[0]! << 24) | (cookie[1]! << 16) | (cookie[2]! << 8) | cookie[3]!) >>> 0;
    const master = this.keys.find((k) => k.id === id);
    if (master === undefined) return null;
    const nonce = cookie.subarray(4, 4 + NTS_NONCE_LENGTH);
    const plaintext = openSiv(master.key, [nonce], cookie.subarray(4 + NTS_NONCE_LENGTH));
    if (plaintext === null) return null;
    const aeadAlgorithm = (plaintext[0]! << 8) | plaintext[1]!;
    if (aeadAlgorithm !== NTS_AEAD_AES_SIV_CMAC_256) return null;
    return {
      aeadAlgorithm,
      c2s: plaintext.slice(4, 4 + NTS_AEAD_KEY_LENGTH),
      s2c: plaintext.slice(4 + NTS_AEAD_KEY_LENGTH),
    };
  }
}
