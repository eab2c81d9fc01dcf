/**
 * Prometheus metrics of the normalize route (issue 4 §7 "normalize latency histogram"),
 * on the app's own registry: timestamps by method and flag, the handler's latency
 * (engine + sealed append), and requests per group commit.
 */
import { Counter, Histogram, type Registry } from "prom-client";

export interface NormalizeMetrics {
  readonly timestamps: Counter<"method" | "flagged">;
  readonly latency: Histogram;
  readonly requestsPerCommit: Histogram;
}

export function createNormalizeMetrics(registry: Registry): NormalizeMetrics {
  return {
    timestamps: new Counter({
      name: "chronosync_normalize_timestamps_total",
      help: "Timestamps normalized and logged, by offset model and whether a policy flag was raised",
      labelNames: ["method", "flagged"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "chronosync_normalize_seconds",
      help: "Normalize handler time: offset models, engine and the sealed log append",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    requestsPerCommit: new Histogram({
      name: "chronosync_normalize_requests_per_commit",
      help: "Normalize requests sharing one log transaction (group commit)",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
  };
}
