/**
 * People and access (issue 4 §6): `GET /api/auth/me` and `POST /api/auth/password` for
 * anyone signed in; `/api/users` for admins (list, create, change role or disable, reset a
 * password). Every change is appended to the signed log (`audit.user-*`,
 * `audit.password-*`); passwords never are. Nobody deletes their own account, and the last
 * enabled admin can be neither demoted, disabled nor deleted.
 */
import type { FastifyInstance } from "fastify";
import { checkPassword, findUserById } from "../auth/users.js";
import { ServerError } from "../errors.js";
import { ProblemSchema } from "../schemas/ledger.js";
import {
  ChangePasswordBody,
  CreateUserBody,
  MeSchema,
  ResetPasswordBody,
  UpdateUserBody,
  UserList,
  UserParams,
  UserSchema,
} from "../schemas/users.js";
import {
  addUser,
  deleteUser,
  getUser,
  listUsers,
  setPassword,
  updateUser,
  userDocument,
} from "../users/store.js";
import type { FleetRouteOptions } from "./enrollment.js";

const SIGNED_IN = ["admin", "operator", "viewer"] as const;

export async function userRoutes(app: FastifyInstance, options: FleetRouteOptions): Promise<void> {
  const pool = app.database.pool;
  const actor = (request: { user: { username: string } | null }) => request.user?.username ?? "unknown";

  app.get(
    "/api/auth/me",
    {
      schema: {
        tags: ["auth"],
        summary: "The signed-in user (mustChangePassword: change the generated or reset password first)",
        response: { 200: MeSchema, "4xx": ProblemSchema },
      },
      config: { roles: SIGNED_IN },
    },
    async (request) => {
      const user = await getUser(pool, request.user!.sub);
      if (user === undefined || user.disabled)
        throw new ServerError("NOT_FOUND", "this user no longer exists");
      return {
        id: user.id,
        username: user.username,
        role: user.role,
        mustChangePassword: user.must_change_password,
      };
    },
  );

  app.post<{ Body: ChangePasswordBody }>(
    "/api/auth/password",
    {
      schema: {
        tags: ["auth"],
        summary: "Change one's own password (clears mustChangePassword; other sessions end)",
        body: ChangePasswordBody,
        response: { "4xx": ProblemSchema },
      },
      config: { roles: SIGNED_IN },
    },
    async (request, reply) => {
      const user = await findUserById(pool, request.user!.sub);
      if (user === undefined) throw new ServerError("NOT_FOUND", "this user no longer exists");
      if (!(await checkPassword(user, request.body.currentPassword)))
        throw new ServerError("FORBIDDEN", "the current password is wrong", {
          errors: [{ pointer: "/body/currentPassword", detail: "wrong password" }],
        });
      if (request.body.newPassword === request.body.currentPassword)
        throw new ServerError("BAD_REQUEST", "the new password must differ from the current one", {
          errors: [{ pointer: "/body/newPassword", detail: "same as the current password" }],
        });
      await setPassword(pool, user.id, request.body.newPassword, false, options.now());
      await app.ledger.append("audit.password-changed", [{ username: user.username, ip: request.ip }]);
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/users",
    { schema: { tags: ["users"], summary: "Users", response: { 200: UserList, "4xx": ProblemSchema } } },
    async () => ({ users: (await listUsers(pool)).map(userDocument) }),
  );

  app.post<{ Body: CreateUserBody }>(
    "/api/users",
    {
      schema: {
        tags: ["users"],
        summary: "Create a user (by default they must change the password at first sign-in)",
        body: CreateUserBody,
        response: { 201: UserSchema, "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      const row = await addUser(pool, {
        username,
        password,
        role,
        mustChangePassword: request.body.mustChangePassword ?? true,
      });
      await app.ledger.append("audit.user-created", [{ username, role, by: actor(request) }]);
      return reply.code(201).send(userDocument(row));
    },
  );

  app.patch<{ Params: UserParams; Body: UpdateUserBody }>(
    "/api/users/:id",
    {
      schema: {
        tags: ["users"],
        summary: "Change a user's role or disable/enable them (never the last enabled admin)",
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: UserSchema, "4xx": ProblemSchema },
      },
    },
    async (request) => {
      const result = await updateUser(pool, request.params.id, request.body, options.now());
      if (result === undefined) throw new ServerError("NOT_FOUND", "no such user");
      const { before, after } = result;
      if (before.role !== after.role || (after.disabled && !before.disabled))
        await app.revokeUserTokens(after.id);
      await app.ledger.append("audit.user-updated", [
        {
          username: after.username,
          before: { role: before.role, disabled: before.disabled },
          after: { role: after.role, disabled: after.disabled },
          by: actor(request),
        },
      ]);
      return userDocument(after);
    },
  );

  app.post<{ Params: UserParams; Body: ResetPasswordBody }>(
    "/api/users/:id/password",
    {
      schema: {
        tags: ["users"],
        summary: "Reset a user's password (they must change it at next sign-in; their sessions end)",
        params: UserParams,
        body: ResetPasswordBody,
        response: { "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      const row = await setPassword(pool, request.params.id, request.body.password, true, options.now());
      if (row === undefined) throw new ServerError("NOT_FOUND", "no such user");
      await app.revokeUserTokens(request.params.id);
      await app.ledger.append("audit.password-reset", [{ username: row.username, by: actor(request) }]);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: UserParams }>(
    "/api/users/:id",
    {
      schema: {
        tags: ["users"],
        summary: "Delete a user (not oneself, never the last enabled admin; their sessions end)",
        params: UserParams,
        response: { "4xx": ProblemSchema },
      },
    },
    async (request, reply) => {
      if (request.params.id === request.user?.sub)
        throw new ServerError("CONFLICT", "you cannot delete your own account; another admin can");
      const row = await deleteUser(pool, request.params.id);
      if (row === undefined) throw new ServerError("NOT_FOUND", "no such user");
      await app.revokeUserTokens(request.params.id);
      await app.ledger.append("audit.user-deleted", [
        { username: row.username, role: row.role, by: actor(request) },
      ]);
      return reply.code(204).send();
    },
  );
}
