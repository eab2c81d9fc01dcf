export * from "./chrony-cmd/index.js";
export * from "./errors.js";
export * from "./http/index.js";
export * from "./ntp/index.js";
export * from "./nts/index.js";
export * from "./roughtime/index.js";
