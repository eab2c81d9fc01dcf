/**
 * Scenario: a star of N NTP clients polling one server, each over its own link, with
 * clock offsets and frequency errors drawn per client. Samples are folded into streaming
 * statistics (nothing per sample is kept), so it scales to thousands of clients; it is
 * the workload of the throughput benchmark and a template for scale studies.
 */
import type { Duration, Instant } from "@chronosync/core";
import { Link, type LinkOptions } from "../link.js";
import { SimNetwork } from "../network.js";
import { SimNtpClient } from "../ntp/client-node.js";
import { SimNtpServer } from "../ntp/server-node.js";
import type { Seed } from "../prng.js";
import { SimClock } from "../sim-clock.js";
import { Simulator } from "../simulator.js";
import { ErrorStats, type ErrorSummary } from "../stats.js";
import type { WanderOptions } from "../wander.js";
import type { ScenarioClockOptions } from "./ntp-exchange.js";

export interface NtpStarScenarioOptions {
  seed: Seed;
  start?: Instant;
  /** Number of clients. */
  clients: number;
  /** Simulated duration. */
  durationNs: Duration;
  /** Poll interval of every client (each starts at a random phase). Default 64 s. */
  pollIntervalNs?: Duration;
  /** Link options of every client (each link has its own stream), or one per client. */
  link: LinkOptions | ((index: number) => LinkOptions);
  /** Client clock offsets are uniform on ±this. Default 0. */
  clientOffsetSpreadNs?: Duration;
  /** Client frequency errors are uniform on ±this (ppm). Default 0. */
  clientFrequencySpreadPpm?: number;
  /** Frequency wander of every client clock. Default none. */
  clientWander?: WanderOptions;
  server?: ScenarioClockOptions;
  serverProcessingNs?: Duration;
}

export interface NtpStarSummary {
  clients: number;
  polls: number;
  samples: number;
  unanswered: number;
  /** Statistics of sample error (measured − true offset) over all clients. */
  error: ErrorSummary;
  /** Requests the server answered. */
  answered: number;
  events: number;
  /** Final simulated time. */
  endedAt: Instant;
}

/** Builds and runs the star; returns aggregate statistics. */
export function runNtpStarScenario(options: NtpStarScenarioOptions): NtpStarSummary {
  const sim = new Simulator({ seed: options.seed, start: options.start });
  const net = new SimNetwork(sim);
  const interval = options.pollIntervalNs ?? 64_000_000_000n;
  const serverClock = new SimClock(sim, { ...options.server, prng: sim.prng.fork("clock:server") });
  const server = new SimNtpServer(net, net.addNode("server", serverClock), {
    processingNs: options.serverProcessingNs ?? 0n,
  });
  const error = new ErrorStats();
  const setup = sim.prng.fork("setup");
  const offsetSpread = Number(options.clientOffsetSpreadNs ?? 0n);
  const freqSpread = options.clientFrequencySpreadPpm ?? 0;
  const clients: SimNtpClient[] = [];
  for (let i = 0; i < options.clients; i++) {
    const address = `client-${i}`;
    const clock = new SimClock(sim, {
      offsetNs: BigInt(Math.round(setup.uniform(-offsetSpread, offsetSpread))),
      frequencyPpm: setup.uniform(-freqSpread, freqSpread),
      wander: options.clientWander,
      prng: sim.prng.fork(`clock:${address}`),
    });
    const node = net.addNode(address, clock);
    const linkOptions = typeof options.link === "function" ? options.link(i) : options.link;
    net.connect(address, "server", new Link(linkOptions, sim.prng.fork(`link:${address}`)));
    const client = new SimNtpClient(net, node, {
      server: "server",
      pollIntervalNs: interval,
      firstPollAt: sim.start + BigInt(Math.floor(setup.next() * Number(interval))),
      prng: sim.prng.fork(`nonce:${address}`),
      keepSamples: false,
      onSample: (sample) => error.add(sample.errorNs),
    });
    client.start();
    clients.push(client);
  }
  sim.run(sim.start + options.durationNs);

  let polls = 0;
  let unanswered = 0;
  for (const client of clients) {
    polls += client.stats.polls;
    unanswered += client.stats.unanswered;
  }
  return {
    clients: options.clients,
    polls,
    samples: error.count,
    unanswered,
    error: error.summary(),
    answered: server.stats.answered,
    events: sim.eventsProcessed,
    endedAt: sim.now(),
  };
}
