export * from "./bound.js";
export * from "./kalman.js";
export * from "./servo.js";
