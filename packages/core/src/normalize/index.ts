export * from "./normalize.js";
export * from "./offset-history.js";
export * from "./parse.js";
export { growthPpm, scalePpm } from "./ppm.js";
export * from "./request-latency.js";
export * from "./types.js";
