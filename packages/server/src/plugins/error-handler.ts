/**
 * The one error handler: every failure leaves as RFC 9457 problem+json with the
 * registry's `code`, `title` and status. Validation failures list field paths in
 * `errors[]`; 5xx details are logged with the request context, never sent.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  ERROR_REGISTRY,
  type FieldError,
  isConnectionError,
  ServerError,
  type ServerErrorCode,
} from "../errors.js";

/** The problem document (RFC 9457 §3 members plus our `code` and `errors`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ServerErrorCode;
  instance?: string;
  errors?: FieldError[];
}

const TYPE_BASE = "https://chronosync.dev/problems/";

/** Fastify's own 4xx codes mapped to ours (anything else 4xx is BAD_REQUEST). */
const FASTIFY_CODES: Readonly<Record<string, ServerErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_INVALID_JSON_BODY: "BAD_REQUEST",
};

function fieldErrors(err: FastifyError): FieldError[] {
  const context = err.validationContext ?? "body";
  return (err.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: unknown }).missingProperty;
    const path = typeof missing === "string" ? `${v.instancePath}/${missing}` : v.instancePath;
    return { pointer: `/${context}${path}`, detail: v.message ?? "is invalid" };
  });
}

/** Classifies any thrown value into a problem (and whether it is our fault). */
export function toProblem(err: unknown, instance?: string): { problem: Problem; retryAfter?: number } {
  const make = (code: ServerErrorCode, detail: string, errors?: FieldError[]): Problem => {
    const { title, status } = ERROR_REGISTRY[code];
    const problem: Problem = {
      type: `${TYPE_BASE}${code.toLowerCase().replaceAll("_", "-")}`,
      title,
      status,
      detail,
      code,
    };
    if (instance !== undefined) problem.instance = instance;
    if (errors !== undefined && errors.length > 0) problem.errors = errors;
    return problem;
  };
  if (err instanceof ServerError) {
    const status = ERROR_REGISTRY[err.code].status;
    const detail = status >= 500 ? ERROR_REGISTRY[err.code].title : err.message;
    const result = { problem: make(err.code, detail, [...err.errors]) };
    return err.retryAfter === undefined ? result : { ...result, retryAfter: err.retryAfter };
  }
  if (isConnectionError(err)) {
    return {
      problem: make("DATABASE_UNAVAILABLE", "the database is unreachable; retry shortly"),
      retryAfter: 5,
    };
  }
  const fastify = err as FastifyError;
  if (fastify?.validation !== undefined) {
    return { problem: make("VALIDATION_FAILED", fastify.message, fieldErrors(fastify)) };
  }
  const status = typeof fastify?.statusCode === "number" ? fastify.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code =
      FASTIFY_CODES[fastify.code] ??
      (status === 413
        ? "PAYLOAD_TOO_LARGE"
        : status === 415
          ? "UNSUPPORTED_MEDIA_TYPE"
          : status === 404
            ? "NOT_FOUND"
            : "BAD_REQUEST");
    return { problem: { ...make(code, fastify.message), status: ERROR_REGISTRY[code].status } };
  }
  return { problem: make("INTERNAL", "an internal error occurred; it has been logged") };
}

/** Sends `problem` as application/problem+json. */
export function sendProblem(reply: FastifyReply, problem: Problem, retryAfter?: number): FastifyReply {
  if (retryAfter !== undefined) reply.header("retry-after", String(retryAfter));
  return reply.code(problem.status).type("application/problem+json").send(problem);
}

/** What answers a request no route matched; `miss` sends the API's 404 problem. */
export type NotFoundFallback = (
  request: FastifyRequest,
  reply: FastifyReply,
  miss: () => FastifyReply,
) => unknown;

/**
 * Installs the error and not-found handlers on `app`; `fallback` (the dashboard) may answer
 * a request no route matched before the 404 problem does.
 */
export function registerErrorHandler(app: FastifyInstance, fallback?: NotFoundFallback): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { problem, retryAfter } = toProblem(err, request.url);
    if (problem.status >= 500)
      request.log.error({ err, code: problem.code, url: request.url }, "request failed");
    else request.log.info({ code: problem.code, detail: problem.detail }, "request refused");
    return sendProblem(reply, problem, retryAfter);
  });
  app.setNotFoundHandler((request, reply) => {
    const miss = () => {
      const { problem } = toProblem(
        new ServerError("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`),
        request.url,
      );
      return sendProblem(reply, problem);
    };
    return fallback === undefined ? miss() : fallback(request, reply, miss);
  });
}
