// The pure engine with sample sources (issue 6 §5): Roughtime's ±1 s radius makes it lose
// to NTS in selection (a voter, never the system peer, never combined); authenticated
// sources win ties; a Roughtime source alone still synchronizes, with a ±1 s bound.
import { type SourceSample, SyncEngine, selectWithPolicy } from "@chronosync/agent";
import type { SourceCandidate } from "@chronosync/core";
import { describe, expect, it } from "vitest";

const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1_000n;
const T0 = 1_700_000_000n * S;

function feed(engine: SyncEngine, id: string, at: bigint, s: Partial<SourceSample>): void {
  for (const { action } of engine.handleTimer(id, at, () => new Uint8Array(2)))
    expect(action.kind).toBe("measure");
  engine.handleMeasurement(
    id,
    {
      protocol: "nts",
      authenticated: true,
      offsetNs: 0n,
      delayNs: 200n * US,
      dispersionNs: 10n * US,
      rootDelayNs: 0n,
      rootDispersionNs: 10n * US,
      stratum: 1,
      leap: 0,
      atNs: at,
      ...s,
    },
    at + MS,
    0,
  );
}

function engineWith(...ids: [string, string][]): SyncEngine {
  const engine = new SyncEngine({ sources: [] });
  for (const [id, protocol] of ids)
    engine.addSampleSource({ id, protocol, poll: { minPoll: 4, maxPoll: 4, iburstCount: 0 } });
  engine.start(T0);
  return engine;
}

describe("sync engine with sample sources", () => {
  it("Roughtime (stratum 1, ±1 s) votes but loses to NTS and never pulls the clock", () => {
    const engine = engineWith(["nts://a", "nts"], ["roughtime://r", "roughtime"]);
    for (let i = 0; i < 6; i++) {
      const at = T0 + BigInt(i) * 16n * S;
      // NTS at stratum 2 says +1 ms; Roughtime at stratum 1 says +400 ms, within its radius.
      feed(engine, "nts://a", at, { offsetNs: 1n * MS, stratum: 2 });
      feed(engine, "roughtime://r", at + 1n, {
        protocol: "roughtime",
        offsetNs: 400n * MS,
        delayNs: 4n * MS,
        dispersionNs: 1n * S,
        stratum: 1,
      });
    }
    const now = T0 + 100n * S;
    const status = engine.status(now);
    expect(status.tracking.systemPeer).toBe("nts://a");
    expect(status.sources.find((s) => s.id === "roughtime://r")?.selection).toBe("candidate");
    expect(status.sources.find((s) => s.id === "nts://a")?.selection).toBe("selected");
    expect(Number(status.tracking.offsetNs)).toBeCloseTo(1e6, -4); // not pulled toward +400 ms
    expect(status.tracking.boundNs).toBeLessThan(2n * MS);
  });

  it("a Roughtime source alone: an honest bound over 1 s (unsynchronized under the default maxBound)", () => {
    const strict = engineWith(["roughtime://r", "roughtime"]);
    for (let i = 0; i < 3; i++)
      feed(strict, "roughtime://r", T0 + BigInt(i) * 16n * S, {
        protocol: "roughtime",
        offsetNs: 120n * MS,
        delayNs: 4n * MS,
        dispersionNs: 1n * S,
      });
    expect(strict.now(T0 + 40n * S).status).toBe("unsynchronized");
    const engine = new SyncEngine({ sources: [], bound: { maxBoundNs: 10n * S } });
    engine.addSampleSource({
      id: "roughtime://r",
      protocol: "roughtime",
      poll: { minPoll: 4, maxPoll: 4, iburstCount: 0 },
    });
    engine.start(T0);
    for (let i = 0; i < 3; i++)
      feed(engine, "roughtime://r", T0 + BigInt(i) * 16n * S, {
        protocol: "roughtime",
        offsetNs: 120n * MS,
        delayNs: 4n * MS,
        dispersionNs: 1n * S,
      });
    const now = engine.now(T0 + 40n * S);
    expect(now.status).toBe("synchronized");
    expect(now.halfWidthNs).toBeGreaterThan(1n * S);
  });

  it("a falseticking coarse source is still caught by the intersection", () => {
    const engine = engineWith(["nts://a", "nts"], ["nts://b", "nts"], ["https://h", "https"]);
    for (let i = 0; i < 4; i++) {
      const at = T0 + BigInt(i) * 16n * S;
      feed(engine, "nts://a", at, { offsetNs: 0n });
      feed(engine, "nts://b", at + 1n, { offsetNs: 50n * US });
      feed(engine, "https://h", at + 2n, {
        protocol: "https",
        offsetNs: 3n * S,
        delayNs: 1n * MS,
        dispersionNs: 2n * MS,
        stratum: 2,
      });
    }
    const sources = engine.status(T0 + 80n * S).sources;
    expect(sources.find((s) => s.id === "https://h")?.selection).toBe("falseticker");
    expect(sources.find((s) => s.id === "https://h")?.protocol).toBe("https");
  });

  it("authenticated sources win ties; NTP-only selection is core's, untouched", () => {
    const c = (id: string): SourceCandidate => ({
      id,
      offsetNs: 0n,
      delayNs: 100n * US,
      dispersionNs: 10n * US,
      jitterNs: 5n * US,
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      stratum: 1,
    });
    // "a…" sorts first: core picks it on a tie; the authenticated "b…" wins here.
    const kinds = new Map([
      ["a-ntp", { timeSource: true, authenticated: false }],
      ["b-nts", { timeSource: true, authenticated: true }],
    ]);
    const r = selectWithPolicy([c("a-ntp"), c("b-nts")], kinds);
    expect(r.ok && r.systemPeer).toBe("b-nts");
    const plain = selectWithPolicy([c("a-ntp"), c("b-nts")], new Map());
    expect(plain.ok && plain.systemPeer).toBe("a-ntp");
    // A clearly closer unauthenticated source keeps the peer.
    const far = { ...c("b-nts"), rootDispersionNs: 3n * MS };
    const r2 = selectWithPolicy([c("a-ntp"), far], kinds);
    expect(r2.ok && r2.systemPeer).toBe("a-ntp");
  });
});
