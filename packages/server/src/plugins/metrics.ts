/**
 * Prometheus metrics (prom-client) on a registry of the app's own: request duration per
 * route, database pool, log append duration and unsealed entries (append lag).
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  readonly appendDuration: Histogram;
}

/** Creates the registry and hooks request timing into `app`. */
export function registerMetrics(
  app: FastifyInstance,
  pool: pg.Pool,
  unsealed: () => Promise<number>,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "chronosync_" });
  const requests = new Histogram({
    name: "chronosync_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["method", "route", "status"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const appendDuration = new Histogram({
    name: "chronosync_ledger_append_seconds",
    help: "Time from an append request until its entries are sealed and their receipts built",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: "chronosync_ledger_unsealed_entries",
    help: "Log entries appended but not yet sealed into a checkpoint",
    registers: [registry],
    async collect() {
      this.set(await unsealed().catch(() => -1));
    },
  });
  const poolGauge = new Gauge({
    name: "chronosync_db_pool_connections",
    help: "Database pool connections by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      this.set({ state: "total" }, pool.totalCount);
      this.set({ state: "idle" }, pool.idleCount);
      this.set({ state: "waiting" }, pool.waitingCount);
    },
  });
  void poolGauge;
  // A callback hook: no promise and no extra microtask per request.
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  return { registry, appendDuration };
}
