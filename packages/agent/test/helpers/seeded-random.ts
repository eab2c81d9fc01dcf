/** Shared fixtures of the agent's engine tests: time constants and seeded randomness. */
export const S = 1_000_000_000n;
export const MS = 1_000_000n;
export const US = 1_000n;
export const START = 1_700_000_000n * S;

/** A seeded xorshift32 byte generator: the engine's injected randomness. */
export function seededRandom(seed = 0x9e3779b9): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}
