/** Small helpers shared by the selection stages; not exported from the package. */

import { InvalidArgumentError } from "../errors.js";
import type { Duration } from "../time.js";

/** Throws {@link InvalidArgumentError} when two candidates share an id. */
export function assertUniqueIds(candidates: readonly { readonly id: string }[]): void {
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.id)) throw new InvalidArgumentError(`duplicate source id ${JSON.stringify(c.id)}`);
    seen.add(c.id);
  }
}

/** Deterministic id order, so results do not depend on the order of the input. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A nanosecond count from a finite float, rounded to the nearest integer. */
export function roundNs(value: number): Duration {
  return BigInt(Math.round(value));
}
