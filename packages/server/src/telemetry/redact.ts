/**
 * Secrets never reach the logs: pino's redaction of credentials in headers and in bodies
 * (passwords, client secrets, tokens), at the top level and nested up to two levels.
 * @see https://getpino.io/#/docs/redaction
 */
import type { FastifyServerOptions } from "fastify";

/** Field names whose values are secrets wherever they appear in a logged object. */
export const SECRET_FIELDS = [
  "password",
  "clientSecret",
  "client_secret",
  "token",
  "accessToken",
  "refreshToken",
  "refresh_token",
  "enrollmentToken",
  "secret",
  "masterKey",
] as const;

/** pino redact paths: request credentials plus {@link SECRET_FIELDS} at depth 0–3. */
export const LOG_REDACT_PATHS: readonly string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]),
];

type LoggerOption = FastifyServerOptions["logger"];

/**
 * `logger` with {@link LOG_REDACT_PATHS} added to its own redact paths. `false`/undefined
 * stay off; `true` becomes `{ redact }`; a logger instance is returned unchanged.
 */
export function withRedaction(logger: LoggerOption): LoggerOption {
  if (logger === undefined || logger === false) return logger;
  if (logger === true) return { redact: [...LOG_REDACT_PATHS] };
  if (typeof logger !== "object" || typeof (logger as { info?: unknown }).info === "function") return logger;
  const own = (logger as { redact?: unknown }).redact;
  if (own === undefined || Array.isArray(own))
    return {
      ...logger,
      redact: [...new Set([...((own as string[] | undefined) ?? []), ...LOG_REDACT_PATHS])],
    };
  const options = own as { paths: string[] };
  return {
    ...logger,
    redact: { ...options, paths: [...new Set([...options.paths, ...LOG_REDACT_PATHS])] },
  } as LoggerOption;
}
