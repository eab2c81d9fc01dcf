/**
 * Scenario: one NTP client polling one NTP server over one simulated link, both running
 * the real protocol code. Every sample carries its ground truth, so the error of two-way
 * time transfer can be checked against theory: with one-way delays u (up) and d (down),
 * θ − θ_true = (u − d)/2 (plus clock drift during the exchange and timestamp rounding).
 */
import type { Duration, Instant } from "@chronosync/core";
import type { NtpRateLimitOptions } from "@chronosync/protocols";
import type { JitterDistribution } from "../distributions.js";
import { Link, type PathOptions, type PathStats } from "../link.js";
import { SimNetwork } from "../network.js";
import { SimNtpClient, type SimNtpClientStats, type SimNtpSample } from "../ntp/client-node.js";
import { SimNtpServer } from "../ntp/server-node.js";
import type { Seed } from "../prng.js";
import { SimClock, type SimClockOptions } from "../sim-clock.js";
import { Simulator } from "../simulator.js";
import { ErrorStats, type ErrorSummary } from "../stats.js";

/** A clock's configuration in a scenario (its wander stream is derived from the seed). */
export type ScenarioClockOptions = Omit<SimClockOptions, "prng" | "t0">;

export interface NtpExchangeScenarioOptions {
  seed: Seed;
  /** True time at the start. Default 2025-01-01T00:00:00Z. */
  start?: Instant;
  /** Number of polls. Default 32. */
  polls?: number;
  /** Time between polls. Default 16 s. */
  pollIntervalNs?: Duration;
  client?: ScenarioClockOptions;
  server?: ScenarioClockOptions;
  /** Client → server path. */
  up: PathOptions;
  /** Server → client path. Default: like `up`. */
  down?: PathOptions;
  /** Server time between T2 and T3. Default 0. */
  serverProcessingNs?: Duration;
  serverProcessingJitter?: JitterDistribution;
  serverRateLimit?: NtpRateLimitOptions | false;
  /** Passed to `handleNtpReply`. */
  maxDelayNs?: bigint;
}

export interface NtpExchangeSummary {
  polls: number;
  samples: number;
  client: SimNtpClientStats;
  server: { received: number; answered: number; rateLimited: number; ignored: number };
  up: PathStats;
  down: PathStats;
  /** Statistics of `errorNs` over all samples. */
  error: ErrorSummary;
  /** Statistics of the measured round-trip delay. */
  delay: ErrorSummary;
  /** Events the simulator fired. */
  events: number;
}

export interface NtpExchangeResult {
  samples: SimNtpSample[];
  summary: NtpExchangeSummary;
}

const S = 1_000_000_000n;

/** Runs the scenario to completion (one poll interval past the last poll). */
export function runNtpExchangeScenario(options: NtpExchangeScenarioOptions): NtpExchangeResult {
  const sim = new Simulator({ seed: options.seed, start: options.start });
  const polls = options.polls ?? 32;
  const interval = options.pollIntervalNs ?? 16n * S;
  const net = new SimNetwork(sim);
  const clientClock = new SimClock(sim, { ...options.client, prng: sim.prng.fork("clock:client") });
  const serverClock = new SimClock(sim, { ...options.server, prng: sim.prng.fork("clock:server") });
  const clientNode = net.addNode("client", clientClock);
  const serverNode = net.addNode("server", serverClock);
  const link = new Link({ up: options.up, down: options.down }, sim.prng.fork("link:client-server"));
  net.connect("client", "server", link);
  const server = new SimNtpServer(net, serverNode, {
    processingNs: options.serverProcessingNs ?? 0n,
    prng: sim.prng.fork("server:processing"),
    rateLimit: options.serverRateLimit ?? false,
    processingJitter: options.serverProcessingJitter,
  });
  const client = new SimNtpClient(net, clientNode, {
    server: "server",
    pollIntervalNs: interval,
    prng: sim.prng.fork("client:nonce"),
    maxDelayNs: options.maxDelayNs,
  });
  client.start();
  sim.run(sim.start + BigInt(polls) * interval + interval / 2n);
  client.stop();

  const error = new ErrorStats();
  const delay = new ErrorStats();
  for (const s of client.samples) {
    error.add(s.errorNs);
    delay.add(s.delayNs);
  }
  return {
    samples: client.samples,
    summary: {
      polls: client.stats.polls,
      samples: client.stats.samples,
      client: client.stats,
      server: { ...server.stats },
      up: { ...link.up.stats },
      down: { ...link.down.stats },
      error: error.summary(),
      delay: delay.summary(),
      events: sim.eventsProcessed,
    },
  };
}
