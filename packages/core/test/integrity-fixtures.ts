// Builds real signed logs for the integrity tests: entries chained, batches sealed.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  buildCheckpoint,
  type Checkpoint,
  hashEntry,
  type KeySet,
  keySetEntry,
  type LogEntry,
  type LogExport,
  type SignedCheckpoint,
  signCheckpoint,
  ZERO_HASH,
} from "../src/index.js";

export interface SigningKey {
  privateKey: KeyObject;
  keyId: string;
}

export function freshKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { privateKey, keyId: keySetEntry(privateKey, "2026-01-01T00:00:00Z").keyId };
}

export function keySetOf(...keys: { key: SigningKey; createdAt?: string; retiredAt?: string }[]): KeySet {
  return {
    keys: keys.map((k) => keySetEntry(k.key.privateKey, k.createdAt ?? "2026-01-01T00:00:00Z", k.retiredAt)),
  };
}

/** Entries seq 0..n-1 with a hash chain. */
export function chain(n: number, start = 0, prevHash = ZERO_HASH, kind = "timestamp.normalized"): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = start; i < start + n; i++) {
    const entry: LogEntry = {
      seq: String(i),
      kind,
      time: `2026-11-29T12:00:${String(i % 60).padStart(2, "0")}.123456789Z`,
      payload: {
        sourceId: `node-${i % 3}`,
        originalNs: String(1_700_000_000_000_000_000n + BigInt(i)),
        ok: true,
        n: i / 4,
      },
      prevHash: out.length === 0 ? prevHash : hashEntry(out[out.length - 1]!),
    };
    out.push(entry);
  }
  return out;
}

/**
 * Seals `entries` in batches of `batch` (the tail of a partial batch left unsealed when
 * `sealTail` is false); `signer(i)` picks the key and time of checkpoint i.
 */
export function seal(
  entries: readonly LogEntry[],
  batch: number,
  signer: (i: number) => { key: SigningKey; time: string },
  sealTail = true,
): SignedCheckpoint[] {
  const out: SignedCheckpoint[] = [];
  let previous: Checkpoint | undefined;
  for (let from = 0, i = 0; from < entries.length; from += batch, i++) {
    const slice = entries.slice(from, from + batch);
    if (slice.length < batch && !sealTail) break;
    const { key, time } = signer(i);
    const cp = buildCheckpoint(slice, previous, { logId: "test-log", time, keyId: key.keyId });
    out.push(signCheckpoint(cp, key.privateKey));
    previous = cp;
  }
  return out;
}

export function exportOf(entries: LogEntry[], checkpoints: SignedCheckpoint[]): LogExport {
  return { version: 1, entries, checkpoints };
}

/** `T` with every `readonly` removed, all the way down: what a tamper test may edit. */
export type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/** A deep copy to tamper with. */
export function clone<T>(value: T): DeepMutable<T> {
  return JSON.parse(JSON.stringify(value)) as DeepMutable<T>;
}
