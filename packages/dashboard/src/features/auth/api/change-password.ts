/**
 * `POST /api/auth/password` `{currentPassword, newPassword}` — change one's own password
 * (10–72 characters; the server ends the user's other sessions). The dashboard then signs
 * in again with the new password, so its refresh cookie is a fresh one.
 */
import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiFetch } from "@/lib/api";
import { login } from "./login";

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter the current password"),
    newPassword: z
      .string()
      .min(10, "Use at least 10 characters")
      .max(72, "Use at most 72 characters (bcrypt reads no more)"),
    confirm: z.string(),
  })
  .refine((v) => v.newPassword === v.confirm, { path: ["confirm"], message: "The two new passwords differ" })
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ["newPassword"],
    message: "The new password must differ from the current one",
  });

export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export async function changePassword(username: string, input: ChangePasswordInput): Promise<void> {
  await apiFetch<void>("/api/auth/password", {
    method: "POST",
    json: { currentPassword: input.currentPassword, newPassword: input.newPassword },
  });
  await login({ username, password: input.newPassword });
}

export function useChangePassword(username: string) {
  return useMutation({ mutationFn: (input: ChangePasswordInput) => changePassword(username, input) });
}
