/** The agent's local HTTP API (issue 3 §5): `/v1/now`, `/v1/status`, `/metrics`. */
export {
  type LocalApiProvider,
  type NowDocument,
  nowDocument,
  type SourceDocument,
  type StatusDocument,
  statusDocument,
} from "./documents.js";
export {
  LOCAL_API_DEFAULT_LISTEN,
  type LocalApi,
  type LocalApiOptions,
  parseApiListen,
  startLocalApi,
} from "./local-api.js";
export { escapeLabelValue, metricsText, nsToSeconds, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";
export { SCORE_FALSETICKER_HALF, SCORE_JITTER_HALF_NS, type ScoreInput, sourceScore } from "./score.js";
