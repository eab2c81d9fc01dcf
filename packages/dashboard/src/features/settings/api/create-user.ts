/**
 * `POST /api/users` — create a user (admin; audited as `audit.user-created`). They must
 * change the chosen password at their first sign-in.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/api";
import type { CreateUserInput } from "../user-rules";
import type { UserAccount } from "./get-users";

export { type CreateUserInput, createUserSchema, ROLES, temporaryPassword } from "../user-rules";

export function createUser(input: CreateUserInput): Promise<UserAccount> {
  return apiFetch<UserAccount>("/api/users", {
    method: "POST",
    json: { ...input, mustChangePassword: true },
  });
}

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}
