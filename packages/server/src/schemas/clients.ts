/** TypeBox schemas of enrollment tokens and OAuth clients (admin routes). */
import { type Static, Type } from "@sinclair/typebox";

export const CreateEnrollmentTokenBody = Type.Object(
  {
    expiresInS: Type.Integer({ minimum: 60, maximum: 30 * 86_400, description: "lifetime, seconds" }),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateEnrollmentTokenBody = Static<typeof CreateEnrollmentTokenBody>;

const Time = Type.String({ description: "RFC 3339" });
const MaybeTime = Type.Union([Time, Type.Null()]);

export const EnrollmentTokenSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  createdBy: Type.String(),
  createdAt: Time,
  expiresAt: Time,
  usedAt: MaybeTime,
  nodeId: Type.Union([Type.String(), Type.Null()]),
  revokedAt: MaybeTime,
  status: Type.Union([
    Type.Literal("active"),
    Type.Literal("used"),
    Type.Literal("revoked"),
    Type.Literal("expired"),
  ]),
});

export const CreatedEnrollmentToken = Type.Intersect([
  EnrollmentTokenSchema,
  Type.Object({ token: Type.String({ description: "shown once; stored hashed" }) }),
]);

export const EnrollmentTokenList = Type.Object({ tokens: Type.Array(EnrollmentTokenSchema) });

export const IdParams = Type.Object({ id: Type.String({ format: "uuid" }) });
export type IdParams = Static<typeof IdParams>;

export const ClientSchema = Type.Object({
  clientId: Type.String(),
  nodeId: Type.String(),
  hostname: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Time,
  revokedAt: MaybeTime,
  lastUsedAt: MaybeTime,
});

export const ClientList = Type.Object({ clients: Type.Array(ClientSchema) });

export const ClientParams = Type.Object({ clientId: Type.String({ pattern: "^node-[0-9a-f]{16}$" }) });
export type ClientParams = Static<typeof ClientParams>;
