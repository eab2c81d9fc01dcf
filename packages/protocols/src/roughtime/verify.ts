/**
 * Verification of a Roughtime response against the request we sent and the server's
 * long-term public key (draft-ietf-ntp-roughtime-19 §5.4): CERT's signature by the
 * long-term key, MIDP within [MINT, MAXT], the Merkle path from our request to ROOT,
 * SREP's signature by the delegated key — plus NONC is ours, VER one we offered (and in
 * VERS), RADI not zero. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5.4
 */
import { NS_PER_S } from "@chronosync/core";
import { RoughtimeVerificationError } from "../errors.js";
import { bytesEqual, concatBytes } from "./bytes.js";
import {
  type Ed25519,
  nobleEd25519,
  ROUGHTIME_DELEGATION_CONTEXT,
  ROUGHTIME_RESPONSE_CONTEXT,
} from "./crypto.js";
import { roughtimeLeaf, roughtimeRootFromPath } from "./merkle.js";
import { decodeRoughtimeRequest } from "./request.js";
import { decodeRoughtimeResponse, type RoughtimeResponse } from "./response.js";

/** A response that passed every check. Times in ns since the Unix epoch. */
export interface RoughtimeVerifiedResponse {
  /** The version the server answered with. */
  version: number;
  /** MIDP as ns since the Unix epoch (MIDP is whole seconds). */
  midpointNs: bigint;
  /** RADI as ns. */
  radiusNs: bigint;
  /** The decoded response. */
  response: RoughtimeResponse;
}

/**
 * Verifies `responsePacket` as the answer to `requestPacket` from the server whose
 * long-term key is `publicKey`. Throws RoughtimeDecodeError (either packet malformed) or
 * RoughtimeVerificationError (a check failed; `failure` says which).
 */
export function verifyRoughtimeResponse(
  requestPacket: Uint8Array,
  responsePacket: Uint8Array,
  publicKey: Uint8Array,
  ed25519: Ed25519 = nobleEd25519,
): RoughtimeVerifiedResponse {
  const request = decodeRoughtimeRequest(requestPacket);
  const response = decodeRoughtimeResponse(responsePacket);
  const { srep, cert } = response;
  if (!bytesEqual(response.nonce, request.nonce))
    throw new RoughtimeVerificationError("nonce-mismatch", "NONC differs from the request's nonce");
  if (!request.versions.includes(srep.version) || !srep.versions.includes(srep.version))
    throw new RoughtimeVerificationError(
      "version",
      `version ${srep.version} was not offered or is not in VERS`,
    );
  if (!ed25519.verify(cert.signature, concatBytes(ROUGHTIME_DELEGATION_CONTEXT, cert.dele), publicKey))
    throw new RoughtimeVerificationError("delegation-signature", "CERT is not signed by the long-term key");
  const { minTime, maxTime } = cert.delegation;
  if (srep.midpoint < minTime || srep.midpoint > maxTime)
    throw new RoughtimeVerificationError(
      "delegation-window",
      `MIDP ${srep.midpoint} outside the delegation [${minTime}, ${maxTime}]`,
    );
  const root = roughtimeRootFromPath(roughtimeLeaf(requestPacket), response.index, response.path);
  if (root === null || !bytesEqual(root, srep.root))
    throw new RoughtimeVerificationError(
      "merkle-path",
      `PATH and INDX ${response.index} do not lead to ROOT`,
    );
  if (
    !ed25519.verify(
      response.signature,
      concatBytes(ROUGHTIME_RESPONSE_CONTEXT, response.srepBytes),
      cert.delegation.publicKey,
    )
  )
    throw new RoughtimeVerificationError("response-signature", "SREP is not signed by the delegated key");
  if (srep.radius === 0) throw new RoughtimeVerificationError("radius", "RADI is zero");
  return {
    version: srep.version,
    midpointNs: srep.midpoint * NS_PER_S,
    radiusNs: BigInt(srep.radius) * NS_PER_S,
    response,
  };
}
