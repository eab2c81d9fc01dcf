/**
 * `apiFetch`: the dashboard's only way to the server (same origin). Sends the in-memory
 * bearer token; on a 401 refreshes it once through the httpOnly refresh cookie
 * (`POST /api/auth/refresh`, docs/server.md) and retries; turns problem+json answers
 * (RFC 9457) into `ApiError`s whose message is the problem's `detail`.
 */
import { ApiError, problemToError } from "./api-error.js";
import { clearSession, getAccessToken, setAccessToken } from "./session.js";

export { ApiError, errorMessage } from "./api-error.js";

/** `POST /api/auth/login` and `/refresh` answer (issue 4 §6). */
export interface TokenResponse {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly tokenType?: string;
}

export interface ApiRequest extends Omit<RequestInit, "body"> {
  /** Sent as JSON with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** Send the bearer token and refresh on 401 (default true). */
  readonly auth?: boolean;
}

async function send(path: string, request: ApiRequest): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set("Accept", "application/json, application/problem+json");
  const token = request.auth === false ? undefined : getAccessToken();
  if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
  let body: string | undefined;
  if (request.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(request.json);
  }
  try {
    return await fetch(path, { ...request, headers, body, credentials: "same-origin" });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError("Cannot reach the ChronoSync server. Check that it is running and try again.", {
      status: 0,
      code: "NETWORK_FAILURE",
      title: "Network failure",
      cause,
    });
  }
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === "") return undefined;
  const type = response.headers.get("Content-Type") ?? "";
  if (!type.includes("json")) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ApiError("The server sent a malformed answer.", {
      status: response.status,
      code: "BAD_RESPONSE",
      cause,
    });
  }
}

let refreshing: Promise<boolean> | undefined;

/** Exchanges the refresh cookie for a new access token; concurrent callers share one request. */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await send("/api/auth/refresh", { method: "POST", auth: false });
      const body = await readBody(response);
      if (!response.ok) return false;
      setAccessToken((body as TokenResponse).accessToken);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** Calls the API and answers the parsed JSON body; throws `ApiError` on any failure. */
export async function apiFetch<T>(path: string, request: ApiRequest = {}): Promise<T> {
  let response = await send(path, request);
  if (response.status === 401 && request.auth !== false) {
    if (await refreshAccessToken()) response = await send(path, request);
    else clearSession();
  }
  const body = await readBody(response);
  if (!response.ok) throw problemToError(response.status, body, response.headers.get("Retry-After"));
  return body as T;
}
