export * from "./errors.js";
export * from "./impair/index.js";
export * from "./peers/index.js";
