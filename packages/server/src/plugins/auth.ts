/**
 * Authentication and role checks for every route: public routes (`config.public`, the
 * Swagger UI under /docs) pass; all others need `Authorization: Bearer <access token>`
 * and a role listed in `config.roles` (absent = admin only). Routes with `config.scopes`
 * also accept a machine token holding one of those scopes (`request.client`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { TokenRevocations } from "../auth/revocations.js";
import { type AccessClaims, verifyAccessToken } from "../auth/tokens.js";
import { type ClientClaims, verifyClientToken } from "../clients/tokens.js";
import { ServerError } from "../errors.js";

declare module "fastify" {
  interface FastifyRequest {
    user: AccessClaims | null;
    /** The machine principal (an enrolled node's OAuth client) on routes with `config.scopes`. */
    client: ClientClaims | null;
  }
  interface FastifyInstance {
    /** Revoked user tokens, in this process (see TokenRevocations). */
    tokenRevocations: TokenRevocations;
    /** Refuses `userId`'s access tokens issued so far, in every process. */
    revokeUserTokens(userId: string): Promise<void>;
  }
  interface FastifyContextConfig {
    /** Machine tokens (POST /oauth/token) holding one of these scopes are accepted too. */
    scopes?: readonly string[];
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  return match?.[1];
}

/** Most verified tokens remembered (the cache starts over when full). */
const MAX_CACHED_TOKENS = 10_000;

type Verified =
  | { readonly user: AccessClaims; readonly issuedAtMs: number }
  | { readonly client: ClientClaims };

/** The payload of a JWT, decoded without any check (to route it and read `exp`). */
function unverifiedPayload(token: string): Record<string, unknown> | undefined {
  try {
    const part = token.split(".")[1];
    const payload: unknown =
      part === undefined ? undefined : JSON.parse(Buffer.from(part, "base64url").toString());
    return typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What {@link TokenVerifier.cached} answers for a token it has not verified yet. */
const UNKNOWN = Symbol("unknown");

interface TokenVerifier {
  /** The answer for a token verified before (undefined once it expired), or UNKNOWN. */
  cached(token: string, now: Date): Verified | undefined | typeof UNKNOWN;
  /** Verifies a token {@link cached} does not know, and remembers it when valid. */
  verify(token: string, now: Date): Promise<Verified | undefined>;
}

/**
 * Verifies bearer tokens, remembering tokens that verified (by their exact text) until
 * their `exp`: HS256 verification of the same bytes under the same key always gives the
 * same answer, and it was a quarter of the CPU of a one-timestamp normalize request. A
 * remembered token is answered synchronously (no promise on the hot path). Machine tokens
 * (`typ: "client"`) are checked as machine tokens only, user tokens as user tokens only.
 */
function tokenVerifier(jwtKey: Uint8Array): TokenVerifier {
  const cache = new Map<string, { verified: Verified; expMs: number }>();
  return {
    cached(token, now) {
      const hit = cache.get(token);
      if (hit === undefined) return UNKNOWN;
      if (now.getTime() < hit.expMs) return hit.verified;
      cache.delete(token);
      return undefined;
    },
    async verify(token, now) {
      const payload = unverifiedPayload(token);
      let verified: Verified | undefined;
      if (payload?.typ === "client") {
        const client = await verifyClientToken(jwtKey, token, now);
        verified = client === undefined ? undefined : { client };
      } else {
        const user = await verifyAccessToken(jwtKey, token, now);
        const { iat, iatMs } = payload ?? {};
        const issuedAtMs =
          typeof iatMs === "number" && Number.isFinite(iatMs)
            ? iatMs
            : typeof iat === "number" && Number.isFinite(iat)
              ? iat * 1000
              : 0;
        verified = user === undefined ? undefined : { user, issuedAtMs };
      }
      const exp = payload?.exp;
      if (verified !== undefined && typeof exp === "number" && Number.isFinite(exp)) {
        if (cache.size >= MAX_CACHED_TOKENS) cache.clear();
        cache.set(token, { verified, expMs: exp * 1000 });
      }
      return verified;
    },
  };
}

/**
 * Installs the authentication hook; `now` is the clock tokens are checked against.
 * `app.revokeUserTokens(userId)` refuses the user's tokens issued so far, here and (through
 * the event bus, once the fleet is registered) in every other process.
 */
export function registerAuth(app: FastifyInstance, jwtKey: Uint8Array, now: () => Date): void {
  app.decorateRequest("user", null);
  app.decorateRequest("client", null);
  const revocations = new TokenRevocations();
  app.decorate("tokenRevocations", revocations);
  app.decorate("revokeUserTokens", async (userId: string) => {
    const atMs = now().getTime();
    revocations.revoke(userId, atMs);
    if (app.hasDecorator("fleet")) await app.fleet.events.publish({ type: "user-revoked", userId, atMs });
  });
  const tokens = tokenVerifier(jwtKey);
  /** Lets the request through as `verified`'s principal, or throws why not. */
  const admit = (
    request: FastifyRequest,
    reply: FastifyReply,
    token: string | undefined,
    verified: Verified | undefined,
  ): void => {
    const route = request.routeOptions;
    const scopes = route.config.scopes;
    if (verified !== undefined && "client" in verified && scopes !== undefined) {
      const machine = verified.client;
      if (!machine.scopes.some((s) => scopes.includes(s)))
        throw new ServerError("FORBIDDEN", `the token lacks scope ${scopes.join(" or ")}`);
      request.client = machine;
      return;
    }
    // A machine token where only people may go is no valid token here (401, as any other);
    // so is a user token an admin revoked (user disabled, deleted, re-roled or reset).
    const claims =
      verified !== undefined &&
      "user" in verified &&
      !revocations.isRevoked(verified.user.sub, verified.issuedAtMs)
        ? verified.user
        : undefined;
    if (claims === undefined) {
      reply.header("www-authenticate", 'Bearer realm="chronosync"');
      throw new ServerError(
        "UNAUTHORIZED",
        token === undefined ? "a bearer token is required" : "invalid or expired token",
      );
    }
    const roles = route.config.roles ?? ["admin"];
    if (!roles.includes(claims.role))
      throw new ServerError("FORBIDDEN", `role ${claims.role} may not ${request.method} ${route.url}`);
    request.user = claims;
  };
  // A callback hook: a token verified before is checked without a promise or microtask (a
  // throw here reaches Fastify's error handling as a rejection would); a new one is
  // verified asynchronously.
  app.addHook("onRequest", (request, reply, done) => {
    const route = request.routeOptions;
    if (route.url === undefined) return done(); // no such route: the not-found handler answers 404
    if (route.config.public === true || route.url === "/docs" || route.url.startsWith("/docs/"))
      return done();
    const token = bearer(request);
    if (token === undefined) {
      admit(request, reply, token, undefined);
      return done();
    }
    const at = now();
    const known = tokens.cached(token, at);
    if (known !== UNKNOWN) {
      admit(request, reply, token, known);
      return done();
    }
    tokens.verify(token, at).then(
      (verified) => {
        try {
          admit(request, reply, token, verified);
        } catch (err) {
          done(err as Error);
          return;
        }
        done();
      },
      (err: Error) => done(err),
    );
  });
}
