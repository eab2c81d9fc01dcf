/** What every source kind (NtpSource, SampleSource) offers the selection. */
import type { Duration, Instant, SampleFilter, SourceCandidate } from "@chronosync/core";

/** The server facts of a source's latest sample that the selection needs. */
export interface RootFacts {
  readonly rootDelayNs: Duration;
  readonly rootDispersionNs: Duration;
  readonly stratum: number;
}

/**
 * The source as a selection candidate at `nowNs`: its clock filter's estimate plus the
 * latest sample's root facts; undefined before its first sample or while it is not active.
 */
export function sourceCandidate(
  id: string,
  filter: SampleFilter,
  last: RootFacts | undefined,
  active: boolean,
  nowNs: Instant,
): SourceCandidate | undefined {
  const estimate = filter.estimate(nowNs);
  if (estimate === undefined || last === undefined || !active) return undefined;
  return {
    id,
    offsetNs: estimate.offsetNs,
    delayNs: estimate.delayNs,
    dispersionNs: estimate.dispersionNs,
    jitterNs: estimate.jitterNs,
    rootDelayNs: last.rootDelayNs,
    rootDispersionNs: last.rootDispersionNs,
    stratum: last.stratum,
  };
}
