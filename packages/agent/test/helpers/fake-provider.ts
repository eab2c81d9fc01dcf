/** A deterministic stand-in for the sync engine, for the local API tests. */
import type { LocalApiProvider, SyncNow, SyncSourceStatus, SyncStatusReport } from "../../src/index.js";

const S = 1_000_000_000n;
/** Local clock reading the fake is meant to be asked at. */
export const LOCAL_NS = 1_700_000_000n * S + 123_456_789n;

const base = {
  sent: 8,
  samples: 8,
  bogus: 0,
  lastBogusReason: undefined,
  kisses: 0,
  timeouts: 0,
  rootDistanceNs: undefined,
  protocol: "ntp",
  authenticated: false,
} as const;

export const FAKE_SOURCES: readonly SyncSourceStatus[] = [
  {
    ...base,
    id: "ntp://a.example",
    state: "active",
    reach: 0xff,
    reachability: 1,
    poll: 6,
    stratum: 2,
    lastOffsetNs: 1_500n,
    lastDelayNs: 2_000_000n,
    jitterNs: 50_000n,
    selection: "selected",
    falsetickers: 0,
  },
  {
    ...base,
    id: 'ntp://b.example/"q"\\x',
    state: "active",
    reach: 0o17,
    reachability: 0.5,
    poll: 7,
    stratum: 3,
    lastOffsetNs: -50_000_000n,
    lastDelayNs: 3_000_000n,
    jitterNs: 1_000_000n,
    selection: "falseticker",
    falsetickers: 8,
  },
  {
    ...base,
    id: "ntp://c.example",
    state: "active",
    reach: 0,
    reachability: 0,
    poll: 10,
    stratum: undefined,
    lastOffsetNs: undefined,
    lastDelayNs: undefined,
    jitterNs: undefined,
    selection: "unreachable",
    falsetickers: 0,
  },
];

/** Answers with fixed values; records the local times it was asked at. */
export function fakeProvider(): LocalApiProvider & { asked: bigint[] } {
  const asked: bigint[] = [];
  return {
    asked,
    now(localNs): SyncNow {
      asked.push(localNs);
      return {
        earliestNs: localNs + 1_234n - 500_000n,
        latestNs: localNs + 1_234n + 500_000n,
        timeNs: localNs + 1_234n,
        halfWidthNs: 500_000n,
        status: "synchronized",
        sources: FAKE_SOURCES.map((s) => ({ id: s.id, state: s.selection })),
      };
    },
    status(localNs): SyncStatusReport {
      asked.push(localNs);
      return {
        tracking: {
          offsetNs: 1_234n,
          frequencyPpm: -12.5,
          boundNs: 500_000n,
          status: "synchronized",
          lastUpdateNs: localNs - 16n * S,
          systemPeer: "ntp://a.example",
          stratum: 3,
        },
        sources: FAKE_SOURCES,
      };
    },
  };
}
