/**
 * `ApiError`: an HTTP API failure as the dashboard shows it. Server errors are RFC 9457
 * problem+json (https://www.rfc-editor.org/rfc/rfc9457) with the server's stable `code`
 * (docs/server.md "Errors"); the message is the problem's `detail`, readable as is.
 */

/** Codes the server answers (docs/server.md), plus the client's own `NETWORK_FAILURE` and `BAD_RESPONSE`. */
export type ApiErrorCode =
  | "NETWORK_FAILURE"
  | "BAD_RESPONSE"
  | "VALIDATION_FAILED"
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "ACCOUNT_LOCKED"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL"
  | "DATABASE_UNAVAILABLE"
  | (string & {});

/** One field error of a problem document (`errors[]`). */
export interface ProblemFieldError {
  readonly pointer: string;
  readonly detail: string;
}

/** The RFC 9457 members the server sends (all optional: a proxy may answer otherwise). */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemFieldError[];
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly title: string;
  readonly errors: readonly ProblemFieldError[];
  /** Seconds from `Retry-After`, when the server sent one. */
  readonly retryAfter: number | undefined;

  constructor(
    message: string,
    init: {
      status: number;
      code: ApiErrorCode;
      title?: string;
      errors?: readonly ProblemFieldError[];
      retryAfter?: number | undefined;
      cause?: unknown;
    },
  ) {
    super(message, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? message;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter;
  }
}

const STATUS_CODES: Record<number, ApiErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  423: "ACCOUNT_LOCKED",
  429: "TOO_MANY_REQUESTS",
  503: "DATABASE_UNAVAILABLE",
};

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The `ApiError` for a non-2xx answer, from its problem+json body when it has one, else
 * from the status line (a proxy's HTML error page is not shown to the user).
 */
export function problemToError(status: number, body: unknown, retryAfterHeader: string | null): ApiError {
  const problem: Problem = isProblem(body) ? body : {};
  const title = typeof problem.title === "string" ? problem.title : `Request failed (HTTP ${status})`;
  const detail = typeof problem.detail === "string" && problem.detail !== "" ? problem.detail : title;
  const retry = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  return new ApiError(detail, {
    status,
    code: typeof problem.code === "string" ? problem.code : (STATUS_CODES[status] ?? "INTERNAL"),
    title,
    errors: Array.isArray(problem.errors) ? problem.errors : [],
    retryAfter: Number.isFinite(retry) ? retry : undefined,
  });
}

/** A readable message for anything thrown (an `ApiError`'s detail, else a generic line). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message !== "") return err.message;
  return "Something went wrong.";
}
