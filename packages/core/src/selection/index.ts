export * from "./cluster.js";
export * from "./combine.js";
export * from "./intersection.js";
export * from "./sample-filter.js";
export * from "./select-sources.js";
export * from "./types.js";
