/** Reporting to the ChronoSync server (issue 4 §5). Protocol: docs/report-protocol.md. */

export {
  ReportAuthError,
  ReportEnrollRejectedError,
  type ReportError,
  type ReportErrorCode,
  ReportHttpError,
} from "../errors.js";
export {
  DEFAULT_BUFFER_MAX_BYTES,
  type ReportBatch,
  ReportBuffer,
  type ReportBufferOptions,
  type ReportBufferStats,
} from "./buffer.js";
export { type BufferFs, nodeBufferFs } from "./buffer-fs.js";
export {
  type AccessToken,
  type LastSeqResult,
  type PostBatchResult,
  problemText,
  ReportClient,
  type ReportClientOptions,
} from "./client.js";
export { type Credentials, CredentialsStore } from "./credentials.js";
export { type BufferCursor, decodeCursor, encodeCursor, type InflightBatch } from "./cursor.js";
export { type HttpRequest, type HttpResponse, httpRequest, retryAfterMs } from "./http.js";
export {
  Reporter,
  type ReporterOptions,
  type ReporterState,
  reportBackoffMs,
} from "./reporter.js";
export { countToDrop, parseSegment, segmentName } from "./segments.js";
export {
  type ReportRecord,
  type ReportResources,
  type ReportSource,
  reportRecord,
  resourceSampler,
} from "./snapshot.js";
export {
  AGENT_VERSION,
  reportDataDir,
  runnerSnapshot,
  type StartReporterOptions,
  startReporter,
} from "./start.js";
