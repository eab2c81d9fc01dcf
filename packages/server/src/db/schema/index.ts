export * from "./fleet.js";
export * from "./keys.js";
export * from "./ledger.js";
export * from "./users.js";
