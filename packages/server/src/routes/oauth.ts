/**
 * `POST /oauth/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) for enrolled
 * nodes. Form-encoded body (Appendix B); client authentication with HTTP Basic (§2.3.1,
 * id and secret form-urlencoded) or `client_id`/`client_secret` in the body, never both.
 * Answers §5.1 JSON with `Cache-Control: no-store`; errors are §5.2 JSON
 * `{error, error_description}` (OAuth's own format, not problem+json).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { RateLimiter } from "../auth/rate-limit.js";
import { authenticateClient } from "../clients/store.js";
import { CLIENT_TOKEN_SECONDS, isClientScope, issueClientToken } from "../clients/tokens.js";

export interface OAuthRouteOptions {
  readonly jwtKey: Uint8Array;
  readonly now: () => Date;
}

type OAuthError =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope";

function fail(reply: FastifyReply, status: 400 | 401, error: OAuthError, description: string, basic = false) {
  if (basic) reply.header("www-authenticate", 'Basic realm="chronosync", charset="UTF-8"');
  return reply
    .code(status)
    .header("cache-control", "no-store")
    .header("pragma", "no-cache")
    .type("application/json")
    .send({ error: error, error_description: description });
}

/** Form decoding of one §2.3.1 credential part (`+` is a space). */
function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

/** `[id, secret]` from a Basic header, `null` when absent, undefined when malformed. */
function basicCredentials(header: string | undefined): [string, string] | null | undefined {
  if (header === undefined) return null;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match === null) return header.toLowerCase().startsWith("basic") ? undefined : null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id === undefined || secret === undefined ? undefined : [id, secret];
}

/** Failed client authentications per address per minute before 429 (successes are not counted). */
export const FAILED_CLIENT_AUTH_PER_MINUTE = 30;

export async function oauthRoutes(app: FastifyInstance, options: OAuthRouteOptions): Promise<void> {
  const failures = new RateLimiter(FAILED_CLIENT_AUTH_PER_MINUTE, 60_000);
  // Form bodies are parsed to a map of single values; a repeated parameter is kept as an
  // array so the handler can refuse it (§3.2: parameters MUST NOT be repeated).
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    const fields: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = fields[k];
      fields[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
    }
    done(null, fields);
  });

  app.post(
    "/oauth/token",
    {
      schema: {
        tags: ["oauth"],
        summary: "OAuth 2.0 client credentials grant (RFC 6749 §4.4) for enrolled nodes",
        consumes: ["application/x-www-form-urlencoded"],
      },
      config: { public: true },
    },
    async (request, reply) => {
      const body = request.body;
      if (typeof body !== "object" || body === null || Array.isArray(body))
        return fail(reply, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
      const fields = body as Record<string, unknown>;
      for (const [k, v] of Object.entries(fields))
        if (typeof v !== "string")
          return fail(reply, 400, "invalid_request", `parameter ${k} must appear once`);
      const param = (k: string) => fields[k] as string | undefined;
      const grant = param("grant_type");
      if (grant === undefined) return fail(reply, 400, "invalid_request", "grant_type is required");
      if (grant !== "client_credentials")
        return fail(reply, 400, "unsupported_grant_type", "only client_credentials is supported");
      const basic = basicCredentials(request.headers.authorization);
      if (basic === undefined) return fail(reply, 401, "invalid_client", "malformed Basic credentials", true);
      const inBody = param("client_id") !== undefined || param("client_secret") !== undefined;
      if (basic !== null && inBody)
        return fail(reply, 400, "invalid_request", "use one client authentication method, not two");
      const [clientId, secret] = basic ?? [param("client_id"), param("client_secret")];
      if (clientId === undefined || secret === undefined)
        return fail(reply, 401, "invalid_client", "client authentication is required", true);
      const now = options.now();
      const wait = failures.blocked(request.ip, now.getTime());
      if (wait !== undefined)
        return reply
          .code(429)
          .header("retry-after", String(wait))
          .header("cache-control", "no-store")
          .type("application/json")
          .send({
            error: "invalid_client",
            error_description: `too many failed client authentications from this address; retry in ${wait} s`,
          });
      const client = await authenticateClient(app.database.pool, clientId, secret, now);
      if (client === undefined) {
        failures.hit(request.ip, now.getTime());
        return fail(reply, 401, "invalid_client", "unknown client, wrong secret or revoked", basic !== null);
      }
      const requested = param("scope")
        ?.split(" ")
        .filter((s) => s !== "");
      if (requested?.some((s) => !isClientScope(s) || !client.scopes.includes(s)))
        return fail(reply, 400, "invalid_scope", `this client may request: ${client.scopes.join(" ")}`);
      const scopes =
        requested === undefined || requested.length === 0 ? client.scopes : requested.filter(isClientScope);
      const token = await issueClientToken(options.jwtKey, { ...client, scopes }, now);
      return reply
        .header("cache-control", "no-store")
        .header("pragma", "no-cache")
        .send({
          access_token: token,
          token_type: "Bearer",
          expires_in: CLIENT_TOKEN_SECONDS,
          scope: scopes.join(" "),
        });
    },
  );
}
