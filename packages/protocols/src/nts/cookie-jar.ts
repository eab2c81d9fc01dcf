/**
 * The client's cookies (RFC 8915 §5.7): each authenticated request spends one, each
 * response brings fresh ones; a request asks for as many extra as the jar lacks by
 * sending Cookie Placeholders. Cookies are never reused (that would link requests).
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-5.7
 */
import { NTS_COOKIE_COUNT } from "./constants.js";

/** A first-in first-out store of at most `capacity` cookies. */
export class NtsCookieJar {
  readonly capacity: number;
  private readonly cookies: Uint8Array[] = [];

  constructor(capacity = NTS_COOKIE_COUNT) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.cookies.length;
  }

  /** Stores a copy of `cookie`; the oldest goes when the jar is full. */
  add(cookie: Uint8Array): void {
    this.cookies.push(new Uint8Array(cookie));
    while (this.cookies.length > this.capacity) this.cookies.shift();
  }

  /** Takes the oldest cookie out, or undefined when the jar is empty. */
  take(): Uint8Array | undefined {
    return this.cookies.shift();
  }

  /** How many placeholders the next request should carry once it took its cookie. */
  placeholdersWanted(): number {
    return Math.max(0, this.capacity - this.cookies.length - 1);
  }

  clear(): void {
    this.cookies.length = 0;
  }
}
