/**
 * Sending a malfeasance report (draft-ietf-ntp-roughtime-19 §8.4.1) to a collector: an
 * HTTP(S) POST of the report's JSON as `application/roughtime-malfeasance+json`. The
 * report stands on its own (anyone can check it offline with
 * `checkRoughtimeMalfeasanceReport`), so the answer is only reported back, never trusted.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-8.4.1
 */
import * as http from "node:http";
import * as https from "node:https";
import { InvalidArgumentError, NetworkFailureError } from "@chronosync/core";
import type { RoughtimeMalfeasanceReport } from "./malfeasance.js";

/** The report's media type (§11.3). */
export const ROUGHTIME_MALFEASANCE_MEDIA_TYPE = "application/roughtime-malfeasance+json";

/** Options of {@link postRoughtimeMalfeasanceReport}. */
export interface MalfeasancePostOptions {
  /** Whole request, ms (default 10 000). */
  timeoutMs?: number;
  /** Trusted CA certificates (PEM) for an https:// collector, instead of the default roots. */
  ca?: string | Buffer;
}

/** What the collector answered. */
export interface MalfeasancePostResult {
  url: string;
  status: number;
  /** A 2xx status. */
  accepted: boolean;
}

/**
 * POSTs `report` to `url` (http or https). Resolves with the status, whatever it is;
 * rejects with core's InvalidArgumentError for a URL of another scheme, NetworkFailureError
 * when no answer came (refused, TLS failure, timeout).
 */
export function postRoughtimeMalfeasanceReport(
  url: string,
  report: RoughtimeMalfeasanceReport,
  options: MalfeasancePostOptions = {},
): Promise<MalfeasancePostResult> {
  if (!URL.canParse(url)) throw new InvalidArgumentError(`bad malfeasance report URL ${JSON.stringify(url)}`);
  const target = new URL(url);
  if (target.protocol !== "https:" && target.protocol !== "http:")
    throw new InvalidArgumentError(`a malfeasance report URL is http(s), not ${target.protocol}`);
  const body = Buffer.from(JSON.stringify(report));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const where = `malfeasance report to ${target.origin}${target.pathname}`;
  return new Promise((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      method: "POST",
      headers: { "content-type": ROUGHTIME_MALFEASANCE_MEDIA_TYPE, "content-length": body.length },
      agent: false,
      ...(target.protocol === "https:" && options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const req = (target.protocol === "https:" ? https : http).request(target, requestOptions, (res) => {
      res.resume();
      res.on("end", () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        resolve({ url: target.href, status, accepted: status >= 200 && status < 300 });
      });
    });
    const timer = setTimeout(
      () => req.destroy(new NetworkFailureError(`${where}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(
        err instanceof NetworkFailureError
          ? err
          : new NetworkFailureError(`${where}: ${err.message}`, { cause: err }),
      );
    });
    req.end(body);
  });
}
