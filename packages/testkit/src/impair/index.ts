export { buildImpairArgs, IMPAIR_USAGE, parseImpairArgs } from "./cli-args.js";
export {
  type DirectionImpairment,
  formatHostPort,
  type HostPort,
  type ImpairmentRelayOptions,
  parseHostPort,
  RELAY_DEFAULTS,
  resolveRelayOptions,
} from "./options.js";
export {
  createRandom,
  formatJitterSpec,
  type JitterSpec,
  parseJitterSpec,
  type Random,
  sampleJitterMs,
} from "./prng.js";
export { type ImpairmentRelay, startImpairmentRelay } from "./relay.js";
export { ReleaseQueue } from "./release-queue.js";
export type {
  DelayStats,
  Direction,
  DirectionSummary,
  ErrorStats,
  ImpairmentReport,
  PacketRecord,
  StopReason,
} from "./report.js";
export {
  IMPAIR_BIN,
  type SpawnedImpairmentRelay,
  type SpawnRelayOptions,
  spawnImpairmentRelay,
} from "./spawn.js";
