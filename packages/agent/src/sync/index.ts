export * from "./agent-state.js";
export { boundDistance } from "./bound-distance.js";
export { CompensatedFilter, type FrequencyProvider } from "./compensated-filter.js";
export { hostOf, parseIPv6, referenceIdOf } from "./reference-id.js";
export * from "./sync-engine.js";
