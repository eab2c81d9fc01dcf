/**
 * The signed-in session. The access token lives in memory only (never in storage, so a
 * script injected later cannot read it from there); the refresh token is the server's
 * httpOnly cookie (docs/server.md "Sign-in and roles"). The store holds UI state only.
 */
import { create } from "zustand";

export interface SessionUser {
  readonly username: string;
  readonly role: string;
}

interface SessionState {
  readonly status: "unknown" | "signed-in" | "signed-out";
  readonly user: SessionUser | undefined;
}

export const useSession = create<SessionState>(() => ({ status: "unknown", user: undefined }));

let accessToken: string | undefined;

export function getAccessToken(): string | undefined {
  return accessToken;
}

/** Decodes the JWT payload's `username` and `role` (display only; the server checks the token). */
function userFromToken(token: string): SessionUser | undefined {
  try {
    const part = token.split(".")[1];
    if (part === undefined) return undefined;
    const json = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    return {
      username: typeof json.username === "string" ? json.username : "",
      role: typeof json.role === "string" ? json.role : "viewer",
    };
  } catch {
    return undefined;
  }
}

export function setAccessToken(token: string): void {
  accessToken = token;
  useSession.setState({ status: "signed-in", user: userFromToken(token) });
}

export function clearSession(): void {
  accessToken = undefined;
  useSession.setState({ status: "signed-out", user: undefined });
}
