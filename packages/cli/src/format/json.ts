/**
 * The `--json` form of a query result: one object, durations as JSON numbers of ns.
 * Issue 2's keys come first, in their order (server facts a protocol lacks are null);
 * then `authenticated`, `uncertaintyNs` and protocol-specific fields (`radiusNs`,
 * `detection` for automatic detection).
 */
import { formatRfc3339 } from "@chronosync/core";
import type { DetectionResult, TimeSample } from "@chronosync/protocols";

/** One sample: NTP/NTS/PTP give t1..t4, the others the local instant `at`. */
export type QuerySampleJson =
  | { offsetNs: number; delayNs: number; t1: string; t2: string; t3: string; t4: string }
  | { offsetNs: number; delayNs: number; at: string };

/** One probe of automatic detection. */
export interface ProbeJson {
  protocol: string;
  url: string;
  status: "answered" | "failed" | "timeout" | "skipped";
  usable: boolean;
  authenticated: boolean;
  elapsedMs: number;
  error?: { code: string; message: string };
}

/** Stable output schema of `chronosync query --json`; offset = source − local. */
export interface QueryJson {
  protocol: string;
  target: string;
  address: string | null;
  offsetNs: number;
  delayNs: number;
  stratum: number | null;
  refId: string | null;
  leap: 0 | 1 | 2 | 3 | null;
  precision: number | null;
  rootDelayNs: number | null;
  rootDispersionNs: number | null;
  samples: QuerySampleJson[];
  authenticated: boolean;
  uncertaintyNs: number;
  radiusNs?: number;
  detection?: { picked: string | null; probes: ProbeJson[] };
}

const num = (x: bigint | null) => (x === null ? null : Number(x));

function sampleJson(s: TimeSample): QuerySampleJson {
  const t = s.timestamps;
  if (t === undefined)
    return { offsetNs: Number(s.offsetNs), delayNs: Number(s.delayNs), at: formatRfc3339(s.at, 9) };
  return {
    offsetNs: Number(s.offsetNs),
    delayNs: Number(s.delayNs),
    t1: formatRfc3339(t.t1, 9),
    t2: formatRfc3339(t.t2, 9),
    t3: formatRfc3339(t.t3, 9),
    t4: formatRfc3339(t.t4, 9),
  };
}

/** The detection part of the document. */
export function detectionJson(d: DetectionResult): NonNullable<QueryJson["detection"]> {
  return {
    picked: d.picked?.protocol ?? null,
    probes: d.probes.map((p) => ({ ...p })),
  };
}

/** Builds the JSON document; the headline figures come from `best`. */
export function queryJson(
  target: string,
  samples: readonly TimeSample[],
  best: TimeSample,
  detection: DetectionResult | null = null,
): QueryJson {
  const doc: QueryJson = {
    protocol: best.protocol,
    target,
    address: best.address,
    offsetNs: Number(best.offsetNs),
    delayNs: Number(best.delayNs),
    stratum: best.stratum,
    refId: best.refId,
    leap: best.leap,
    precision: best.precision ?? null,
    rootDelayNs: num(best.rootDelayNs),
    rootDispersionNs: num(best.rootDispersionNs),
    samples: samples.map(sampleJson),
    authenticated: best.authenticated,
    uncertaintyNs: Number(best.uncertaintyNs),
  };
  if (best.radiusNs !== undefined) doc.radiusNs = Number(best.radiusNs);
  if (detection !== null) doc.detection = detectionJson(detection);
  return doc;
}
