/**
 * Malfeasance reports (draft-ietf-ntp-roughtime-19 §8.4.1, media type
 * application/roughtime-malfeasance+json): the whole chain, in the order received, with
 * base64 request, response, long-term key and the rand that made each nonce. Building
 * one, and checking one offline: every response valid for its request and key, every
 * nonce chained, and at least one pair of responses out of causal order. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-8.4
 */
import { InvalidArgumentError } from "@chronosync/core";
import { RoughtimeVerificationError } from "../errors.js";
import { bytesEqual } from "./bytes.js";
import { chainedRoughtimeNonce, type RoughtimeChainLink, type RoughtimeInconsistency } from "./chain.js";
import { type Ed25519, nobleEd25519 } from "./crypto.js";
import { verifyRoughtimeResponse } from "./verify.js";

/** A malfeasance report, ready for JSON.stringify. */
export interface RoughtimeMalfeasanceReport {
  responses: { rand?: string; publicKey: string; request: string; response: string }[];
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: unknown, what: string): Uint8Array {
  if (typeof text !== "string") throw new InvalidArgumentError(`${what} is not a base64 string`);
  let binary: string;
  try {
    binary = atob(text.replace(/\s+/g, ""));
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not valid base64`, { cause: err });
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The report of a chain: every link in order, byte fields base64-encoded. */
export function roughtimeMalfeasanceReport(
  chain: readonly Pick<RoughtimeChainLink, "rand" | "publicKey" | "request" | "response">[],
): RoughtimeMalfeasanceReport {
  return {
    responses: chain.map((link) => ({
      ...(link.rand === null ? {} : { rand: toBase64(link.rand) }),
      publicKey: toBase64(link.publicKey),
      request: toBase64(link.request),
      response: toBase64(link.response),
    })),
  };
}

/** What an offline check of a report found. */
export interface RoughtimeReportCheck {
  /** MIDP and RADI of each response, ns. */
  times: { midpointNs: bigint; radiusNs: bigint }[];
  /** Pairs out of causal order (the proof); empty means the report proves nothing. */
  inconsistencies: RoughtimeInconsistency[];
}

/**
 * Checks a report (parsed JSON) offline. Throws core's InvalidArgumentError for a
 * malformed report, RoughtimeDecodeError / RoughtimeVerificationError for an invalid
 * response or a broken chain (`chain-nonce`).
 */
export function checkRoughtimeMalfeasanceReport(
  report: unknown,
  ed25519: Ed25519 = nobleEd25519,
): RoughtimeReportCheck {
  const responses = (report as { responses?: unknown } | null)?.responses;
  if (!Array.isArray(responses) || responses.length === 0)
    throw new InvalidArgumentError("a malfeasance report needs a non-empty responses list");
  const times: RoughtimeReportCheck["times"] = [];
  let previous: Uint8Array | null = null;
  responses.forEach((entry: Record<string, unknown>, i) => {
    const request = fromBase64(entry.request, `responses[${i}].request`);
    const response = fromBase64(entry.response, `responses[${i}].response`);
    const publicKey = fromBase64(entry.publicKey, `responses[${i}].publicKey`);
    const v = verifyRoughtimeResponse(request, response, publicKey, ed25519);
    if (previous !== null) {
      const rand = fromBase64(entry.rand, `responses[${i}].rand`);
      if (rand.length !== 32 || !bytesEqual(chainedRoughtimeNonce(previous, rand), v.response.nonce))
        throw new RoughtimeVerificationError(
          "chain-nonce",
          `responses[${i}]'s nonce is not chained to responses[${i - 1}]`,
        );
    }
    previous = response;
    times.push({ midpointNs: v.midpointNs, radiusNs: v.radiusNs });
  });
  const inconsistencies: RoughtimeInconsistency[] = [];
  times.forEach((a, i) => {
    for (let j = i + 1; j < times.length; j++) {
      const b = times[j]!;
      const gapNs = a.midpointNs - a.radiusNs - (b.midpointNs + b.radiusNs);
      if (gapNs > 0n) inconsistencies.push({ kind: "causal", earlier: i, later: j, gapNs });
    }
  });
  return { times, inconsistencies };
}
