/**
 * The default registry with every built-in scheme, and the module-level helpers most
 * callers use: `registerTimeSource` adds a custom adapter, `createTimeSource` makes any
 * source from its URL.
 */
import { createAutoTimeSource } from "./auto-source.js";
import { createChronosyncTimeSource } from "./chronosync-source.js";
import { type DetectionResult, type DetectOptions, detectProtocolsWith } from "./detect.js";
import { createHttpTimeSource } from "./http-source.js";
import { createLocalTimeSource } from "./local-source.js";
import { createNtpTimeSource } from "./ntp-source.js";
import { createNtsTimeSource } from "./nts-source.js";
import { createPtpTimeSource } from "./ptp-source.js";
import { type TimeSourceFactory, TimeSourceRegistry } from "./registry.js";
import { createRoughtimeTimeSource } from "./roughtime-source.js";
import { createSystemTimeSource } from "./system-source.js";
import type { TimeSource, TimeSourceOptions } from "./types.js";
import type { TimeSourceUrl } from "./url.js";

/**
 * A new registry holding the built-in schemes: ntp, nts, roughtime, http, https, ptp, local,
 * system, auto, chronosync (HTTPS) and chronosync+http.
 */
export function createDefaultTimeSourceRegistry(): TimeSourceRegistry {
  const registry = new TimeSourceRegistry();
  registry.register("ntp", createNtpTimeSource);
  registry.register("nts", createNtsTimeSource);
  registry.register("roughtime", createRoughtimeTimeSource);
  registry.register("http", createHttpTimeSource);
  registry.register("https", createHttpTimeSource);
  registry.register("ptp", createPtpTimeSource);
  registry.register("local", createLocalTimeSource);
  registry.register("system", createSystemTimeSource);
  registry.register("auto", createAutoTimeSource);
  registry.register("chronosync", createChronosyncTimeSource);
  registry.register("chronosync+http", createChronosyncTimeSource);
  return registry;
}

/** The process-wide registry used by {@link createTimeSource}. */
export const defaultTimeSourceRegistry: TimeSourceRegistry = createDefaultTimeSourceRegistry();

/** Registers a custom adapter for `scheme` on the default registry (replacing any). */
export function registerTimeSource(scheme: string, factory: TimeSourceFactory): void {
  defaultTimeSourceRegistry.register(scheme, factory);
}

/**
 * Makes the time source a URL names, from the default registry: `ntp://host[:port]`,
 * `nts://host[:port]`, `roughtime://host[:port]?key=BASE64`, `http(s)://host[:port][/path]`,
 * `ptp://interface-or-address`, `local`, `system`, `auto://host`, or any registered scheme.
 * Throws TimeSourceUrlError or TimeSourceUnknownSchemeError.
 */
export function createTimeSource(url: string | TimeSourceUrl, options?: TimeSourceOptions): TimeSource {
  return defaultTimeSourceRegistry.create(url, options);
}

/**
 * Automatic detection on the default registry (or `options.registry`): probes NTS-KE,
 * Roughtime, HTTPS, PTP (with `options.ptp`), NTP and HTTP on `host` in parallel within
 * `deadlineMs` and picks authenticated first, then accuracy. See detect.ts.
 */
export function detectProtocols(
  host: string,
  options: DetectOptions & { registry?: TimeSourceRegistry } = {},
): Promise<DetectionResult> {
  const { registry = defaultTimeSourceRegistry, ...rest } = options;
  return detectProtocolsWith(host, registry, rest);
}
