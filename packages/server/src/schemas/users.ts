/** TypeBox schemas of the user administration routes. */
import { type Static, Type } from "@sinclair/typebox";

const Role = Type.Union([Type.Literal("admin"), Type.Literal("operator"), Type.Literal("viewer")]);
/** bcrypt reads at most 72 bytes; longer passwords are refused rather than cut. */
const Password = Type.String({ minLength: 10, maxLength: 72 });

export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  createdAt: Type.String(),
  lockedUntil: Type.Union([Type.String(), Type.Null()]),
});

export const UserList = Type.Object({ users: Type.Array(UserSchema) });

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$" }),
    password: Password,
    role: Role,
    mustChangePassword: Type.Optional(Type.Boolean({ description: "default true" })),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const ResetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;

export const ChangePasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Password },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

export const MeSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: Role,
  mustChangePassword: Type.Boolean(),
});

export const UserParams = Type.Object({ id: Type.String({ format: "uuid" }) });
export type UserParams = Static<typeof UserParams>;
