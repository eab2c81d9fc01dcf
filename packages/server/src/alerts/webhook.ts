/**
 * Alert webhook signatures and one delivery attempt. Each document is POSTed as JSON,
 * signed with HMAC-SHA-256 over `<timestamp>.<body>` under the shared secret:
 * `X-ChronoSync-Signature: t=<unix seconds>,v1=<hex>`; the receiver recomputes it over
 * the raw body and rejects old timestamps. Retries live in the outbox (outbox.ts).
 * @see https://www.rfc-editor.org/rfc/rfc2104
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-chronosync-signature";

/** The signature header value for `body` sent at `unixSeconds`. */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** True when `header` is a valid signature of `body` under `secret`. */
export function verifyWebhookSignature(secret: string, header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) return false;
  const expected = Buffer.from(signWebhook(secret, Number(match[1]), body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** One POST of `body`; undefined on a 2xx answer, else why it failed. */
export async function postWebhook(
  url: string,
  secret: string,
  body: string,
  unixSeconds: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: signWebhook(secret, unixSeconds, body),
        "user-agent": "chronosync-server",
      },
      body,
      signal,
      redirect: "error",
    });
    await res.arrayBuffer().catch(() => {});
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
