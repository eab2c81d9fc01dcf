export * from "./chrony-cmd/index.js";
export * from "./errors.js";
export * from "./ntp/index.js";
