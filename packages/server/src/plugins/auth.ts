/**
 * Authentication and role checks for every route: public routes (`config.public`, the
 * Swagger UI under /docs) pass; all others need `Authorization: Bearer <access token>`
 * and a role listed in `config.roles` (absent = admin only). Routes with `config.scopes`
 * also accept a machine token holding one of those scopes (`request.client`).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type AccessClaims, verifyAccessToken } from "../auth/tokens.js";
import { type ClientClaims, verifyClientToken } from "../clients/tokens.js";
import { ServerError } from "../errors.js";

declare module "fastify" {
  interface FastifyRequest {
    user: AccessClaims | null;
    /** The machine principal (an enrolled node's OAuth client) on routes with `config.scopes`. */
    client: ClientClaims | null;
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

/** Installs the authentication hook; `now` is the clock tokens are checked against. */
export function registerAuth(app: FastifyInstance, jwtKey: Uint8Array, now: () => Date): void {
  app.decorateRequest("user", null);
  app.decorateRequest("client", null);
  app.addHook("onRequest", async (request, reply) => {
    const route = request.routeOptions;
    if (route.url === undefined) return; // no such route: the not-found handler answers 404
    if (route.config.public === true || route.url === "/docs" || route.url.startsWith("/docs/")) return;
    const token = bearer(request);
    const scopes = route.config.scopes;
    if (token !== undefined && scopes !== undefined) {
      const machine = await verifyClientToken(jwtKey, token, now());
      if (machine !== undefined) {
        if (!machine.scopes.some((s) => scopes.includes(s)))
          throw new ServerError("FORBIDDEN", `the token lacks scope ${scopes.join(" or ")}`);
        request.client = machine;
        return;
      }
    }
    const claims = token === undefined ? undefined : await verifyAccessToken(jwtKey, token, now());
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
  });
}
