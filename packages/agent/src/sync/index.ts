export * from "./agent-state.js";
export { boundDistance } from "./bound-distance.js";
export { CompensatedFilter, type FrequencyProvider } from "./compensated-filter.js";
export { hostOf, parseIPv6, referenceIdOf } from "./reference-id.js";
export {
  type CandidateKind,
  COARSE_MARGIN_NS,
  COARSE_RATIO,
  fineDistance,
  selectWithPolicy,
} from "./selection-policy.js";
export * from "./sync-engine.js";
