/** The server's rules for users (packages/server/src/schemas/users.ts), checked before sending. */
import { z } from "zod";

export const ROLES = ["viewer", "operator", "admin"] as const;

/** bcrypt reads at most 72 bytes: the server refuses longer passwords rather than cut them. */
export const temporaryPassword = z
  .string()
  .min(10, "Use at least 10 characters")
  .refine((p) => new TextEncoder().encode(p).length <= 72, "Use at most 72 bytes");

export const createUserSchema = z.object({
  username: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, "Letters, digits and . _ @ - (up to 64, not first)"),
  password: temporaryPassword,
  role: z.enum(ROLES),
});

export type CreateUserInput = z.infer<typeof createUserSchema>;
