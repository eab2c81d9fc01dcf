// "System clock according to chronyd" (issue 3 §7): the monitor's targets, cache and time
// budget with a fake query, the document it builds, and the status/metrics it feeds through
// a real local API. The real chronyd is in packages/cli/test/agent-chronyd-e2e.test.ts.
import { ManualClock, NetworkFailureError } from "@chronosync/core";
import type { ChronydTarget, ChronySource, ChronyTracking, queryChronyd } from "@chronosync/protocols";
import { describe, expect, it } from "vitest";
import {
  CHRONYD_DEFAULT_TARGETS,
  type ChronydView,
  chronydDocument,
  chronydTargets,
  createChronydMonitor,
  metricsText,
  readChronyd,
  startLocalApi,
  statusDocument,
} from "../src/index.js";
import { fakeProvider, LOCAL_NS } from "./helpers/fake-provider.js";

const TRACKING: ChronyTracking = {
  refId: 0x7f000001,
  ipAddr: "127.0.0.1",
  stratum: 2,
  leapStatus: 0,
  refTime: 1_700_000_000_500_000_000n,
  currentCorrectionS: 0.05,
  lastOffsetS: -2e-7,
  rmsOffsetS: 3e-7,
  freqPpm: 0.125,
  residFreqPpm: 0.001,
  skewPpm: 0.05,
  rootDelayS: 0.000031,
  rootDispersionS: 0.000123,
  lastUpdateIntervalS: 1,
};
const SOURCE: ChronySource = {
  ipAddr: "127.0.0.1",
  poll: -2,
  stratum: 1,
  state: "sync",
  mode: "client",
  flags: 0,
  reachability: 0xff,
  sinceSample: 0,
  origLatestMeas: -0.0499,
  latestMeas: -0.05,
  latestMeasErr: 0.00002,
};

type Call = { target: ChronydTarget; what: string };

/** A fake queryChronyd: answers for `good` targets after `delayMs`, refuses the others. */
function fakeQuery(good: (t: ChronydTarget) => boolean, delayMs = 0) {
  const calls: Call[] = [];
  const query = (async (target: ChronydTarget, what: "tracking" | "sources") => {
    calls.push({ target, what });
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (!good(target))
      throw new NetworkFailureError(`chronyd ${JSON.stringify(target)}: connect ECONNREFUSED`);
    return what === "tracking" ? TRACKING : [SOURCE];
  }) as typeof queryChronyd;
  return { query, calls };
}

describe("chronydTargets", () => {
  it("unset: the Unix socket, then UDP 127.0.0.1:323; off: none; a path; host:port; [v6]:port", () => {
    expect(chronydTargets(undefined)).toEqual([
      { socketPath: "/run/chrony/chronyd.sock" },
      { host: "127.0.0.1", port: 323 },
    ]);
    expect(chronydTargets(undefined)).toBe(CHRONYD_DEFAULT_TARGETS);
    expect(chronydTargets("off")).toEqual([]);
    expect(chronydTargets("/tmp/x/chronyd.sock")).toEqual([{ socketPath: "/tmp/x/chronyd.sock" }]);
    expect(chronydTargets("127.0.0.1:10323")).toEqual([{ host: "127.0.0.1", port: 10323 }]);
    expect(chronydTargets("[::1]:323")).toEqual([{ host: "::1", port: 323 }]);
    expect(() => chronydTargets("nonsense")).toThrow(/socket path, host:port or "off"/);
  });
});

describe("chronydDocument", () => {
  it("maps chronyd's tracking and sources to ns, the agent's sign, and chronyc's words", () => {
    const doc = chronydDocument(
      { ok: true, via: "/run/chrony/chronyd.sock", tracking: TRACKING, sources: [SOURCE] },
      1500,
    );
    expect(doc).toEqual({
      available: true,
      via: "/run/chrony/chronyd.sock",
      ageMs: 1500,
      referenceId: "7F000001",
      reference: "127.0.0.1",
      stratum: 2,
      systemTimeOffsetNs: 50_000_000,
      lastOffsetNs: -200,
      rmsOffsetNs: 300,
      frequencyPpm: 0.125,
      residualFrequencyPpm: 0.001,
      skewPpm: 0.05,
      rootDelayNs: 31_000,
      rootDispersionNs: 123_000,
      updateIntervalS: 1,
      refTime: "2023-11-14T22:13:20.500000000Z",
      leap: "normal",
      sources: [
        {
          address: "127.0.0.1",
          mode: "client",
          state: "sync",
          stratum: 1,
          poll: -2,
          reach: "377",
          lastSampleAgoS: 0,
          offsetNs: -50_000_000,
          measuredOffsetNs: -49_900_000,
          errorNs: 20_000,
        },
      ],
    });
  });

  it("a refclock reference shows its ID as text; never-updated and unsynchronized chronyd", () => {
    const doc = chronydDocument(
      {
        ok: true,
        via: "x",
        tracking: { ...TRACKING, ipAddr: "", refId: 0x47505300, refTime: 0n, leapStatus: 3 },
        sources: [{ ...SOURCE, sinceSample: 0xffffffff, reachability: 0 }],
      },
      0,
    );
    expect(doc).toMatchObject({ reference: "GPS", refTime: null, leap: "unsynchronized" });
    expect(doc.available && doc.sources[0]).toMatchObject({ lastSampleAgoS: null, reach: "0" });
    const local = chronydDocument(
      { ok: true, via: "x", tracking: { ...TRACKING, ipAddr: "", refId: 0x7f7f0101 }, sources: [] },
      0,
    );
    expect(local).toMatchObject({ reference: "", referenceId: "7F7F0101" });
  });

  it("statusDocument puts the agent's own offset and the difference beside chronyd's", () => {
    const report = fakeProvider().status(LOCAL_NS);
    const section = chronydDocument({ ok: true, via: "x", tracking: TRACKING, sources: [] }, 0);
    expect(statusDocument(report, section).chronyd).toMatchObject({
      systemTimeOffsetNs: 50_000_000,
      agent: { offsetNs: 1_234, status: "synchronized" },
      differenceNs: 1_234 - 50_000_000,
    });
    expect(statusDocument(report, { available: false, reason: "no" }).chronyd).toEqual({
      available: false,
      reason: "no",
      agent: { offsetNs: 1_234, status: "synchronized" },
    });
    expect(statusDocument(report)).not.toHaveProperty("chronyd");
  });

  it("metrics: chronyd's offset gauge when it answered, chronosync_chronyd_up 0 when not", () => {
    const report = fakeProvider().status(LOCAL_NS);
    const up = metricsText(
      report,
      LOCAL_NS,
      chronydDocument({ ok: true, via: "x", tracking: TRACKING, sources: [] }, 0),
    );
    expect(up).toContain(
      "# TYPE chronosync_chronyd_offset_seconds gauge\nchronosync_chronyd_offset_seconds 0.05\n",
    );
    expect(up).toContain("\nchronosync_chronyd_up 1\n");
    expect(up).toContain("\nchronosync_chronyd_frequency_ppm 0.125\n");
    expect(up).toContain("\nchronosync_chronyd_stratum 2\n");
    const down = metricsText(report, LOCAL_NS, { available: false, reason: "no" });
    expect(down).toContain("\nchronosync_chronyd_up 0\n");
    expect(down).not.toMatch(/^chronosync_chronyd_offset_seconds /m);
    expect(metricsText(report, LOCAL_NS)).not.toContain("chronyd");
  });
});

describe("createChronydMonitor", () => {
  it("falls back to UDP when the socket fails, then asks the target that answered first", async () => {
    const { query, calls } = fakeQuery((t) => !("socketPath" in t));
    let now = 0;
    const monitor = createChronydMonitor({
      targets: CHRONYD_DEFAULT_TARGETS,
      query,
      nowMs: () => now,
      maxAgeMs: 5000,
    });
    expect(await monitor.read()).toMatchObject({ available: true, via: "127.0.0.1:323", ageMs: 0 });
    expect(calls.map((c) => ("socketPath" in c.target ? "unix" : "udp"))).toEqual(["unix", "udp", "udp"]);
    now = 5000;
    calls.length = 0;
    await monitor.read();
    expect(calls.map((c) => ("socketPath" in c.target ? "unix" : "udp"))).toEqual(["udp", "udp"]);
  });

  it("caches for maxAgeMs and reports the age of what it serves", async () => {
    const { query, calls } = fakeQuery(() => true);
    let now = 1000;
    const monitor = createChronydMonitor({ targets: [{ socketPath: "/s" }], query, nowMs: () => now });
    await monitor.read();
    now = 5999;
    expect(await monitor.read()).toMatchObject({ available: true, ageMs: 4999 });
    expect(calls).toHaveLength(2);
    now = 6000;
    expect(await monitor.read()).toMatchObject({ ageMs: 0 });
    expect(calls).toHaveLength(4);
  });

  it("every target failing: available false with each reason; off: says so", async () => {
    const { query } = fakeQuery(() => false);
    const doc = await createChronydMonitor({ targets: CHRONYD_DEFAULT_TARGETS, query }).read();
    expect(doc.available).toBe(false);
    expect(!doc.available && doc.reason).toMatch(/chronyd\.sock.*ECONNREFUSED.*; .*323.*ECONNREFUSED/);
    expect(await createChronydMonitor({ targets: [], query }).read()).toEqual({
      available: false,
      reason: "chronyd is turned off in the configuration",
    });
  });

  it("never holds a read past the budget: a slow chronyd is shown once it has answered", async () => {
    const { query } = fakeQuery(() => true, 150);
    const monitor = createChronydMonitor({
      targets: [{ socketPath: "/s" }],
      query,
      budgetMs: 50,
      maxAgeMs: 0,
    });
    const t0 = performance.now();
    expect(await monitor.read()).toEqual({
      available: false,
      reason: "chronyd has not answered within 50 ms (still asking)",
    });
    expect(performance.now() - t0).toBeLessThan(140);
    await new Promise((r) => setTimeout(r, 400));
    // stale (maxAgeMs 0) so it refreshes again, but within the budget it serves the last answer
    const t1 = performance.now();
    expect(await monitor.read()).toMatchObject({ available: true, stratum: 2 });
    expect(performance.now() - t1).toBeLessThan(140);
  });
});

describe("readChronyd with the real queryChronyd", () => {
  it("without the native addon the socket's reason says to use UDP, and UDP is still tried", async () => {
    const saved = process.env.CHRONOSYNC_NATIVE;
    process.env.CHRONOSYNC_NATIVE = "0";
    try {
      const reading = await readChronyd(
        [{ socketPath: "/run/chrony/chronyd.sock" }, { host: "127.0.0.1", port: 1 }],
        undefined,
        300,
      );
      expect(reading.ok).toBe(false);
      expect(!reading.ok && reading.reason).toMatch(
        /^Unix socket needs the native addon; use UDP 127\.0\.0\.1:323 .*; chronyd 127\.0\.0\.1:1: /,
      );
    } finally {
      if (saved === undefined) delete process.env.CHRONOSYNC_NATIVE;
      else process.env.CHRONOSYNC_NATIVE = saved;
    }
  });
});

describe("GET /v1/status and /metrics with a chronyd view", () => {
  it("carry the chronyd section and gauges", async () => {
    const view: ChronydView = {
      read: async () => chronydDocument({ ok: true, via: "/s", tracking: TRACKING, sources: [SOURCE] }, 7),
    };
    const api = await startLocalApi({
      listen: "127.0.0.1:0",
      provider: fakeProvider(),
      clock: new ManualClock(LOCAL_NS),
      chronyd: view,
    });
    try {
      const base = `http://127.0.0.1:${api.address.port}`;
      const doc = (await (await fetch(`${base}/v1/status`)).json()) as Record<string, unknown>;
      expect(doc.chronyd).toMatchObject({
        available: true,
        via: "/s",
        ageMs: 7,
        differenceNs: 1_234 - 50_000_000,
      });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain(
        "\nchronosync_chronyd_offset_seconds 0.05\n",
      );
    } finally {
      await api.close();
    }
  });
});
