/**
 * `POST /api/auth/login`, `/refresh`, `/logout`. Login answers a short-lived bearer token
 * and sets a rotating refresh token in an httpOnly, Secure, SameSite=Strict cookie.
 * Logins (success and failure) are appended to the signed log as `audit.login`.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { RateLimiter } from "../auth/rate-limit.js";
import {
  ACCESS_TOKEN_SECONDS,
  consumeRefreshToken,
  issueAccessToken,
  issueRefreshToken,
  REFRESH_TOKEN_SECONDS,
  revokeRefreshToken,
} from "../auth/tokens.js";
import {
  checkPassword,
  findUser,
  findUserById,
  recordFailure,
  recordSuccess,
  type UserRow,
} from "../auth/users.js";
import { ServerError } from "../errors.js";
import { LoginBody, TokenResponse } from "../schemas/auth.js";
import { ProblemSchema } from "../schemas/ledger.js";

export const REFRESH_COOKIE = "chronosync_refresh";
const COOKIE_PATH = "/api/auth";

export interface AuthRouteOptions {
  readonly jwtKey: Uint8Array;
  readonly now: () => Date;
  /** Login attempts per client address per minute (default 10). */
  readonly loginsPerMinute?: number;
}

export async function authRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  const limiter = new RateLimiter(options.loginsPerMinute ?? 10, 60_000);
  const pool = app.database.pool;

  async function answerTokens(reply: FastifyReply, user: UserRow) {
    const now = options.now();
    const refresh = await issueRefreshToken(pool, user.id, now);
    reply.setCookie(REFRESH_COOKIE, refresh, {
      httpOnly: true,
      secure: true,
      sameSite: "strict",
      path: COOKIE_PATH,
      maxAge: REFRESH_TOKEN_SECONDS,
    });
    const accessToken = await issueAccessToken(
      options.jwtKey,
      { sub: user.id, username: user.username, role: user.role },
      now,
    );
    return { accessToken, expiresIn: ACCESS_TOKEN_SECONDS, tokenType: "Bearer" as const };
  }

  const audit = (payload: Record<string, unknown>) => app.ledger.append("audit.login", [payload]);

  app.post<{ Body: LoginBody }>(
    "/api/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign in with username and password",
        body: LoginBody,
        response: { 200: TokenResponse, "4xx": ProblemSchema },
      },
      config: { public: true },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const now = options.now();
      const wait = limiter.hit(request.ip, now.getTime());
      if (wait !== undefined)
        throw new ServerError("TOO_MANY_REQUESTS", "too many login attempts", { retryAfter: wait });
      const user = await findUser(pool, username);
      if (user?.locked_until != null && user.locked_until > now) {
        await audit({ username, outcome: "locked", ip: request.ip });
        const retryAfter = Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000);
        throw new ServerError("ACCOUNT_LOCKED", "account locked after repeated failures", { retryAfter });
      }
      if (!(await checkPassword(user, password)) || user === undefined) {
        if (user !== undefined) await recordFailure(pool, user.id, now);
        await audit({ username, outcome: "failure", ip: request.ip });
        throw new ServerError("UNAUTHORIZED", "wrong username or password");
      }
      await recordSuccess(pool, user.id);
      await audit({ username, outcome: "success", ip: request.ip, role: user.role });
      return answerTokens(reply, user);
    },
  );

  app.post(
    "/api/auth/refresh",
    {
      schema: {
        tags: ["auth"],
        summary: "Exchange the refresh cookie for a new access token (the cookie rotates)",
        response: { 200: TokenResponse, "4xx": ProblemSchema },
      },
      config: { public: true },
    },
    async (request, reply) => {
      const token = request.cookies[REFRESH_COOKIE];
      const userId = token === undefined ? undefined : await consumeRefreshToken(pool, token, options.now());
      const user = userId === undefined ? undefined : await findUserById(pool, userId);
      if (user === undefined) throw new ServerError("UNAUTHORIZED", "missing, used or expired refresh token");
      return answerTokens(reply, user);
    },
  );

  app.post(
    "/api/auth/logout",
    {
      schema: { tags: ["auth"], summary: "Revoke the refresh cookie", response: { "4xx": ProblemSchema } },
      config: { public: true },
    },
    async (request, reply) => {
      const token = request.cookies[REFRESH_COOKIE];
      if (token !== undefined) await revokeRefreshToken(pool, token, options.now());
      reply.clearCookie(REFRESH_COOKIE, {
        path: COOKIE_PATH,
        httpOnly: true,
        secure: true,
        sameSite: "strict",
      });
      return reply.code(204).send();
    },
  );
}
