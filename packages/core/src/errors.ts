/**
 * Typed errors with stable codes. Every package has one `errors.ts` with a union of its
 * codes; all of them extend {@link ChronoSyncError} so callers can `switch (err.code)`.
 *
 * The four categories of the product brief are codes of their own here because every
 * package raises them: `NETWORK_FAILURE`, `TIMESTAMP_DIVERGENCE`,
 * `PRECISION_THRESHOLD_EXCEEDED`, `CRYPTO_VERIFICATION_FAILED`.
 */
export type CoreErrorCode =
  | "INVALID_ARGUMENT"
  | "RFC3339_INVALID"
  | "TIMESTAMP_OUT_OF_RANGE"
  | "NETWORK_FAILURE"
  | "TIMESTAMP_DIVERGENCE"
  | "PRECISION_THRESHOLD_EXCEEDED"
  | "CRYPTO_VERIFICATION_FAILED"
  | "CANONICAL_JSON_INVALID";

/** Base class of every error ChronoSync throws on purpose. `code` is stable API. */
export class ChronoSyncError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A caller passed a value outside what the function accepts. */
export class InvalidArgumentError extends ChronoSyncError {
  override readonly code = "INVALID_ARGUMENT" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_ARGUMENT", message, options);
  }
}

/** Text that is not a valid RFC 3339 date-time; `reason` names the problem. */
export class Rfc3339Error extends ChronoSyncError {
  override readonly code = "RFC3339_INVALID" as const;
  readonly input: string;
  readonly reason: string;
  constructor(input: string, reason: string) {
    super("RFC3339_INVALID", `invalid RFC 3339 date-time ${JSON.stringify(input.slice(0, 64))}: ${reason}`);
    this.input = input;
    this.reason = reason;
  }
}

/** An instant that cannot be represented in the requested timestamp format. */
export class TimestampRangeError extends ChronoSyncError {
  override readonly code = "TIMESTAMP_OUT_OF_RANGE" as const;
  constructor(message: string) {
    super("TIMESTAMP_OUT_OF_RANGE", message);
  }
}

/** A time source could not be reached, answered nothing, or refused us. */
export class NetworkFailureError extends ChronoSyncError {
  override readonly code = "NETWORK_FAILURE" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("NETWORK_FAILURE", message, options);
  }
}

/** Two clocks or sources disagree by more than allowed. */
export class TimestampDivergenceError extends ChronoSyncError {
  override readonly code = "TIMESTAMP_DIVERGENCE" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("TIMESTAMP_DIVERGENCE", message, options);
  }
}

/** The error bound of a time is wider than the precision the caller required. */
export class PrecisionThresholdExceededError extends ChronoSyncError {
  override readonly code = "PRECISION_THRESHOLD_EXCEEDED" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("PRECISION_THRESHOLD_EXCEEDED", message, options);
  }
}

/** A signature, MAC or hash did not verify. */
export class CryptoVerificationFailedError extends ChronoSyncError {
  override readonly code = "CRYPTO_VERIFICATION_FAILED" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super("CRYPTO_VERIFICATION_FAILED", message, options);
  }
}

/**
 * A value that has no RFC 8785 canonical JSON form (https://www.rfc-editor.org/rfc/rfc8785):
 * a non-finite number, `undefined`, a bigint, a function, a cycle, a lone surrogate, too deep.
 * `path` is a JSON-Pointer-like location of the offending value.
 */
export class CanonicalJsonError extends ChronoSyncError {
  override readonly code = "CANONICAL_JSON_INVALID" as const;
  readonly path: string;
  constructor(path: string, reason: string) {
    super("CANONICAL_JSON_INVALID", `no canonical JSON for the value at ${path || "/"}: ${reason}`);
    this.path = path;
  }
}

/** True when `err` is a ChronoSync error (of any package). */
export function isChronoSyncError(err: unknown): err is ChronoSyncError {
  return err instanceof ChronoSyncError;
}
