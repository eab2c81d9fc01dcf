// The TimeSourcePoller (issue 6 §5) with a fake TimeSource and fake timers: it measures at
// the source's poll interval, backs off on failures, keeps the reach register, feeds every
// sample to the engine (Roughtime's radius as its dispersion), and a slow or hung
// measurement never overlaps the next one.
import {
  SyncEngine,
  type SyncSourceStatus,
  TimeSourcePoller,
  type TimeSourcePollerOptions,
  toSourceSample,
} from "@chronosync/agent";
import type { Clock } from "@chronosync/core";
import { fallbackSource, NtsKeError, type TimeSample, type TimeSource } from "@chronosync/protocols";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const MS = 1_000_000n;
const clock: Clock = { now: () => BigInt(Date.now()) * MS, precisionLog2: -20 };
const random = (n: number) => new Uint8Array(n); // no poll jitter

function sample(offsetMs: number, extra: Partial<TimeSample> = {}): TimeSample {
  const at = clock.now();
  return {
    protocol: "nts",
    source: "nts://fake:4460",
    address: "127.0.0.1",
    offsetNs: BigInt(Math.round(offsetMs * 1e6)),
    delayNs: 200_000n,
    dispersionNs: 20_000n,
    uncertaintyNs: 120_000n,
    stratum: 2,
    leap: 0,
    referenceId: null,
    refId: null,
    rootDelayNs: 1_000_000n,
    rootDispersionNs: 500_000n,
    authenticated: true,
    at,
    ...extra,
  };
}

/** A TimeSource whose answers the test scripts: a sample, an error, or a promise left hanging. */
class FakeSource implements TimeSource {
  readonly calls: number[] = [];
  next: () => Promise<TimeSample> = async () => sample(1.5);
  closed = false;
  constructor(
    readonly url = "nts://fake:4460",
    readonly protocol = "nts",
  ) {}
  measure(): Promise<TimeSample> {
    this.calls.push(Date.now());
    return this.next();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const fail = (_code: "NTS_KE_FAILED") => () => Promise.reject(new NtsKeError("tls", "handshake refused"));

function setup(
  source: TimeSource,
  extra: Partial<TimeSourcePollerOptions> = {},
  poll = { minPoll: 4, maxPoll: 6 },
) {
  const engine = new SyncEngine({ sources: [] });
  engine.addSampleSource({ id: source.url, protocol: source.protocol, poll: { ...poll, iburstCount: 0 } });
  const logs: string[] = [];
  const poller = new TimeSourcePoller({
    id: source.url,
    source,
    engine,
    clock,
    random,
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...extra,
  });
  for (const { action } of engine.start(clock.now())) poller.apply(action);
  const status = (): SyncSourceStatus => engine.sourceStatus(source.url, clock.now())!;
  return { engine, poller, logs, status };
}

describe("TimeSourcePoller", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("measures at the poll interval and feeds every sample to the engine", async () => {
    const fake = new FakeSource();
    const { engine, poller, status } = setup(fake);
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls).toHaveLength(1);
    // minpoll 4: 16 s; the poll rises to 32 s after 4 stable samples (stepUpAfter).
    await vi.advanceTimersByTimeAsync(80_000);
    expect(fake.calls.map((t) => t - fake.calls[0]!)).toEqual([0, 16_000, 32_000, 48_000, 80_000]);
    const s = status();
    expect(s.reach).toBe(0b11111);
    expect(s.samples).toBe(5);
    expect(s.protocol).toBe("nts");
    expect(s.authenticated).toBe(true);
    expect(s.lastOffsetNs).toBe(1_500_000n);
    expect(s.poll).toBe(5);
    expect(poller.counts).toEqual({ measurements: 5, failures: 0 });
    // One source, a majority of one: selected, and the servo follows its offset.
    expect(s.selection).toBe("selected");
    expect(engine.status(clock.now()).tracking.systemPeer).toBe(fake.url);
    expect(Number(engine.status(clock.now()).tracking.offsetNs)).toBeCloseTo(1.5e6, -4);
  });

  it("backs off on failures, clears reach bits, logs once, and logs the recovery", async () => {
    const fake = new FakeSource();
    fake.next = fail("NTS_KE_FAILED");
    const { logs, status } = setup(fake);
    await vi.advanceTimersByTimeAsync(0);
    // Each failure raises the poll one step at once: 32 s, then 64 s (maxpoll 6) between attempts.
    await vi.advanceTimersByTimeAsync(32_000 + 3 * 64_000);
    expect(fake.calls.map((t) => t - fake.calls[0]!)).toEqual([0, 32_000, 96_000, 160_000, 224_000]);
    const s = status();
    expect(s.reach).toBe(0);
    expect(s.timeouts).toBe(5);
    expect(s.selection).toBe("unreachable");
    expect(s.lastError).toEqual({ code: "NTS_KE_FAILED", message: "NTS-KE failed (tls): handshake refused" });
    expect(logs.filter((l) => l.startsWith("warn:"))).toEqual([
      "warn: nts://fake:4460: measurement failed: NTS_KE_FAILED: NTS-KE failed (tls): handshake refused",
    ]);
    fake.next = async () => sample(-2);
    await vi.advanceTimersByTimeAsync(64_000);
    expect(status().reach & 1).toBe(1);
    expect(status().lastError).toBeUndefined();
    expect(logs).toContain("info: nts://fake:4460: measuring again (nts)");
  });

  it("a hung measurement fails at the watchdog and never overlaps the next one", async () => {
    const fake = new FakeSource();
    let late: ((s: TimeSample) => void) | undefined;
    fake.next = () => new Promise((resolve) => (late = resolve));
    const { status } = setup(fake, { measureTimeoutMs: 5000 }, { minPoll: 2, maxPoll: 4 });
    await vi.advanceTimersByTimeAsync(4000);
    expect(fake.calls).toHaveLength(1); // still out: no second call at the 4 s poll
    await vi.advanceTimersByTimeAsync(1000);
    expect(status().lastError?.code).toBe("MEASURE_TIMEOUT");
    fake.next = async () => sample(0.25);
    late?.(sample(999)); // the hung one answers after all: ignored
    await vi.advanceTimersByTimeAsync(8000);
    expect(fake.calls).toHaveLength(2);
    expect(status().lastOffsetNs).toBe(250_000n);
  });

  it("maps Roughtime's radius to dispersion: a ±1 s interval, stratum 1", () => {
    const s = toSourceSample(
      sample(30, {
        protocol: "roughtime",
        stratum: null,
        rootDelayNs: null,
        rootDispersionNs: null,
        delayNs: 4_000_000n,
        dispersionNs: 1_000_000_000n,
        uncertaintyNs: 1_002_000_000n,
        radiusNs: 1_000_000_000n,
      }),
    );
    expect(s).toMatchObject({
      stratum: 1,
      dispersionNs: 1_000_000_000n,
      delayNs: 4_000_000n,
      rootDelayNs: 0n,
    });
    const https = toSourceSample(
      sample(0, {
        protocol: "https",
        stratum: null,
        rootDelayNs: null,
        rootDispersionNs: null,
        delayNs: 1_200_000n,
        uncertaintyNs: 1_900_000n,
      }),
    );
    expect(https).toMatchObject({ stratum: 2, dispersionNs: 1_300_000n });
    const unsynced = toSourceSample(sample(0, { leap: 3 }));
    expect(unsynced.stratum).toBe(16);
  });

  it("a fallback group: status shows the current member, each switch logged once", async () => {
    const a = new FakeSource("nts://a:4460", "nts");
    const b = new FakeSource("ntp://b:123", "ntp");
    a.next = fail("NTS_KE_FAILED");
    b.next = async () => sample(0.5, { protocol: "ntp", authenticated: false });
    const logs: string[] = [];
    const group = fallbackSource([a, b], {
      clock,
      retryPreferredAfterMs: 3_600_000,
      logger: {
        info: () => {},
        warn: (m, f) => {
          if (m === "switched time source") logs.push(`switched ${String(f?.from)} -> ${String(f?.to)}`);
        },
      },
    });
    const { poller, status } = setup(group, { members: [a, b] });
    expect(poller.protocol()).toBe("nts");
    await vi.advanceTimersByTimeAsync(16_000 * 3);
    expect(logs).toEqual(["switched nts://a:4460 -> ntp://b:123"]);
    expect(poller.protocol()).toBe("ntp");
    expect(poller.fallback()).toMatchObject({ current: "ntp://b:123", switches: 1 });
    expect(poller.fallback()?.members[0]).toMatchObject({ url: "nts://a:4460", failures: 1 });
    expect(status().reach).toBe(0b1111);
    expect(status().authenticated).toBe(false);
    await poller.stop();
    expect(a.closed && b.closed).toBe(true);
  });
});
