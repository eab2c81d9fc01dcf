/**
 * Time sources for ChronoSync: the {@link TimeSource} interface, the scheme registry,
 * adapters for every protocol, automatic detection and fallback chains. See
 * docs/time-sources.md.
 */
export { AutoTimeSource, createAutoTimeSource } from "./auto-source.js";
export {
  createDefaultTimeSourceRegistry,
  createTimeSource,
  defaultTimeSourceRegistry,
  detectProtocols,
  registerTimeSource,
} from "./default-registry.js";
export {
  DETECTION_PORTS,
  DETECTION_PREFERENCE,
  type DetectableProtocol,
  type DetectionResult,
  type DetectOptions,
  detectProtocolsWith,
  type ProbeOutcome,
} from "./detect.js";
export {
  type FallbackMemberState,
  type FallbackOptions,
  FallbackSource,
  type FallbackState,
  fallbackSource,
} from "./fallback.js";
export { createHttpTimeSource } from "./http-source.js";
export { CHRONYD_CMD_PORT, createLocalTimeSource } from "./local-source.js";
export { createNtpTimeSource, NTP_DEFAULT_PORT, ntpTimeSample } from "./ntp-source.js";
export { createNtsTimeSource, NTS_KE_PORT, type NtsSourceState, NtsTimeSource } from "./nts-source.js";
export { createPtpTimeSource, PtpTimeSource } from "./ptp-source.js";
export { type TimeSourceFactory, TimeSourceRegistry } from "./registry.js";
export { createRoughtimeTimeSource, decodeRoughtimeKey, ROUGHTIME_PORT } from "./roughtime-source.js";
export { createSystemTimeSource, SYSTEM_DEFAULT_MAX_ERROR_NS } from "./system-source.js";
export type {
  ExchangeTimestamps,
  MeasureOptions,
  TimeProtocol,
  TimeSample,
  TimeSource,
  TimeSourceLogger,
  TimeSourceOptions,
} from "./types.js";
export { silentLogger } from "./types.js";
export { formatAuthority, parseTimeSourceUrl, type TimeSourceUrl } from "./url.js";
