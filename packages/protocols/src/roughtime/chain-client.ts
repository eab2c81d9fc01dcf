/**
 * `queryRoughtimeChain`: the draft's measurement sequence over several servers. Servers
 * are queried one after another, the whole sequence `rounds` times (default 2, as §8.2
 * requires to catch every inconsistency); each nonce after the first is H(previous
 * response || rand). Any pair of valid responses that cannot both be true yields a
 * malfeasance report (§8.4.1) with the whole chain, POSTed to `malfeasanceReportUrl` when given.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-8.2
 */
import { randomBytes } from "node:crypto";
import { InvalidArgumentError } from "@chronosync/core";
import { RoughtimeMalfeasanceError } from "../errors.js";
import {
  chainedRoughtimeNonce,
  findRoughtimeInconsistencies,
  type RoughtimeChainLink,
  type RoughtimeInconsistency,
} from "./chain.js";
import { queryRoughtime, type RoughtimeQueryOptions, type RoughtimeQueryResult } from "./client.js";
import { type RoughtimeMalfeasanceReport, roughtimeMalfeasanceReport } from "./malfeasance.js";
import {
  type MalfeasancePostOptions,
  type MalfeasancePostResult,
  postRoughtimeMalfeasanceReport,
} from "./malfeasance-post.js";

/** A server of a chain: where it is and its long-term public key. */
export interface RoughtimeServerSpec {
  host: string;
  port: number;
  publicKey: Uint8Array;
}

/** Options of {@link queryRoughtimeChain}. */
export interface RoughtimeChainOptions extends Omit<RoughtimeQueryOptions, "nonce"> {
  /** Passes over the server list (default 2). */
  rounds?: number;
  /** `"report"` (default): return the report; `"throw"`: reject with RoughtimeMalfeasanceError. */
  onMalfeasance?: "report" | "throw";
  /** Source of the 32-byte rand values (default node:crypto). */
  randomBytes?: (length: number) => Uint8Array;
  /**
   * Where to POST a malfeasance report when the chain makes one (§8.4.1), http(s); the
   * outcome is in the result's `malfeasanceReportPost`, a failure never fails the chain.
   */
  malfeasanceReportUrl?: string;
  /** Options of that POST (timeout, CA for an https collector). */
  malfeasanceReportPost?: MalfeasancePostOptions;
}

/** The outcome of a chain. */
export interface RoughtimeChainResult {
  /** Every exchange, in order. */
  samples: (RoughtimeQueryResult & { server: number })[];
  links: RoughtimeChainLink[];
  inconsistencies: RoughtimeInconsistency[];
  /** The malfeasance report, or null when all responses agree. */
  malfeasanceReport: RoughtimeMalfeasanceReport | null;
  /** The POST of the report to `malfeasanceReportUrl`: its answer or why it failed; null when not sent. */
  malfeasanceReportPost:
    | MalfeasancePostResult
    | { url: string; error: { code: string; message: string } }
    | null;
}

/**
 * Runs the chain. A server that fails (timeout, bad signature) rejects the whole chain
 * with its error: the draft counts only valid responses, and a report must not be made
 * from protocol errors (§8.4.2).
 */
export async function queryRoughtimeChain(
  servers: readonly RoughtimeServerSpec[],
  options: RoughtimeChainOptions = {},
): Promise<RoughtimeChainResult> {
  const {
    rounds = 2,
    onMalfeasance = "report",
    malfeasanceReportUrl,
    malfeasanceReportPost: postOptions,
    ...queryOptions
  } = options;
  if (queryOptions.format === "google")
    throw new InvalidArgumentError("chains use the draft's format (Google's chained nonces differ)");
  const random = options.randomBytes ?? ((n: number) => new Uint8Array(randomBytes(n)));
  if (servers.length < 1) throw new InvalidArgumentError("a chain needs at least one server");
  if (!Number.isInteger(rounds) || rounds < 1) throw new InvalidArgumentError("rounds must be ≥ 1");
  const samples: RoughtimeChainResult["samples"] = [];
  const links: RoughtimeChainLink[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [server, spec] of servers.entries()) {
      const previous = links[links.length - 1];
      const rand = previous === undefined ? null : random(32);
      const nonce =
        previous === undefined || rand === null ? random(32) : chainedRoughtimeNonce(previous.response, rand);
      const result = await queryRoughtime(spec.host, spec.port, spec.publicKey, { ...queryOptions, nonce });
      samples.push({ ...result, server });
      links.push({
        publicKey: spec.publicKey,
        rand,
        request: result.request,
        response: result.response,
        midpointNs: result.midpointNs,
        radiusNs: result.radiusNs,
        sentNs: result.sentNs,
        receivedNs: result.receivedNs,
      });
    }
  }
  const inconsistencies = findRoughtimeInconsistencies(links);
  const malfeasanceReport = inconsistencies.length === 0 ? null : roughtimeMalfeasanceReport(links);
  let malfeasanceReportPost: RoughtimeChainResult["malfeasanceReportPost"] = null;
  if (malfeasanceReport !== null && malfeasanceReportUrl !== undefined) {
    try {
      malfeasanceReportPost = await postRoughtimeMalfeasanceReport(
        malfeasanceReportUrl,
        malfeasanceReport,
        postOptions,
      );
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      malfeasanceReportPost = {
        url: malfeasanceReportUrl,
        error: {
          code: typeof e?.code === "string" ? e.code : "ERROR",
          message: typeof e?.message === "string" ? e.message : String(err),
        },
      };
    }
  }
  if (malfeasanceReport !== null && onMalfeasance === "throw") {
    const first = inconsistencies[0]!;
    throw new RoughtimeMalfeasanceError(
      `Roughtime responses #${first.earlier} and #${first.later} are inconsistent (${first.kind}, gap ${first.gapNs} ns)`,
      malfeasanceReport,
    );
  }
  return { samples, links, inconsistencies, malfeasanceReport, malfeasanceReportPost };
}
