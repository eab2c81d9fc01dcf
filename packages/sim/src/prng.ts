/**
 * Seeded pseudo-random numbers for the simulator: sfc32 (Chris Doty-Humphrey's "small fast
 * counting" generator, PractRand-clean, period ≥ 2^32) seeded from a string hash.
 *
 * Every random decision of a run comes from one of these, never from `Math.random`, so a
 * seed fixes the run. {@link Prng.fork} derives an independent stream from the seed and a
 * label (not from the parent's state), so adding a node or a link leaves the streams of
 * the others untouched.
 */

/** cyrb128 (bryc): a fast 128-bit string hash, used to expand a seed into sfc32's state. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const TWO_PI = 2 * Math.PI;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** A seed: any integer or string. Equal seeds give equal streams. */
export type Seed = number | string;

/** A deterministic random stream. Not cryptographic: use it for simulation only. */
export class Prng {
  /** The label path this stream was derived from, e.g. `"42/link:a>b"`. */
  readonly key: string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: Seed) {
    this.key = String(seed);
    [this.a, this.b, this.c, this.d] = cyrb128(this.key);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream named by `label`; the same seed and label give the same stream. */
  fork(label: string | number): Prng {
    return new Prng(`${this.key}/${label}`);
  }

  /** A copy of this stream in its current state: both then yield the same values. */
  clone(): Prng {
    const copy = Object.create(Prng.prototype) as Prng;
    Object.assign(copy, this);
    return copy;
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Uniform on [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [0, n) for 0 < n ≤ 2^32 (unbiased: rejection sampling). */
  int(n: number): number {
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** True with probability `p` (0 → never, 1 → always; draws nothing when p ≤ 0). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    return this.next() < p;
  }

  /** Normal with the given mean and standard deviation (Box–Muller, one value per call). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.next(); // (0, 1]: log stays finite
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2);
  }

  /** Exponential with the given mean (inverse transform). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Log-normal: `exp(N(mu, sigma))`. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** `n` random bytes, e.g. for the NTP client's random transmit timestamp. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let word = this.nextUint32();
      for (let j = i; j < Math.min(n, i + 4); j++) {
        out[j] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }
}
