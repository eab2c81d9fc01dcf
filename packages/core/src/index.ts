export * from "./clock.js";
export * from "./clock-math.js";
export * from "./errors.js";
export * from "./ntp-timestamp.js";
export * from "./time.js";
