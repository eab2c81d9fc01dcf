/**
 * Automatic protocol detection: probe one host for NTS-KE (4460), Roughtime (2002),
 * HTTPS (443), PTP (319/320, only when an interface or address is given), NTP (123) and
 * HTTP (80) in parallel within one deadline, report every probe's outcome, and pick by
 * preference — authenticated first (NTS, Roughtime, HTTPS), then accuracy (PTP, NTP,
 * HTTP). Ports can be overridden (tests run servers on unprivileged loopback ports).
 */
import { type Clock, isChronoSyncError, NS_PER_MS, systemClock } from "@chronosync/core";
import { resolveHost } from "../ntp/udp-socket.js";
import { probeHttpDate, probeRoughtime } from "./probes.js";
import type { TimeSourceRegistry } from "./registry.js";
import type { TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority } from "./url.js";

/** The protocols detection knows, in order of preference. */
export const DETECTION_PREFERENCE = ["nts", "roughtime", "https", "ptp", "ntp", "http"] as const;
export type DetectableProtocol = (typeof DETECTION_PREFERENCE)[number];

/** The well-known ports probed by default. */
export const DETECTION_PORTS: Readonly<Record<Exclude<DetectableProtocol, "ptp">, number>> = {
  nts: 4460,
  roughtime: 2002,
  https: 443,
  ntp: 123,
  http: 80,
};

/** Options of {@link detectProtocols}. */
export interface DetectOptions extends TimeSourceOptions {
  /** The whole detection's limit, ms (default 3000). */
  deadlineMs?: number;
  /** Port overrides per protocol. */
  ports?: Partial<Record<Exclude<DetectableProtocol, "ptp">, number>>;
  /** PTP is probed only with this: an interface name or a master's address. */
  ptp?: string;
}

/** One probe's outcome. `usable`: it answered and a source can measure with it. */
export interface ProbeOutcome {
  protocol: DetectableProtocol;
  /** The time source URL the probe spoke to (and that measures it). */
  url: string;
  status: "answered" | "failed" | "timeout" | "skipped";
  usable: boolean;
  authenticated: boolean;
  /** Time from the start of detection to the outcome, ms. */
  elapsedMs: number;
  /** Why it failed or was skipped. */
  error?: { code: string; message: string };
}

/** What answered, and the pick. */
export interface DetectionResult {
  host: string;
  /** One outcome per protocol, in {@link DETECTION_PREFERENCE} order. */
  probes: ProbeOutcome[];
  /** The preferred usable protocol, or null when none answered usably. */
  picked: ProbeOutcome | null;
}

interface Candidate {
  protocol: DetectableProtocol;
  url: string;
  authenticated: boolean;
  /** Resolves when the protocol answered; `usable: false` when it cannot be measured. */
  probe?: (timeoutMs: number) => Promise<{ usable: boolean; error?: { code: string; message: string } }>;
  skipped?: string;
}

function errorInfo(err: unknown): { code: string; message: string } {
  if (isChronoSyncError(err)) return { code: err.code, message: err.message };
  return { code: "ERROR", message: err instanceof Error ? err.message : String(err) };
}

async function measureOnce(
  registry: TimeSourceRegistry,
  url: string,
  options: TimeSourceOptions,
  timeoutMs: number,
) {
  let source: TimeSource | null = null;
  try {
    source = registry.create(url, options);
    await source.measure({ timeoutMs });
    return { usable: true };
  } finally {
    await source?.close();
  }
}

function candidates(host: string, o: DetectOptions, registry: TimeSourceRegistry): Candidate[] {
  const port = (p: Exclude<DetectableProtocol, "ptp">) => o.ports?.[p] ?? DETECTION_PORTS[p];
  const at = (p: Exclude<DetectableProtocol, "ptp">) => formatAuthority(host, port(p));
  const measured = (url: string) => (t: number) => measureOnce(registry, url, o, t);
  const key = o.roughtimeKey;
  const roughtimeUrl = `roughtime://${at("roughtime")}${key === undefined ? "" : `?key=${Buffer.from(key).toString("base64")}`}`;
  return [
    {
      protocol: "nts",
      url: `nts://${at("nts")}`,
      authenticated: true,
      probe: measured(`nts://${at("nts")}`),
    },
    {
      protocol: "roughtime",
      url: roughtimeUrl,
      authenticated: true,
      probe:
        key !== undefined
          ? measured(roughtimeUrl)
          : async (t) => {
              await probeRoughtime(host, port("roughtime"), t);
              return {
                usable: false,
                error: { code: "NO_KEY", message: "answered, but no public key was given" },
              };
            },
    },
    {
      protocol: "https",
      url: `https://${at("https")}/`,
      authenticated: true,
      probe: async (t) => {
        await probeHttpDate(new URL(`https://${at("https")}/`), t, o.ca);
        return { usable: true };
      },
    },
    o.ptp === undefined
      ? { protocol: "ptp", url: "ptp://", authenticated: false, skipped: "no interface or address given" }
      : { protocol: "ptp", url: `ptp://${o.ptp}`, authenticated: false, probe: measured(`ptp://${o.ptp}`) },
    {
      protocol: "ntp",
      url: `ntp://${at("ntp")}`,
      authenticated: false,
      probe: measured(`ntp://${at("ntp")}`),
    },
    {
      protocol: "http",
      url: `http://${at("http")}/`,
      authenticated: false,
      probe: async (t) => {
        await probeHttpDate(new URL(`http://${at("http")}/`), t);
        return { usable: true };
      },
    },
  ];
}

/**
 * Probes `host` for every protocol in parallel, measuring through `registry`'s sources,
 * and picks the preferred usable one (`detectProtocols` uses the default registry).
 * Rejects only with NameNotResolvedError (the host does not resolve, so nothing can
 * answer); a probe's failure is reported in its outcome.
 */
export async function detectProtocolsWith(
  host: string,
  registry: TimeSourceRegistry,
  options: DetectOptions = {},
): Promise<DetectionResult> {
  const deadlineMs = options.deadlineMs ?? 3000;
  await resolveHost(host);
  const clock: Clock = options.clock ?? systemClock;
  const start = clock.now();
  const elapsedMs = () => Number((clock.now() - start) / NS_PER_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => resolve("deadline"), deadlineMs);
  });
  const run = async (c: Candidate): Promise<ProbeOutcome> => {
    const base = { protocol: c.protocol, url: c.url, authenticated: c.authenticated };
    if (c.probe === undefined)
      return {
        ...base,
        status: "skipped",
        usable: false,
        elapsedMs: 0,
        error: { code: "SKIPPED", message: c.skipped ?? "" },
      };
    const attempt = c.probe(deadlineMs).then(
      (r) => ({ ...base, status: "answered" as const, elapsedMs: elapsedMs(), ...r }),
      (err: unknown) => ({
        ...base,
        status: "failed" as const,
        usable: false,
        elapsedMs: elapsedMs(),
        error: errorInfo(err),
      }),
    );
    const first = await Promise.race([attempt, deadline]);
    if (first !== "deadline") return first;
    attempt.catch(() => {});
    return {
      ...base,
      status: "timeout",
      usable: false,
      elapsedMs: elapsedMs(),
      error: { code: "DEADLINE", message: `no answer within ${deadlineMs} ms` },
    };
  };
  try {
    const probes = await Promise.all(candidates(host, options, registry).map(run));
    return { host, probes, picked: probes.find((p) => p.usable) ?? null };
  } finally {
    clearTimeout(timer);
  }
}
