/**
 * @chronosync/sim — a deterministic discrete-event simulator of clocks and networks that
 * drives the real protocol code and knows the ground truth at every instant.
 */
export * from "./distributions.js";
export * from "./event-queue.js";
export * from "./link.js";
export * from "./network.js";
export * from "./ntp/client-node.js";
export * from "./ntp/server-node.js";
export * from "./prng.js";
export * from "./scenarios/ntp-exchange.js";
export * from "./scenarios/ntp-star.js";
export * from "./sim-clock.js";
export * from "./simulator.js";
export * from "./stats.js";
export * from "./wander.js";
