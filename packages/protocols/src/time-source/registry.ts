/**
 * The registry of time source adapters: one factory per URL scheme. Built-in schemes are
 * registered by default-registry.ts; applications add their own with
 * {@link TimeSourceRegistry.register} (or `registerTimeSource` on the default registry).
 * Strategy + one factory, as linuxptp's `transport_create` and hono's routers.
 */
import { InvalidArgumentError } from "@chronosync/core";
import { TimeSourceUnknownSchemeError } from "../errors.js";
import type { TimeSource, TimeSourceOptions } from "./types.js";
import { parseTimeSourceUrl, type TimeSourceUrl } from "./url.js";

/**
 * Makes a source from a parsed URL. Throws {@link TimeSourceUrlError} for a URL it
 * cannot use. `registry` lets composite sources (`auto://`) build their members.
 */
export type TimeSourceFactory = (
  url: TimeSourceUrl,
  options: TimeSourceOptions,
  registry: TimeSourceRegistry,
) => TimeSource;

const SCHEME_RE = /^[a-z][a-z0-9+.-]*$/;

/** Scheme → factory. */
export class TimeSourceRegistry {
  readonly #factories = new Map<string, TimeSourceFactory>();

  /** Registers (or replaces) the factory for `scheme` (lower case, RFC 3986 scheme syntax). */
  register(scheme: string, factory: TimeSourceFactory): void {
    if (!SCHEME_RE.test(scheme)) throw new InvalidArgumentError(`bad scheme ${JSON.stringify(scheme)}`);
    this.#factories.set(scheme, factory);
  }

  /** The registered schemes, sorted. */
  schemes(): string[] {
    return [...this.#factories.keys()].sort();
  }

  has(scheme: string): boolean {
    return this.#factories.has(scheme.toLowerCase());
  }

  /**
   * Makes the source a URL names. Throws TimeSourceUrlError (malformed URL, or one its
   * adapter refuses) or TimeSourceUnknownSchemeError.
   */
  create(url: string | TimeSourceUrl, options: TimeSourceOptions = {}): TimeSource {
    const parsed = typeof url === "string" ? parseTimeSourceUrl(url) : url;
    const factory = this.#factories.get(parsed.scheme);
    if (factory === undefined) throw new TimeSourceUnknownSchemeError(parsed.scheme, this.schemes());
    return factory(parsed, options, this);
  }
}
