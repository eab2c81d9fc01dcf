/** Bearer tokens for tests, minted with the app's key (derived from the test master key). */
import { randomBytes } from "node:crypto";
import { deriveJwtKey, issueAccessToken, type Role } from "@chronosync/server";

export const TEST_MASTER_KEY = randomBytes(32).toString("base64");

export async function bearerFor(role: Role, masterKey = TEST_MASTER_KEY): Promise<{ authorization: string }> {
  const key = deriveJwtKey(Buffer.from(masterKey, "base64"));
  const token = await issueAccessToken(
    key,
    { sub: "00000000-0000-0000-0000-000000000000", username: `test-${role}`, role },
    new Date(),
  );
  return { authorization: `Bearer ${token}` };
}
