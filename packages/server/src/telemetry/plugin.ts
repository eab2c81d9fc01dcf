/**
 * Wires {@link Telemetry} into the app: one SERVER span per request (W3C `traceparent`
 * honoured, named `METHOD /route`, HTTP semantic-convention attributes, error status on
 * 5xx), and every unexpected (5xx) failure reported to Sentry with its request context.
 * @see https://opentelemetry.io/docs/specs/semconv/http/http-spans/
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { toProblem } from "../plugins/error-handler.js";
import type { SpanLike, Telemetry } from "./telemetry.js";

/** Installs the request hooks of whatever `telemetry` runs (nothing when it runs nothing). */
export function registerTelemetry(app: FastifyInstance, telemetry: Telemetry): void {
  const otel = telemetry.otel;
  const capture = telemetry.captureException;
  const spans = new WeakMap<FastifyRequest, SpanLike>();
  if (otel !== undefined) {
    const tracer = otel.trace.getTracer("chronosync-server", "0.1.0");
    // Callback hooks: no promise and no extra microtask per request.
    app.addHook("onRequest", (request, _reply, done) => {
      const route = request.routeOptions.url ?? "unmatched";
      const parent = otel.propagation.extract(otel.context.active(), request.headers);
      const span = tracer.startSpan(
        `${request.method} ${route}`,
        {
          kind: otel.SpanKind.SERVER,
          attributes: {
            "http.request.method": request.method,
            "http.route": route,
            "url.path": request.url.split("?")[0] ?? "",
          },
        },
        parent,
      );
      spans.set(request, span);
      done();
    });
    app.addHook("onResponse", (request, reply, done) => {
      const span = spans.get(request);
      if (span !== undefined) {
        span.setAttribute("http.response.status_code", reply.statusCode);
        if (reply.statusCode >= 500) span.setStatus({ code: otel.SpanStatusCode.ERROR });
        span.end();
      }
      done();
    });
  }
  if (otel !== undefined || capture !== undefined) {
    app.addHook("onError", async (request, _reply, error) => {
      const { problem } = toProblem(error);
      if (problem.status < 500) return;
      spans.get(request)?.recordException(error);
      capture?.(error, { method: request.method, route: request.routeOptions.url, requestId: request.id });
    });
  }
  app.addHook("onClose", () => telemetry.shutdown());
}
