/** What every source kind (NtpSource, SampleSource) offers the selection and status. */
import type { Duration, Instant, SampleFilter, SourceCandidate } from "@chronosync/core";
import { type PollState, reachability } from "./source-poll.js";

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

/** The latest sample's facts the statistics show. */
export interface LastSampleFacts {
  readonly stratum: number;
  readonly offsetNs: Duration;
  readonly delayNs: Duration;
}

/** The statistics every source kind shares: poll state, latest sample, filter jitter. */
export function pollStats(
  id: string,
  state: PollState,
  filter: SampleFilter,
  last: LastSampleFacts | undefined,
  nowNs: Instant,
) {
  return {
    id,
    state: state.phase,
    reach: state.reach,
    reachability: reachability(state),
    poll: state.poll,
    stratum: last?.stratum,
    lastOffsetNs: last?.offsetNs,
    lastDelayNs: last?.delayNs,
    jitterNs: filter.estimate(nowNs)?.jitterNs,
    sent: state.sent,
  };
}
