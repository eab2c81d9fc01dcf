/**
 * The server's typed errors and its one registry code → title → HTTP status. The central
 * error handler (plugins/error-handler.ts) answers every failure as RFC 9457
 * problem+json from this table; docs/server.md lists the same codes.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
import { ChronoSyncError } from "@chronosync/core";

export type ServerErrorCode =
  | "VALIDATION_FAILED"
  | "BAD_REQUEST"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "TOO_MANY_REQUESTS"
  | "ACCOUNT_LOCKED"
  | "CONFLICT"
  | "GONE"
  | "IDEMPOTENCY_KEY_REUSED"
  | "DATABASE_UNAVAILABLE"
  | "CONFIG_INVALID"
  | "MASTER_KEY_INVALID"
  | "INTERNAL"
  | "TIMESTAMP_DIVERGENCE"
  | "PRECISION_THRESHOLD_EXCEEDED";

/** One row of the registry: a short human title and the HTTP status it answers with. */
export interface ErrorDefinition {
  readonly title: string;
  readonly status: number;
}

/** Registry of every server error code. Stable API: clients branch on `code`. */
export const ERROR_REGISTRY: Readonly<Record<ServerErrorCode, ErrorDefinition>> = {
  VALIDATION_FAILED: { title: "Request validation failed", status: 400 },
  BAD_REQUEST: { title: "Bad request", status: 400 },
  UNAUTHORIZED: { title: "Authentication required", status: 401 },
  FORBIDDEN: { title: "Not allowed for this role", status: 403 },
  NOT_FOUND: { title: "Not found", status: 404 },
  PAYLOAD_TOO_LARGE: { title: "Payload too large", status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { title: "Unsupported media type", status: 415 },
  ACCOUNT_LOCKED: { title: "Account temporarily locked", status: 423 },
  CONFLICT: { title: "Conflict with the current state", status: 409 },
  GONE: { title: "No longer valid", status: 410 },
  IDEMPOTENCY_KEY_REUSED: { title: "Idempotency key reused with another body", status: 422 },
  TOO_MANY_REQUESTS: { title: "Too many requests", status: 429 },
  INTERNAL: { title: "Internal server error", status: 500 },
  CONFIG_INVALID: { title: "Invalid server configuration", status: 500 },
  MASTER_KEY_INVALID: { title: "Master key invalid", status: 500 },
  DATABASE_UNAVAILABLE: { title: "Database unavailable", status: 503 },
  TIMESTAMP_DIVERGENCE: { title: "Timestamp divergence beyond policy", status: 422 },
  PRECISION_THRESHOLD_EXCEEDED: { title: "Precision threshold exceeded", status: 422 },
};

/** A field-level validation problem (RFC 9457 extension member `errors`). */
export interface FieldError {
  /** JSON Pointer into the request part, e.g. `/body/username`. */
  readonly pointer: string;
  readonly detail: string;
}

/** An error the server raises on purpose; the handler maps `code` through the registry. */
export class ServerError extends ChronoSyncError {
  override readonly code: ServerErrorCode;
  readonly errors: readonly FieldError[];
  /** Seconds a client should wait before retrying (sets `Retry-After`). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ServerErrorCode,
    message: string,
    options?: { cause?: unknown; errors?: readonly FieldError[]; retryAfter?: number },
  ) {
    super(code, message, options);
    this.code = code;
    this.errors = options?.errors ?? [];
    this.retryAfter = options?.retryAfter;
  }

  get status(): number {
    return ERROR_REGISTRY[this.code].status;
  }
}

/** The database cannot be reached (connection refused, terminated, shutting down). */
export class DatabaseUnavailableError extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DATABASE_UNAVAILABLE", message, { ...options, retryAfter: 5 });
  }
}

/** The master key is malformed or does not decrypt the stored signing keys. */
export class MasterKeyError extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MASTER_KEY_INVALID", message, options);
  }
}

/** A configuration value (flag or environment variable) is not acceptable. */
export class ConfigError extends ServerError {
  constructor(message: string) {
    super("CONFIG_INVALID", message);
  }
}

const CONNECTION_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

/**
 * True when `err` means the database is unreachable rather than the query being wrong:
 * socket errors, SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown,
 * cannot connect now), and node-postgres' own "Connection terminated" errors.
 * @see https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export function isConnectionError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (CONNECTION_ERRNOS.has(code)) return true;
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") return true;
  }
  const message = err instanceof Error ? err.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}
