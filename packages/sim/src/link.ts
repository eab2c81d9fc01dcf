/**
 * Network links. A {@link Path} is one direction: a fixed base delay plus jitter from a
 * distribution, a loss probability, and reordering (with some probability a packet is
 * held for an extra, bounded delay, so later packets overtake it). A {@link Link} is a
 * pair of paths, `up` (a → b) and `down` (b → a); their base delays differ by the
 * asymmetry. Each transit reports the delay actually applied — the ground truth.
 */
import { type Duration, InvalidArgumentError } from "@chronosync/core";
import {
  compileJitter,
  type JitterDistribution,
  type JitterSampler,
  jitterBoundNs,
} from "./distributions.js";
import type { Prng } from "./prng.js";

export interface PathOptions {
  /** Fixed one-way delay (propagation + serialization), ns. */
  delayNs: Duration;
  /** Extra random delay per packet. Default none. */
  jitter?: JitterDistribution;
  /** Probability that a packet is dropped. Default 0. */
  lossProbability?: number;
  /** With `probability`, hold a packet for an extra delay uniform on [0, maxExtraNs]. */
  reorder?: { probability: number; maxExtraNs: Duration };
}

/** The fate of one packet on a path. `delayNs = baseNs + jitterNs + extraNs`. */
export type Transit =
  | { lost: true }
  | { lost: false; delayNs: Duration; jitterNs: Duration; extraNs: Duration; reordered: boolean };

/** Counters of one path. */
export interface PathStats {
  sent: number;
  lost: number;
  reordered: number;
}

function probability(name: string, p: number | undefined): number {
  const value = p ?? 0;
  if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError(`${name} must be in [0, 1], got ${p}`);
  return value;
}

/** One direction of a link. */
export class Path {
  /** Fixed part of the delay. */
  readonly baseNs: Duration;
  /** Smallest delay a delivered packet can see (= base). */
  readonly minDelayNs: Duration;
  /** Largest delay a delivered packet can see, or null when the jitter is unbounded. */
  readonly maxDelayNs: Duration | null;
  readonly stats: PathStats = { sent: 0, lost: 0, reordered: 0 };
  private readonly prng: Prng;
  private readonly jitter: JitterSampler;
  private readonly loss: number;
  private readonly reorderP: number;
  private readonly reorderMax: number;

  constructor(options: PathOptions, prng: Prng) {
    if (options.delayNs < 0n)
      throw new InvalidArgumentError(`path delay must be ≥ 0, got ${options.delayNs}`);
    const jitter = options.jitter ?? { kind: "none" };
    this.baseNs = options.delayNs;
    this.prng = prng;
    this.jitter = compileJitter(jitter);
    this.loss = probability("lossProbability", options.lossProbability);
    this.reorderP = probability("reorder.probability", options.reorder?.probability);
    const extra = options.reorder?.maxExtraNs ?? 0n;
    if (extra < 0n) throw new InvalidArgumentError(`reorder.maxExtraNs must be ≥ 0, got ${extra}`);
    this.reorderMax = this.reorderP > 0 ? Number(extra) : 0;
    const bound = jitterBoundNs(jitter);
    this.minDelayNs = this.baseNs;
    this.maxDelayNs = bound === null ? null : this.baseNs + bound + BigInt(this.reorderMax);
  }

  /** Decides the fate of one packet (draws from the path's own stream). */
  transit(): Transit {
    const prng = this.prng;
    this.stats.sent++;
    if (prng.chance(this.loss)) {
      this.stats.lost++;
      return { lost: true };
    }
    const jitterNs = this.jitter(prng);
    let extraNs = 0n;
    const reordered = prng.chance(this.reorderP);
    if (reordered) {
      extraNs = BigInt(Math.round(prng.next() * this.reorderMax));
      this.stats.reordered++;
    }
    return { lost: false, delayNs: this.baseNs + jitterNs + extraNs, jitterNs, extraNs, reordered };
  }
}

export interface LinkOptions {
  /** Direction a → b (for a client/server link: client → server). */
  up: PathOptions;
  /** Direction b → a. Default: same options as `up` (its own random stream). */
  down?: PathOptions;
}

/** A bidirectional link; give it its own stream (`sim.prng.fork("link:a-b")`). */
export class Link {
  readonly up: Path;
  readonly down: Path;

  constructor(options: LinkOptions, prng: Prng) {
    this.up = new Path(options.up, prng.fork("up"));
    this.down = new Path(options.down ?? options.up, prng.fork("down"));
  }

  /** Base-delay asymmetry `up − down`, ns. */
  get asymmetryNs(): Duration {
    return this.up.baseNs - this.down.baseNs;
  }
}

/**
 * Link options from a mean one-way base delay and an asymmetry `A = up − down`:
 * up = delay + A/2, down = delay − A/2 (rounded so that up − down = A exactly).
 */
export function asymmetricLink(
  options: { delayNs: Duration; asymmetryNs?: Duration } & Omit<PathOptions, "delayNs">,
): LinkOptions {
  const { delayNs, asymmetryNs = 0n, ...rest } = options;
  const half = asymmetryNs / 2n;
  const up = delayNs + half;
  const down = up - asymmetryNs;
  if (up < 0n || down < 0n) {
    throw new InvalidArgumentError(`asymmetry ${asymmetryNs} too large for delay ${delayNs}`);
  }
  return { up: { ...rest, delayNs: up }, down: { ...rest, delayNs: down } };
}
