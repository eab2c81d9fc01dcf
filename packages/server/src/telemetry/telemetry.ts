/**
 * Optional tracing and error tracking (issue 4 §7): OpenTelemetry when the standard
 * `OTEL_*` variables ask for an exporter, Sentry when `SENTRY_DSN` is set. The packages
 * are NOT dependencies of the server: they are loaded dynamically when asked for, and a
 * missing one leaves a warning instead of failing the start. Packages to install:
 * {@link TELEMETRY_PACKAGES}.
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 * @see https://docs.sentry.io/platforms/javascript/guides/node/configuration/options/
 */

/** npm packages each integration loads. */
export const TELEMETRY_PACKAGES = {
  tracing: ["@opentelemetry/api", "@opentelemetry/sdk-node", "@opentelemetry/auto-instrumentations-node"],
  errors: ["@sentry/node"],
} as const;

/** The parts of an OpenTelemetry span the server uses. */
export interface SpanLike {
  setAttribute(key: string, value: string | number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): unknown;
  end(): void;
}

/** The parts of `@opentelemetry/api` the server uses. */
export interface OtelApi {
  trace: {
    getTracer(
      name: string,
      version?: string,
    ): { startSpan(name: string, options?: object, context?: unknown): SpanLike };
  };
  context: { active(): unknown };
  propagation: { extract(context: unknown, carrier: Record<string, unknown>): unknown };
  SpanKind: { SERVER: number };
  SpanStatusCode: { ERROR: number };
}

/** What the app's telemetry plugin talks to; {@link NO_TELEMETRY} when nothing is configured. */
export interface Telemetry {
  /** The OpenTelemetry API when tracing runs. */
  readonly otel: OtelApi | undefined;
  /** Reports an unexpected (5xx) failure to Sentry when it runs. */
  readonly captureException: ((err: unknown, context: Record<string, unknown>) => void) | undefined;
  /** Integrations the environment asked for that could not start (missing package, bad options). */
  readonly warnings: readonly string[];
  /** Flushes and stops what was started. */
  shutdown(): Promise<void>;
}

export const NO_TELEMETRY: Telemetry = {
  otel: undefined,
  captureException: undefined,
  warnings: [],
  shutdown: async () => {},
};

/** Loads a module by name (default: dynamic `import()`); injectable for tests. */
export type ModuleLoader = (name: string) => Promise<unknown>;
const importModule: ModuleLoader = (name) => import(name);

/** Whether the `OTEL_*` variables ask for traces to be exported. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter !== "") return exporter !== "none";
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

const missing = (name: string, err: unknown) =>
  `${name} is not installed or failed to load (${(err as Error)?.message ?? String(err)})`;

type Sdk = { start(): void; shutdown(): Promise<void> };

async function startTracing(env: NodeJS.ProcessEnv, load: ModuleLoader, warnings: string[]) {
  let api: OtelApi;
  let NodeSDK: new (options: object) => Sdk;
  try {
    api = (await load("@opentelemetry/api")) as OtelApi;
    ({ NodeSDK } = (await load("@opentelemetry/sdk-node")) as { NodeSDK: typeof NodeSDK });
  } catch (err) {
    warnings.push(`tracing off: ${missing("@opentelemetry/sdk-node", err)}`);
    return undefined;
  }
  const instrumentations: unknown[] = [];
  try {
    const auto = (await load("@opentelemetry/auto-instrumentations-node")) as {
      getNodeAutoInstrumentations(config?: object): unknown;
    };
    instrumentations.push(
      auto.getNodeAutoInstrumentations({ "@opentelemetry/instrumentation-fs": { enabled: false } }),
    );
  } catch (err) {
    warnings.push(
      `no auto-instrumentation (request spans only): ${missing("@opentelemetry/auto-instrumentations-node", err)}`,
    );
  }
  // NodeSDK reads OTEL_EXPORTER_OTLP_*, OTEL_TRACES_EXPORTER, OTEL_RESOURCE_ATTRIBUTES itself.
  const sdk = new NodeSDK({ serviceName: env.OTEL_SERVICE_NAME ?? "chronosync-server", instrumentations });
  sdk.start();
  return { api, sdk };
}

type SentryModule = {
  init(options: object): unknown;
  captureException(err: unknown, hint?: object): unknown;
  close?(timeoutMs?: number): Promise<boolean>;
};

async function startSentry(env: NodeJS.ProcessEnv, load: ModuleLoader, warnings: string[]) {
  let sentry: SentryModule;
  try {
    sentry = (await load("@sentry/node")) as SentryModule;
  } catch (err) {
    warnings.push(`error tracking off: ${missing("@sentry/node", err)}`);
    return undefined;
  }
  const rate = Number(env.SENTRY_TRACES_SAMPLE_RATE ?? "0");
  sentry.init({
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT,
    release: env.SENTRY_RELEASE,
    tracesSampleRate: Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0,
    sendDefaultPii: false,
  });
  return sentry;
}

/**
 * Starts what the environment asks for: tracing per {@link tracingRequested}, Sentry when
 * `SENTRY_DSN` is set. Never throws: a missing package becomes a warning.
 */
export async function startTelemetry(
  env: NodeJS.ProcessEnv,
  load: ModuleLoader = importModule,
): Promise<Telemetry> {
  const warnings: string[] = [];
  const tracing = tracingRequested(env) ? await startTracing(env, load, warnings) : undefined;
  const sentry = env.SENTRY_DSN ? await startSentry(env, load, warnings) : undefined;
  if (tracing === undefined && sentry === undefined) return { ...NO_TELEMETRY, warnings };
  return {
    otel: tracing?.api,
    captureException:
      sentry === undefined
        ? undefined
        : (err, context) => void sentry.captureException(err, { extra: context }),
    warnings,
    async shutdown() {
      await Promise.allSettled([tracing?.sdk.shutdown(), sentry?.close?.(2000)]);
    },
  };
}
