export {
  type ChronosyncTimeKeySet,
  type ChronosyncTimeQueryOptions,
  type ChronosyncTimeQueryResult,
  queryChronosyncTime,
} from "./client.js";
export {
  CHRONOSYNC_TIME_PATH,
  CHRONOSYNC_TIME_SIGNING_PREFIX,
  CHRONOSYNC_TIME_VERSION,
  type ChronosyncTimeSample,
  createTimeRequest,
  parseTimeRequest,
  parseTimeResponse,
  type TimeRequest,
  type TimeResponse,
  type TimeResponseBody,
  timeResponseSigningInput,
  timeSample,
  verifyTimeResponse,
} from "./messages.js";
