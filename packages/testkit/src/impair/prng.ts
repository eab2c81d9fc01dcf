/**
 * Seeded pseudo-random numbers for the impairment relay: sfc32 (Chris Doty-Humphrey's
 * Small Fast Counter, PractRand-clean), seeded through splitmix32 so that nearby seeds
 * give unrelated streams. Same seed, same packet order → same impairments.
 */
import { InvalidArgumentError } from "@chronosync/core";

export type Random = () => number;

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A uniform generator on [0, 1) with 32 random bits. `stream` separates independent streams. */
export function createRandom(seed: number, stream = 0): Random {
  const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A jitter distribution, in milliseconds, added to a direction's base delay. */
export type JitterSpec =
  | { kind: "none" }
  /** Uniform on [−halfWidthMs, +halfWidthMs]. */
  | { kind: "uniform"; halfWidthMs: number }
  /** Normal with mean 0 and standard deviation sdMs. */
  | { kind: "normal"; sdMs: number }
  /** Exponential with mean meanMs (only ever adds delay, like queueing). */
  | { kind: "exponential"; meanMs: number };

/**
 * One jitter sample in ms from two uniforms `u1`, `u2` in [0, 1). Callers always draw
 * both, so the stream stays aligned whatever the distribution.
 */
export function sampleJitterMs(spec: JitterSpec, u1: number, u2: number): number {
  switch (spec.kind) {
    case "none":
      return 0;
    case "uniform":
      return (2 * u1 - 1) * spec.halfWidthMs;
    case "normal":
      // Box–Muller; 1 − u1 is in (0, 1], so the logarithm is finite.
      return spec.sdMs * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    case "exponential":
      return -spec.meanMs * Math.log(1 - u1);
  }
}

/** Parses `none`, `uniform:0.5`, `normal:0.2`, `exponential:1` (parameters in ms). */
export function parseJitterSpec(text: string): JitterSpec {
  const [kind, param, ...rest] = text.trim().split(":");
  const value = param === undefined ? Number.NaN : Number(param);
  const valid = rest.length === 0 && param !== "" && Number.isFinite(value) && value >= 0;
  switch (kind) {
    case "none":
      if (param === undefined || (valid && value === 0)) return { kind: "none" };
      break;
    case "uniform":
      if (valid) return { kind: "uniform", halfWidthMs: value };
      break;
    case "normal":
      if (valid) return { kind: "normal", sdMs: value };
      break;
    case "exponential":
      if (valid) return { kind: "exponential", meanMs: value };
      break;
  }
  throw new InvalidArgumentError(
    `invalid jitter ${JSON.stringify(text)}: expected none, uniform:<ms>, normal:<ms> or exponential:<ms>`,
  );
}

/** The inverse of {@link parseJitterSpec}. */
export function formatJitterSpec(spec: JitterSpec): string {
  switch (spec.kind) {
    case "none":
      return "none";
    case "uniform":
      return `uniform:${spec.halfWidthMs}`;
    case "normal":
      return `normal:${spec.sdMs}`;
    case "exponential":
      return `exponential:${spec.meanMs}`;
  }
}
