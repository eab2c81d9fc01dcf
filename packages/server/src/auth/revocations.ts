/**
 * Revoked access tokens: when an admin disables, deletes, re-roles or resets a user, every
 * access token issued to that user until then stops working at once, in every server
 * process (instead of living out its 15 minutes). A revocation is a time per user: tokens
 * issued before it (their `iatMs` claim; `iat` seconds for tokens without one) are refused.
 * Processes learn of each other's revocations through the event bus; at start, every
 * disabled user is revoked as of then. What is lost on a restart: re-roles and resets
 * from the last 15 minutes (those tokens carry the old role until they expire).
 */
export class TokenRevocations {
  readonly #revokedAtMs = new Map<string, number>();

  /** Refuses `userId`'s tokens issued up to `atMs` (keeps the latest revocation). */
  revoke(userId: string, atMs: number): void {
    const prev = this.#revokedAtMs.get(userId);
    if (prev === undefined || atMs > prev) this.#revokedAtMs.set(userId, atMs);
  }

  /** True when a token of `userId` issued at `issuedAtMs` was revoked. */
  isRevoked(userId: string, issuedAtMs: number): boolean {
    const at = this.#revokedAtMs.get(userId);
    return at !== undefined && issuedAtMs < at;
  }

  /** How many users have revocations (for tests). */
  get size(): number {
    return this.#revokedAtMs.size;
  }
}
