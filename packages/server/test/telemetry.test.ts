import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
// Optional telemetry (issue 4 §7): OpenTelemetry and Sentry are loaded only when the
// environment asks and only if installed (here they are not: warnings, no failure); with
// stand-in modules, request spans and 5xx capture are checked. Log redaction of secrets.
import { Writable } from "node:stream";
import { ServerError } from "@chronosync/server";
import Fastify from "fastify";
import { describe, expect, it, vi } from "vitest";
import { registerErrorHandler } from "../src/plugins/error-handler.js";
import { registerTelemetry } from "../src/telemetry/plugin.js";
import { withRedaction } from "../src/telemetry/redact.js";
import {
  type ModuleLoader,
  startTelemetry,
  TELEMETRY_PACKAGES,
  tracingRequested,
} from "../src/telemetry/telemetry.js";

describe("startTelemetry", () => {
  it("starts nothing and loads nothing without OTEL_* or SENTRY_DSN", async () => {
    const loaded: string[] = [];
    const t = await startTelemetry({ OTEL_SERVICE_NAME: "x" }, async (name) => loaded.push(name));
    expect(loaded).toEqual([]);
    expect(t).toMatchObject({ otel: undefined, captureException: undefined, warnings: [] });
  });

  it("reads the standard OTEL variables", () => {
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: "console" })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c" })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c" })).toBe(
      false,
    );
    expect(tracingRequested({})).toBe(false);
  });

  it("warns instead of failing when a package cannot be loaded", async () => {
    const load = async (name: string) => {
      throw new Error(`Cannot find package '${name}'`);
    };
    const t = await startTelemetry(
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", SENTRY_DSN: "https://k@o1.ingest.sentry.io/1" },
      load,
    );
    expect(t.otel).toBeUndefined();
    expect(t.captureException).toBeUndefined();
    expect(t.warnings.join("\n")).toMatch(/tracing off: @opentelemetry\/sdk-node is not installed/);
    expect(t.warnings.join("\n")).toMatch(/error tracking off: @sentry\/node is not installed/);
    await t.shutdown();
    expect(TELEMETRY_PACKAGES.tracing).toContain("@opentelemetry/sdk-node");
  });

  it("exports real spans over OTLP/HTTP and real Sentry events to local collectors (the installed packages)", async () => {
    const received: { path: string; bytes: number }[] = [];
    const collector = createServer((req, res) => {
      let bytes = 0;
      req.on("data", (d: Buffer) => {
        bytes += d.length;
      });
      req.on("end", () => {
        received.push({ path: req.url ?? "", bytes });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
    const { port } = collector.address() as AddressInfo;
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "chronosync-test",
      SENTRY_DSN: `http://publickey@127.0.0.1:${port}/7`,
    };
    // NodeSDK and its exporter read the standard variables from process.env themselves.
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const telemetry = await startTelemetry(env);
    try {
      expect(telemetry.otel).toBeDefined();
      expect(telemetry.captureException).toBeDefined();
      // Only the optional auto-instrumentation package is absent (request spans come from our plugin).
      expect(telemetry.warnings).toEqual([expect.stringMatching(/^no auto-instrumentation/)]);
      const app = Fastify();
      registerErrorHandler(app);
      registerTelemetry(app, telemetry);
      app.get("/boom", async () => {
        throw new Error("database exploded");
      });
      expect((await app.inject("/boom")).statusCode).toBe(500);
      await app.close(); // flushes the span processor and Sentry
    } finally {
      await telemetry.shutdown();
      await new Promise<void>((r) => collector.close(() => r()));
      vi.unstubAllEnvs();
    }
    expect(received.some((r) => r.path === "/v1/traces" && r.bytes > 0)).toBe(true);
    expect(received.some((r) => r.path.startsWith("/api/7/envelope") && r.bytes > 0)).toBe(true);
  });
});

/** Stand-ins for @opentelemetry/api, @opentelemetry/sdk-node and @sentry/node that record calls. */
function standIns() {
  const calls: { kind: string; args: unknown[] }[] = [];
  const spans: {
    name: string;
    attributes: Record<string, unknown>;
    status?: number;
    exception?: Error;
    ended: boolean;
    parent: unknown;
  }[] = [];
  const api = {
    trace: {
      getTracer: () => ({
        startSpan(name: string, options: { attributes: Record<string, unknown> }, parent: unknown) {
          const span = {
            name,
            attributes: { ...options.attributes },
            ended: false,
            parent,
          } as (typeof spans)[number];
          spans.push(span);
          return {
            setAttribute: (k: string, v: unknown) => {
              span.attributes[k] = v;
            },
            setStatus: (s: { code: number }) => {
              span.status = s.code;
            },
            recordException: (e: Error) => {
              span.exception = e;
            },
            end: () => {
              span.ended = true;
            },
          };
        },
      }),
    },
    context: { active: () => "active-context" },
    propagation: {
      extract: (_ctx: unknown, carrier: Record<string, unknown>) => `parent:${carrier.traceparent}`,
    },
    SpanKind: { SERVER: 1 },
    SpanStatusCode: { ERROR: 2 },
  };
  class NodeSDK {
    constructor(options: unknown) {
      calls.push({ kind: "sdk.new", args: [options] });
    }
    start() {
      calls.push({ kind: "sdk.start", args: [] });
    }
    async shutdown() {
      calls.push({ kind: "sdk.shutdown", args: [] });
    }
  }
  const sentry = {
    init: (o: unknown) => calls.push({ kind: "sentry.init", args: [o] }),
    captureException: (e: unknown, hint: unknown) => calls.push({ kind: "sentry.capture", args: [e, hint] }),
    close: async () => calls.push({ kind: "sentry.close", args: [] }) > 0,
  };
  const modules: Record<string, unknown> = {
    "@opentelemetry/api": api,
    "@opentelemetry/sdk-node": { NodeSDK },
    "@sentry/node": sentry,
  };
  const load: ModuleLoader = async (name) => {
    if (!(name in modules)) throw new Error(`Cannot find package '${name}'`);
    return modules[name];
  };
  return { calls, spans, load };
}

describe("registerTelemetry with the packages present", () => {
  it("opens a SERVER span per request under the caller's traceparent and reports only 5xx to Sentry", async () => {
    const { calls, spans, load } = standIns();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_SERVICE_NAME: "cs-test",
      SENTRY_DSN: "https://k@s/1",
      SENTRY_ENVIRONMENT: "ci",
    };
    const telemetry = await startTelemetry(env, load);
    expect(telemetry.warnings).toEqual([
      expect.stringMatching(/no auto-instrumentation.*auto-instrumentations-node/),
    ]);
    expect(calls.map((c) => c.kind)).toEqual(["sdk.new", "sdk.start", "sentry.init"]);
    expect(calls[0]!.args[0]).toMatchObject({ serviceName: "cs-test" });
    expect(calls[2]!.args[0]).toMatchObject({
      dsn: "https://k@s/1",
      environment: "ci",
      sendDefaultPii: false,
    });

    const app = Fastify();
    registerErrorHandler(app);
    registerTelemetry(app, telemetry);
    app.get("/ok/:id", async () => ({ ok: true }));
    app.get("/boom", async () => {
      throw new Error("database exploded");
    });
    app.get("/bad", async () => {
      throw new ServerError("BAD_REQUEST", "nope");
    });
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect((await app.inject({ url: "/ok/7?x=1", headers: { traceparent } })).statusCode).toBe(200);
    expect((await app.inject("/boom")).statusCode).toBe(500);
    expect((await app.inject("/bad")).statusCode).toBe(400);
    expect(spans.map((s) => [s.name, s.attributes["http.response.status_code"], s.status, s.ended])).toEqual([
      ["GET /ok/:id", 200, undefined, true],
      ["GET /boom", 500, 2, true],
      ["GET /bad", 400, undefined, true],
    ]);
    expect(spans[0]).toMatchObject({
      parent: `parent:${traceparent}`,
      attributes: { "http.request.method": "GET", "http.route": "/ok/:id", "url.path": "/ok/7" },
    });
    expect(spans[1]!.exception?.message).toBe("database exploded");
    const captured = calls.filter((c) => c.kind === "sentry.capture");
    expect(captured).toHaveLength(1);
    expect((captured[0]!.args[0] as Error).message).toBe("database exploded");
    expect(captured[0]!.args[1]).toMatchObject({ extra: { method: "GET", route: "/boom" } });
    await app.close();
    expect(
      calls
        .map((c) => c.kind)
        .slice(-2)
        .sort(),
    ).toEqual(["sdk.shutdown", "sentry.close"]);
  });
});

describe("log redaction", () => {
  it("redacts credentials in headers and secrets in bodies, nested too, keeping a logger's own paths", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = Fastify({ logger: withRedaction({ level: "info", stream, redact: ["custom.field"] }) });
    await app.ready();
    app.log.info(
      {
        req: { headers: { authorization: "Bearer eyJ-secret", cookie: "chronosync_refresh=r1" } },
        body: { username: "admin", password: "hunter2", clientSecret: "cs-123", nested: { token: "tok-9" } },
        custom: { field: "mine" },
        enrollmentToken: "enr-1",
        deep: { a: { b: { refreshToken: "rt-1" } } },
      },
      "login attempt",
    );
    await app.close();
    const out = lines.join("");
    expect(out).toMatch(/login attempt/);
    expect(out).toMatch(/"username":"admin"/);
    for (const secret of [
      "eyJ-secret",
      "chronosync_refresh=r1",
      "hunter2",
      "cs-123",
      "tok-9",
      "mine",
      "enr-1",
      "rt-1",
    ])
      expect(out, secret).not.toContain(secret);
    for (const field of ["password", "clientSecret", "token", "field", "enrollmentToken", "refreshToken"])
      expect(out).toContain(`"${field}":"[Redacted]"`);
    expect(withRedaction(false)).toBe(false);
    expect(withRedaction(true)).toMatchObject({ redact: expect.arrayContaining(["*.password"]) });
  });
});
