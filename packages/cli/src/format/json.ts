/** The `--json` form of a query result: one object, durations as JSON numbers of ns. */
import { formatRfc3339 } from "@chronosync/core";
import type { NtpQueryResult, NtpSample } from "@chronosync/protocols";
import { formatTarget, type NtpTarget } from "../target.js";

export interface QuerySampleJson {
  offsetNs: number;
  delayNs: number;
  t1: string;
  t2: string;
  t3: string;
  t4: string;
}

/** Stable output schema of `chronosync query --json`; offset = server − local. */
export interface QueryJson {
  protocol: "ntp";
  target: string;
  address: string;
  offsetNs: number;
  delayNs: number;
  stratum: number;
  refId: string;
  leap: 0 | 1 | 2 | 3;
  precision: number;
  rootDelayNs: number;
  rootDispersionNs: number;
  samples: QuerySampleJson[];
}

function sampleJson(s: NtpSample): QuerySampleJson {
  return {
    offsetNs: Number(s.offsetNs),
    delayNs: Number(s.delayNs),
    t1: formatRfc3339(s.t1, 9),
    t2: formatRfc3339(s.t2, 9),
    t3: formatRfc3339(s.t3, 9),
    t4: formatRfc3339(s.t4, 9),
  };
}

/** Builds the JSON document; `offsetNs`/`delayNs` and server facts come from the best sample. */
export function queryJson(target: NtpTarget, result: NtpQueryResult): QueryJson {
  const best = result.best;
  return {
    protocol: "ntp",
    target: formatTarget(target),
    address: result.address,
    offsetNs: Number(best.offsetNs),
    delayNs: Number(best.delayNs),
    stratum: best.stratum,
    refId: best.refId,
    leap: best.leap,
    precision: best.precision,
    rootDelayNs: Number(best.rootDelayNs),
    rootDispersionNs: Number(best.rootDispersionNs),
    samples: result.samples.map(sampleJson),
  };
}
