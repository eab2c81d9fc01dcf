export * from "./canonical-json.js";
export * from "./checkpoint.js";
export { isHash, ZERO_HASH } from "./digest.js";
export * from "./key-set.js";
export * from "./log-entry.js";
export * from "./log-export.js";
export * from "./merkle.js";
export * from "./receipt.js";
export * from "./record-batch.js";
