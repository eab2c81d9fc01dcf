/**
 * Machine access tokens: short-lived JWTs (HS256, the key of user tokens) issued by
 * `POST /oauth/token` to an enrolled node's client (RFC 6749 §4.4). They carry `typ`
 * `client`, the client id as subject, the node id and the granted scopes (RFC 8693
 * §4.2 `scope`, space separated). User-token verification refuses them (no role).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9068
 */
import { jwtVerify, SignJWT } from "jose";

/** Scopes a machine client may hold. */
export const CLIENT_SCOPES = ["reports:write", "timestamps:write"] as const;
export type ClientScope = (typeof CLIENT_SCOPES)[number];

/** Lifetime of a machine access token, seconds. */
export const CLIENT_TOKEN_SECONDS = 300;
const ISSUER = "chronosync";
const AUDIENCE = "chronosync-agent";

/** The principal of a machine token. */
export interface ClientClaims {
  readonly clientId: string;
  readonly nodeId: string;
  readonly scopes: readonly ClientScope[];
}

export function isClientScope(s: string): s is ClientScope {
  return (CLIENT_SCOPES as readonly string[]).includes(s);
}

export async function issueClientToken(key: Uint8Array, claims: ClientClaims, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ typ: "client", node: claims.nodeId, scope: claims.scopes.join(" ") })
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .setSubject(claims.clientId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + CLIENT_TOKEN_SECONDS)
    .sign(key);
}

/** The claims of a valid machine token, or undefined (not one, bad, expired). */
export async function verifyClientToken(
  key: Uint8Array,
  token: string,
  now: Date,
): Promise<ClientClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: now,
    });
    const { sub, typ, node, scope } = payload as Record<string, unknown>;
    if (typ !== "client" || typeof sub !== "string" || typeof node !== "string" || typeof scope !== "string")
      return undefined;
    return { clientId: sub, nodeId: node, scopes: scope.split(" ").filter(isClientScope) };
  } catch {
    return undefined;
  }
}
