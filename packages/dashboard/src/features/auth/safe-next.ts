/** The `next` to go to after sign-in: only paths of this app (no open redirect). */
export function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}
