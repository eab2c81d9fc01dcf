/**
 * HTTP time for ChronoSync: the server's Date header locked to its second boundary, as
 * htpdate does. See docs/http-time.md.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1
 */
export { type HttpDateQueryOptions, type HttpDateQueryResult, queryHttpDate } from "./client.js";
export { type HttpDateEstimate, HttpDateOffsetEstimator, type HttpDateSample } from "./date-offset.js";
export { formatHttpDate, parseHttpDate } from "./http-date.js";
