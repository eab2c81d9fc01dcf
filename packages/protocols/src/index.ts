export * from "./errors.js";
export * from "./ntp/index.js";
