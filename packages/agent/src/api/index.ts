/** The agent's local HTTP API (issue 3 §5, §7, §11): `/v1/now`, `/v1/status`, `/metrics`. */
export {
  CHRONYD_DEFAULT_TARGETS,
  type ChronydMonitorOptions,
  type ChronydReading,
  type ChronydView,
  chronydTargets,
  createChronydMonitor,
  describeChronydTarget,
  readChronyd,
} from "./chronyd.js";
export {
  type AgentComparison,
  type ChronydDocument,
  type ChronydLeap,
  type ChronydSourceDocument,
  chronydDocument,
  withAgentComparison,
} from "./chronyd-document.js";
export {
  type LocalApiProvider,
  type NowDocument,
  nowDocument,
  type SourceDocument,
  type StatusDocument,
  type StatusSourceDocument,
  statusDocument,
} from "./documents.js";
export {
  LOCAL_API_DEFAULT_LISTEN,
  type LocalApi,
  type LocalApiOptions,
  parseApiListen,
  startLocalApi,
} from "./local-api.js";
export {
  type KeepLocalApiOptions,
  type KeptLocalApi,
  keepLocalApi,
  type LocalApiRetryPolicy,
  localApiRetryDelayMs,
} from "./local-api-retry.js";
export { escapeLabelValue, metricsText, nsToSeconds, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";
export { SCORE_FALSETICKER_HALF, SCORE_JITTER_HALF_NS, type ScoreInput, sourceScore } from "./score.js";
