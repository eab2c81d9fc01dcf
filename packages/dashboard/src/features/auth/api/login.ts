/**
 * `POST /api/auth/login` (issue 4 §6, docs/server.md "Sign-in and roles"): username and
 * password → a bearer token (kept in memory) and the refresh cookie.
 */
import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiFetch, type TokenResponse } from "@/lib/api";
import { setAccessToken } from "@/lib/session";

export const loginSchema = z.object({
  username: z.string().trim().min(1, "Enter your username"),
  password: z.string().min(1, "Enter your password"),
});

export type LoginInput = z.infer<typeof loginSchema>;

export async function login(input: LoginInput): Promise<TokenResponse> {
  const tokens = await apiFetch<TokenResponse>("/api/auth/login", {
    method: "POST",
    json: input,
    auth: false,
  });
  setAccessToken(tokens.accessToken);
  return tokens;
}

export function useLogin() {
  return useMutation({ mutationFn: login });
}
