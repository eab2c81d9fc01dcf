/** TypeBox schemas of the auth routes. */
import { type Static, Type } from "@sinclair/typebox";

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 128 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const TokenResponse = Type.Object({
  accessToken: Type.String(),
  expiresIn: Type.Integer({ description: "seconds" }),
  tokenType: Type.Literal("Bearer"),
});
