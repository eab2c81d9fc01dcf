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

/** Where index.html leaves the refresh it starts before the app's JavaScript has loaded. */
interface EarlyRefresh {
  __chronosyncRefresh?: Promise<Response> | undefined;
}

/** The refresh index.html already sent, once; undefined when there is none (or it was taken). */
function takeEarlyRefresh(): Promise<Response> | undefined {
  const scope = globalThis as EarlyRefresh;
  const early = scope.__chronosyncRefresh;
  scope.__chronosyncRefresh = undefined;
  return early;
}

/**
 * Exchanges the refresh cookie for a new access token; concurrent callers share one
 * request. The first call takes over the request index.html sent at load, if any: the
 * server rotates the cookie on every refresh, so a page load must send exactly one.
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const early = takeEarlyRefresh();
      const response =
        (early === undefined ? undefined : await early.catch(() => undefined)) ??
        (await send("/api/auth/refresh", { method: "POST", auth: false }));
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

/**
 * A page load with no token in memory: trade the refresh cookie for one (sharing an
 * in-flight refresh); a refusal signs out. Started by `main.tsx` before the route's chunk
 * has loaded, so the two run in parallel; the auth guard waits for the same promise.
 */
export async function resumeSession(): Promise<boolean> {
  const ok = await refreshAccessToken();
  if (!ok && getAccessToken() === undefined) clearSession();
  return ok;
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
