/**
 * One HTTP(S) request with node:http/https: a body, an optional extra CA (a self-signed
 * server certificate), a whole-request timeout, and a capped response body. Connection
 * faults and timeouts reject with core's {@link NetworkFailureError}.
 */
import * as http from "node:http";
import * as https from "node:https";
import { NetworkFailureError } from "@chronosync/core";

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Extra trusted CA certificates (PEM) for https. */
  readonly ca?: string;
  /** Whole request, ms (default 15 000). */
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

const MAX_BODY = 1 << 20;

/** Sends one request; any status resolves, only transport faults reject. */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url);
  const body = req.body === undefined ? undefined : Buffer.from(req.body, "utf8");
  const headers: Record<string, string> = { accept: "application/json", ...req.headers };
  if (body !== undefined) headers["content-length"] = String(body.length);
  const timeoutMs = req.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) =>
      reject(
        err instanceof NetworkFailureError
          ? err
          : new NetworkFailureError(`${req.method} ${url.origin}${url.pathname}: ${reason(err)}`, {
              cause: err,
            }),
      );
    const options: https.RequestOptions = { method: req.method, headers, agent: false };
    if (url.protocol === "https:" && req.ca !== undefined) options.ca = req.ca;
    const r = (url.protocol === "https:" ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", fail);
    });
    const timer = setTimeout(() => {
      r.destroy(
        new NetworkFailureError(`${req.method} ${url.origin}${url.pathname}: no answer in ${timeoutMs} ms`),
      );
    }, timeoutMs);
    r.on("error", (err) => {
      clearTimeout(timer);
      fail(err);
    });
    r.end(body);
  });
}

function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string")
    return `${e.code}${typeof e.message === "string" ? ` (${e.message})` : ""}`;
  return err instanceof Error ? err.message : String(err);
}

/** Seconds or HTTP-date of a `Retry-After` header as ms from `nowMs` (RFC 9110 §10.2.3), or undefined. */
export function retryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
