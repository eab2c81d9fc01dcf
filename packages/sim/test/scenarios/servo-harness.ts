/**
 * Shared harness of the servo scenarios (1NN-servo-*): one NTP client polls one true
 * server over a simulated link with the real protocol code; every sample goes into a
 * {@link BoundedClock}; every `checkEveryNs` of true time the virtual clock is read at the
 * client's local time and compared with the simulator's true time.
 *
 * Per-sample inputs, as the agent computes them from what it can see:
 * - rootDistance = rootDelay/2 + rootDispersion + δ/2 + ε (chrony's distance, without
 *   RFC 5905's 5 ms MINDISP floor, so the bound is as tight as the measurement allows);
 * - uncertainty σ² = ((δ − δ_min)/2)² + mean of the same over the last 16 samples + (100 ns)²,
 *   δ_min the smallest delay of the last 64 samples: |jitter part of the error| ≤ (δ − δ_min)/2;
 *   for the first 8 samples, when δ_min is not known yet, σ = δ/2.
 */
import {
  type BoundConfig,
  BoundedClock,
  createServo,
  type Duration,
  type KalmanConfig,
  type SyncStatus,
} from "@chronosync/core";
import {
  Link,
  type LinkOptions,
  type ScenarioClockOptions,
  SimClock,
  SimNetwork,
  SimNtpClient,
  SimNtpServer,
  Simulator,
} from "../../src/index.js";

export const S = 1_000_000_000n;
export const MS = 1_000_000n;
export const US = 1_000n;

export interface ServoScenarioOptions {
  seed: string;
  durationNs: Duration;
  pollIntervalNs: Duration;
  link: LinkOptions;
  client: ScenarioClockOptions;
  /** Windows [from, to) after the start, ns, in which the server cannot be reached. */
  outages?: readonly { fromNs: Duration; toNs: Duration }[];
  kalman?: Partial<KalmanConfig>;
  bound?: Partial<BoundConfig>;
  /** Default 1 s. */
  checkEveryNs?: Duration;
  /** Instants (after the start) at which to record the frequency error. */
  frequencyProbesNs?: readonly Duration[];
}

export interface ServoCheck {
  /** Since the start, ns. */
  atNs: Duration;
  errorNs: number;
  halfWidthNs: number;
  contained: boolean;
  status: SyncStatus;
}

export interface ServoScenarioResult {
  checks: ServoCheck[];
  containment: number;
  misses: number;
  medianHalfWidthNs: number;
  medianAbsErrorNs: number;
  p99AbsErrorNs: number;
  /** |estimated − true| frequency, ppm, at each probe. */
  frequencyErrorPpm: number[];
  outcomes: Record<string, number>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Runs one servo scenario to its end. */
export function runServoScenario(o: ServoScenarioOptions): ServoScenarioResult {
  const sim = new Simulator({ seed: o.seed });
  const net = new SimNetwork(sim);
  const clientClock = new SimClock(sim, { ...o.client, prng: sim.prng.fork("clock:client") });
  const clientNode = net.addNode("client", clientClock);
  const serverNode = net.addNode("server", new SimClock(sim));
  net.connect("client", "server", new Link(o.link, sim.prng.fork("link:client-server")));
  new SimNtpServer(net, serverNode);
  const clock = new BoundedClock(createServo("kalman", { kalman: o.kalman }), o.bound);
  const outcomes: Record<string, number> = {};
  const delays: bigint[] = [];
  const spreads: number[] = [];

  const client = new SimNtpClient(net, clientNode, {
    server: "server",
    pollIntervalNs: o.pollIntervalNs,
    prng: sim.prng.fork("client:nonce"),
    keepSamples: false,
    onSample: (s, ntp) => {
      delays.push(s.delayNs);
      if (delays.length > 64) delays.shift();
      let minDelay = s.delayNs;
      for (const d of delays) if (d < minDelay) minDelay = d;
      const spread = Number(s.delayNs - minDelay) / 2;
      spreads.push(spread * spread);
      if (spreads.length > 16) spreads.shift();
      const jitter2 = spreads.reduce((a, b) => a + b, 0) / spreads.length;
      const outcome = clock.update({
        localNs: (s.t1 + s.t4) / 2n,
        offsetNs: s.offsetNs,
        rootDistanceNs: ntp.rootDelayNs / 2n + ntp.rootDispersionNs + s.delayNs / 2n + s.dispersionNs,
        // until the delay window says where δ_min is, fall back to the hard bound δ/2
        measurementVarianceNs2:
          delays.length < 8 ? (Number(s.delayNs) / 2) ** 2 : spread * spread + jitter2 + 100 * 100,
      });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    },
  });
  client.start();
  for (const { fromNs, toNs } of o.outages ?? []) {
    sim.schedule(sim.start + fromNs, () => client.stop());
    sim.schedule(sim.start + toNs, () => client.start());
  }

  const checks: ServoCheck[] = [];
  sim.every(o.checkEveryNs ?? S, () => {
    const t = sim.now();
    const b = clock.now(clientClock.localAt(t));
    if (b.status === "unsynchronized" && outcomes.initialized === undefined) return; // never synced
    checks.push({
      atNs: t - sim.start,
      errorNs: Number(b.timeNs - t),
      halfWidthNs: Number(b.halfWidthNs),
      contained: b.earliestNs <= t && t <= b.latestNs,
      status: b.status,
    });
  });
  const frequencyErrorPpm: number[] = [];
  for (const at of o.frequencyProbesNs ?? []) {
    sim.schedule(sim.start + at, () => {
      const t = sim.now();
      const est = clock.servo.estimate(clientClock.localAt(t));
      // correction = true − local falls at the clock's frequency error
      frequencyErrorPpm.push(
        est === null ? Number.NaN : Math.abs(est.frequencyPpm + clientClock.frequencyPpmAt(t)),
      );
    });
  }
  sim.run(sim.start + o.durationNs);
  client.stop();

  const abs = checks.map((c) => Math.abs(c.errorNs));
  const misses = checks.filter((c) => !c.contained).length;
  return {
    checks,
    containment: checks.length === 0 ? 0 : (checks.length - misses) / checks.length,
    misses,
    medianHalfWidthNs: median(checks.map((c) => c.halfWidthNs)),
    medianAbsErrorNs: median(abs),
    p99AbsErrorNs: quantile(abs, 0.99),
    frequencyErrorPpm,
    outcomes,
  };
}

/** Merges several runs' checks into one figure line and logs it. */
export function reportServo(name: string, results: readonly ServoScenarioResult[]): ServoScenarioResult {
  const checks = results.flatMap((r) => r.checks);
  const abs = checks.map((c) => Math.abs(c.errorNs));
  const misses = checks.filter((c) => !c.contained).length;
  const merged: ServoScenarioResult = {
    checks,
    containment: (checks.length - misses) / checks.length,
    misses,
    medianHalfWidthNs: median(checks.map((c) => c.halfWidthNs)),
    medianAbsErrorNs: median(abs),
    p99AbsErrorNs: quantile(abs, 0.99),
    frequencyErrorPpm: results.flatMap((r) => r.frequencyErrorPpm),
    outcomes: {},
  };
  const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
  console.log(
    `${name}: ${checks.length} instants, containment ${(merged.containment * 100).toFixed(3)} % (${misses} misses), ` +
      `median half-width ${us(merged.medianHalfWidthNs)}, median |error| ${us(merged.medianAbsErrorNs)}, ` +
      `p99 |error| ${us(merged.p99AbsErrorNs)}`,
  );
  return merged;
}
