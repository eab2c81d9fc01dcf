// The pure engine with `system`, the system clock itself (issue 6 §5: the last member of a
// fallback chain). Its samples have leap 3: the source answers (reach) but is `unusable`,
// neither a candidate nor a voter, so the agent is never synchronized on it alone; a group
// fallen back to it leaves the servo's estimate as it was, and the bound grows as in holdover.
import { type SourceSample, SyncEngine } from "@chronosync/agent";
import { describe, expect, it } from "vitest";

const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1_000n;
const T0 = 1_700_000_000n * S;

const NTS: Partial<SourceSample> = {
  protocol: "nts",
  authenticated: true,
  offsetNs: 3n * MS,
  delayNs: 200n * US,
  dispersionNs: 10n * US,
  rootDispersionNs: 10n * US,
  stratum: 1,
  leap: 0,
};
const SYSTEM: Partial<SourceSample> = {
  protocol: "system",
  authenticated: false,
  offsetNs: 0n,
  delayNs: 0n,
  dispersionNs: 16n * S,
  rootDispersionNs: 0n,
  stratum: 16,
  leap: 3,
};

function feed(engine: SyncEngine, id: string, at: bigint, s: Partial<SourceSample>): void {
  for (const { action } of engine.handleTimer(id, at, () => new Uint8Array(2)))
    expect(action.kind).toBe("measure");
  const actions = engine.handleMeasurement(
    id,
    { ...(NTS as SourceSample), rootDelayNs: 0n, atNs: at, ...s },
    at + MS,
    0,
  );
  // A leap-3 answer never reaches the filter: no `sample` action, only the next timer.
  if (s.leap === 3) expect(actions.map((a) => a.action.kind)).toEqual(["setTimer"]);
}

function engineWith(...ids: [string, string][]): SyncEngine {
  const engine = new SyncEngine({ sources: [] });
  for (const [id, protocol] of ids)
    engine.addSampleSource({ id, protocol, poll: { minPoll: 4, maxPoll: 4, iburstCount: 0 } });
  engine.start(T0);
  return engine;
}

describe("sync engine and the system clock as a source", () => {
  it("system alone: reachable, unusable, never synchronized; the bare system clock is served", () => {
    const engine = engineWith(["system", "system"]);
    for (let i = 0; i < 8; i++) feed(engine, "system", T0 + BigInt(i) * 16n * S, SYSTEM);
    const at = T0 + 130n * S;
    const status = engine.status(at);
    expect(status.tracking.status).toBe("unsynchronized");
    expect(status.tracking.systemPeer).toBeUndefined();
    expect(status.tracking.stratum).toBe(16);
    const src = status.sources[0]!;
    expect(src).toMatchObject({ id: "system", protocol: "system", selection: "unusable", samples: 8 });
    expect(src.reach).toBe(0xff);
    const now = engine.now(at);
    expect(now.timeNs).toBe(at);
    expect(now.halfWidthNs).toBe(10n * S); // core's nominal unsynchronized half-width
    expect(engine.referenceState(at)).toMatchObject({ leap: 3, stratum: 16 });
  });

  it("a group falls back to system: holdover at once, the estimate kept, the bound grows by the drift", () => {
    const id = "fallback:nts://a:4460|system";
    const engine = engineWith([id, "fallback"]);
    let at = T0;
    for (let i = 0; i < 8; i++, at += 16n * S) feed(engine, id, at, NTS);
    const synced = engine.status(at);
    expect(synced.tracking.status).toBe("synchronized");
    expect(synced.tracking.systemPeer).toBe(id);
    const offset = synced.tracking.offsetNs;
    expect(Number(offset)).toBeCloseTo(3e6, -4);

    // NTS lost; the group measures the system clock now.
    feed(engine, id, at, SYSTEM);
    const fellBack = engine.status(at + MS);
    expect(fellBack.tracking.status).toBe("holdover");
    expect(fellBack.tracking.systemPeer).toBe(id); // the last selection, as chronyd keeps it
    expect(fellBack.sources[0]).toMatchObject({ protocol: "system", selection: "unusable" });
    // The system clock's "offset 0" never pulled the estimate toward 0.
    expect(fellBack.tracking.offsetNs).toBe(offset);
    const b1 = engine.now(at + MS).halfWidthNs;
    for (let i = 1; i <= 10; i++) feed(engine, id, at + BigInt(i) * 16n * S, SYSTEM);
    const later = at + 161n * S;
    const b2 = engine.now(later).halfWidthNs;
    expect(engine.now(later).status).toBe("holdover");
    // 160 s at the default 1 ppm maxDriftPpm: at least 160 µs wider.
    expect(b2 - b1).toBeGreaterThanOrEqual(160n * US);
    expect(engine.status(later).tracking.offsetNs).toBe(offset);

    // NTS back: synchronized again, on the group's NTS samples only.
    const back = later + 16n * S;
    feed(engine, id, back, NTS);
    expect(engine.status(back + MS).tracking.status).toBe("synchronized");
    expect(engine.status(back + MS).sources[0]).toMatchObject({ protocol: "nts", selection: "selected" });
  });

  it("next to a real source it is no voter: one NTS source still synchronizes, alone selected", () => {
    const engine = engineWith(["nts://a", "nts"], ["system", "system"]);
    for (let i = 0; i < 6; i++) {
      const at = T0 + BigInt(i) * 16n * S;
      feed(engine, "system", at, SYSTEM);
      feed(engine, "nts://a", at + 1n, NTS);
    }
    const status = engine.status(T0 + 90n * S);
    expect(status.tracking.status).toBe("synchronized");
    expect(status.tracking.systemPeer).toBe("nts://a");
    expect(status.sources.find((s) => s.id === "system")?.selection).toBe("unusable");
  });
});
