/** Helpers shared by the adapters to build {@link TimeSample}s. */
import type { TimeSample } from "./types.js";

/** The fields an adapter knows before it measures. */
export type TimeSampleBase = Pick<TimeSample, "protocol" | "source" | "address" | "authenticated">;

/** A sample of a protocol with no NTP-style server facts (stratum, reference, root). */
export function plainTimeSample(
  base: TimeSampleBase,
  m: Pick<TimeSample, "offsetNs" | "delayNs" | "dispersionNs" | "uncertaintyNs" | "at">,
): TimeSample {
  return {
    ...base,
    ...m,
    stratum: null,
    leap: null,
    referenceId: null,
    refId: null,
    rootDelayNs: null,
    rootDispersionNs: null,
  };
}
