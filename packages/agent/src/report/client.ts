/**
 * The agent's client of the server's fleet API (docs/report-protocol.md): enrollment,
 * OAuth 2.0 client credentials (RFC 6749 §4.4, client authentication by HTTP Basic,
 * §2.3.1), and posting report batches with an `Idempotency-Key`. Each call is one request;
 * retrying and backoff are the reporter's.
 */
import { ReportAuthError, ReportEnrollRejectedError, ReportHttpError } from "../errors.js";
import type { ReportBatch } from "./buffer.js";
import type { Credentials } from "./credentials.js";
import { type HttpRequest, type HttpResponse, httpRequest, retryAfterMs } from "./http.js";

export interface ReportClientOptions {
  /** Server base URL, e.g. `https://chronosync.example.com/`. */
  readonly server: string;
  /** Extra trusted CA certificates (PEM), for a self-signed server certificate. */
  readonly ca?: string;
  /** Per request, ms (default 15 000). */
  readonly timeoutMs?: number;
  /** The transport (tests); default {@link httpRequest}. */
  readonly request?: (req: HttpRequest) => Promise<HttpResponse>;
}

/** An access token (RFC 6749 §5.1) and when to stop using it. */
export interface AccessToken {
  readonly value: string;
  /** Local ms (the caller's clock) after which a new token is fetched: 90 % of `expires_in`, at most 60 s early. */
  readonly refreshAtMs: number;
  readonly scope: string;
}

/** What `POST /api/agents/reports` answered, as the reporter acts on it. */
export type PostBatchResult =
  | { readonly kind: "accepted"; readonly accepted: number; readonly duplicates: number }
  | { readonly kind: "tooLarge" }
  | { readonly kind: "retry"; readonly status: number; readonly delayMs: number | undefined }
  | { readonly kind: "unauthorized" }
  | { readonly kind: "rejected"; readonly status: number; readonly detail: string };

/** What `GET /api/agents/reports/last-seq` answered. */
export type LastSeqResult =
  | { readonly kind: "ok"; readonly lastSeq: number }
  | { readonly kind: "unsupported" }
  | { readonly kind: "unauthorized" };

const json = (text: string): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** `title: detail` of an RFC 9457 problem, or the first 200 characters of the body. */
export function problemText(res: HttpResponse): string {
  const p = json(res.body);
  const parts = [p?.title, p?.detail].filter((x): x is string => typeof x === "string");
  return parts.length > 0 ? parts.join(": ") : `HTTP ${res.status} ${res.body.slice(0, 200)}`.trim();
}

const isString = (v: unknown): v is string => typeof v === "string" && v !== "";

/** One server's fleet API. */
export class ReportClient {
  readonly server: string;
  readonly #ca: string | undefined;
  readonly #timeoutMs: number;
  readonly #request: (req: HttpRequest) => Promise<HttpResponse>;

  constructor(options: ReportClientOptions) {
    this.server = options.server.endsWith("/") ? options.server : `${options.server}/`;
    this.#ca = options.ca;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#request = options.request ?? httpRequest;
  }

  #send(path: string, headers: Record<string, string>, body?: string): Promise<HttpResponse> {
    return this.#request({
      method: body === undefined ? "GET" : "POST",
      url: new URL(path, this.server).href,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: this.#timeoutMs,
      ...(this.#ca === undefined ? {} : { ca: this.#ca }),
    });
  }

  /**
   * `GET /api/agents/reports/last-seq`: the highest seq the server stored for this node.
   * `unsupported` from a server without the route (404, 405): the reporter goes on as
   * before. Other failures throw ReportHttpError; transport faults reject.
   */
  async lastSeq(token: AccessToken, nodeId: string): Promise<LastSeqResult> {
    const res = await this.#send("api/agents/reports/last-seq", { authorization: `Bearer ${token.value}` });
    if (res.status === 401) return { kind: "unauthorized" };
    if (res.status === 404 || res.status === 405) return { kind: "unsupported" };
    if (res.status !== 200) throw new ReportHttpError(res.status, `last-seq: ${problemText(res)}`);
    const b = json(res.body);
    const last = b?.lastSeq;
    if (typeof last !== "number" || !Number.isSafeInteger(last) || last < 0 || b?.nodeId !== nodeId)
      throw new ReportHttpError(res.status, "last-seq: answer lacks this node's lastSeq");
    return { kind: "ok", lastSeq: last };
  }

  /** `POST /api/agents/enroll`: trades the one-time token for client credentials. */
  async enroll(token: string, hostname: string, agentVersion: string): Promise<Credentials> {
    const res = await this.#send(
      "api/agents/enroll",
      { "content-type": "application/json" },
      JSON.stringify({ token, hostname, agentVersion }),
    );
    if (res.status === 401 || res.status === 410) {
      const why = res.status === 410 ? "used or expired" : "unknown";
      throw new ReportEnrollRejectedError(res.status, `enrollment token ${why}: ${problemText(res)}`);
    }
    const b = json(res.body);
    if (res.status !== 201 && res.status !== 200)
      throw new ReportHttpError(res.status, `enroll: ${problemText(res)}`);
    if (!isString(b?.nodeId) || !isString(b.clientId) || !isString(b.clientSecret))
      throw new ReportHttpError(res.status, "enroll: answer lacks nodeId, clientId or clientSecret");
    const scopes = Array.isArray(b.scopes) ? b.scopes.filter(isString) : [];
    return {
      server: this.server,
      nodeId: b.nodeId,
      clientId: b.clientId,
      clientSecret: b.clientSecret,
      scopes,
    };
  }

  /** `POST /oauth/token` with the client credentials grant (RFC 6749 §4.4); `nowMs` anchors the expiry. */
  async token(creds: Credentials, nowMs: number): Promise<AccessToken> {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    const basic = Buffer.from(
      `${encodeURIComponent(creds.clientId)}:${encodeURIComponent(creds.clientSecret)}`,
    ).toString("base64");
    const res = await this.#send(
      "oauth/token",
      { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
      "grant_type=client_credentials&scope=reports%3Awrite",
    );
    const b = json(res.body);
    if (res.status === 400 || res.status === 401) {
      const code = isString(b?.error) ? b.error : "invalid_client";
      const desc = isString(b?.error_description) ? `: ${b.error_description}` : "";
      throw new ReportAuthError(res.status, code, `token request refused (${code}${desc})`);
    }
    if (res.status !== 200) throw new ReportHttpError(res.status, `token: ${problemText(res)}`);
    if (
      !isString(b?.access_token) ||
      typeof b.token_type !== "string" ||
      b.token_type.toLowerCase() !== "bearer"
    )
      throw new ReportHttpError(res.status, "token: answer lacks a Bearer access_token");
    const expiresS = typeof b.expires_in === "number" && b.expires_in > 0 ? b.expires_in : 300;
    const early = Math.min(60, expiresS * 0.1);
    return {
      value: b.access_token,
      refreshAtMs: nowMs + (expiresS - early) * 1000,
      scope: isString(b.scope) ? b.scope : "reports:write",
    };
  }

  /** `POST /api/agents/reports` with the batch's id as `Idempotency-Key`. Transport faults reject. */
  async postBatch(
    token: AccessToken,
    nodeId: string,
    batch: ReportBatch,
    nowMs: number,
  ): Promise<PostBatchResult> {
    const body = `{"nodeId":${JSON.stringify(nodeId)},"batchId":${JSON.stringify(batch.id)},"reports":[${batch.lines.join(",")}],"dropped":${batch.dropped}}`;
    const res = await this.#send(
      "api/agents/reports",
      {
        "content-type": "application/json",
        authorization: `Bearer ${token.value}`,
        "idempotency-key": batch.id,
      },
      body,
    );
    const s = res.status;
    if (s === 200 || s === 201 || s === 202) {
      const b = json(res.body);
      const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
      return { kind: "accepted", accepted: n(b?.accepted), duplicates: n(b?.duplicates) };
    }
    if (s === 413) return { kind: "tooLarge" };
    if (s === 401) return { kind: "unauthorized" };
    if (s === 408 || s === 429 || s >= 500)
      return { kind: "retry", status: s, delayMs: retryAfterMs(res.headers["retry-after"], nowMs) };
    return { kind: "rejected", status: s, detail: problemText(res) };
  }
}
