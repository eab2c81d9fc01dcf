/** One timestamp of a normalize request (seeds/000 §6), free of imports so pure code and tests can use it. */
export interface NormalizeTimestamp {
  /** Epoch milliseconds, an RFC 3339 string or a string of epoch nanoseconds. */
  readonly value: number | string;
  /** Seconds. */
  readonly precision?: number;
  readonly source?: string;
}
