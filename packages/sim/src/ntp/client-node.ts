/**
 * An NTP client on a simulated node: polls one server with the real `createNtpRequest`
 * and `handleNtpReply` of `@chronosync/protocols`, and pairs each sample with its ground
 * truth — the true offset server − client at the instant of measurement (the true
 * midpoint of the exchange) and the one-way delays the links applied.
 *
 * One request is outstanding at a time, like a real client: a request without a reply by
 * the next poll counts as unanswered, and a late reply is judged against the newer request
 * (and rejected by the origin check).
 */
import type { Duration, Instant } from "@chronosync/core";
import { createNtpRequest, handleNtpReply, type NtpRequest, type NtpSample } from "@chronosync/protocols";
import type { Datagram, SimNetwork, SimNode } from "../network.js";
import type { Prng } from "../prng.js";
import type { RepeatHandle } from "../simulator.js";

/** An NTP sample with the simulator's ground truth. */
export interface SimNtpSample {
  /** Client transmit, server receive, server transmit, client receive (each node's clock). */
  t1: Instant;
  t2: Instant;
  t3: Instant;
  t4: Instant;
  /** Measured offset θ (server − client) and round-trip delay δ. */
  offsetNs: Duration;
  delayNs: Duration;
  dispersionNs: Duration;
  /** True offset server − client at the true midpoint of the exchange. */
  trueOffsetNs: Duration;
  /** offsetNs − trueOffsetNs. */
  errorNs: Duration;
  /** One-way delays the links applied, client → server and server → client (true time). */
  appliedUpNs: Duration;
  appliedDownNs: Duration;
  /** True instants of the request's sending and the reply's arrival. */
  sentAt: Instant;
  receivedAt: Instant;
}

export interface SimNtpClientOptions {
  /** Address of the server node. */
  server: string;
  /** Time between polls. */
  pollIntervalNs: Duration;
  /** True time of the first poll. Default: now + pollIntervalNs. */
  firstPollAt?: Instant;
  /** Stream for the request nonces. */
  prng: Prng;
  /** Passed to `handleNtpReply`. */
  maxDelayNs?: bigint;
  /** Called with every sample. */
  onSample?: (sample: SimNtpSample, ntp: NtpSample) => void;
  /** Keep samples in {@link SimNtpClient.samples}. Default true (turn off for scale runs). */
  keepSamples?: boolean;
}

/** Counters of a simulated client. */
export interface SimNtpClientStats {
  polls: number;
  samples: number;
  /** Requests that had no usable reply by the next poll (lost either way, or rejected). */
  unanswered: number;
  /** Replies rejected by the packet tests, by reason. */
  bogus: Record<string, number>;
  /** Kiss-o'-Death replies. */
  kiss: number;
  /** Replies arriving with no request outstanding. */
  stray: number;
}

interface Outstanding {
  request: NtpRequest;
  t1: Instant;
  sentAt: Instant;
  /** Null when the request was lost: then no reply can match it. */
  appliedUpNs: Duration | null;
}

/** Polls an NTP server over the simulated network and records samples with ground truth. */
export class SimNtpClient {
  readonly node: SimNode;
  readonly samples: SimNtpSample[] = [];
  readonly stats: SimNtpClientStats = { polls: 0, samples: 0, unanswered: 0, bogus: {}, kiss: 0, stray: 0 };
  private readonly network: SimNetwork;
  private readonly options: SimNtpClientOptions;
  private outstanding: Outstanding | null = null;
  private timer: RepeatHandle | null = null;

  constructor(network: SimNetwork, node: SimNode, options: SimNtpClientOptions) {
    this.network = network;
    this.node = node;
    this.options = options;
    node.onReceive((datagram) => this.receive(datagram));
  }

  /** Starts polling every `pollIntervalNs`. */
  start(): void {
    if (this.timer !== null) return;
    const sim = this.network.sim;
    const first = this.options.firstPollAt ?? sim.now() + this.options.pollIntervalNs;
    this.timer = sim.every(this.options.pollIntervalNs, () => this.poll(), first);
  }

  /** Stops polling. */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Sends one request now (replacing any outstanding one). */
  poll(): void {
    if (this.outstanding !== null) this.stats.unanswered++;
    this.stats.polls++;
    const prng = this.options.prng;
    const request = createNtpRequest({ random: (n) => prng.bytes(n) });
    const t1 = this.node.clock.now();
    const sentAt = this.network.sim.now();
    const outcome = this.node.send(this.options.server, request.bytes);
    const appliedUpNs = outcome.status === "scheduled" ? outcome.delayNs : null;
    this.outstanding = { request, t1, sentAt, appliedUpNs };
  }

  private receive(datagram: Datagram): void {
    const t4 = this.node.clock.now();
    const pending = this.outstanding;
    if (pending === null || datagram.from !== this.options.server) {
      this.stats.stray++;
      return;
    }
    const { maxDelayNs } = this.options;
    const result = handleNtpReply(pending.request, pending.t1, datagram.bytes, t4, {
      clientPrecisionLog2: this.node.clock.precisionLog2,
      ...(maxDelayNs === undefined ? {} : { maxDelayNs }), // never override its default with undefined
    });
    switch (result.kind) {
      case "bogus":
        this.stats.bogus[result.reason] = (this.stats.bogus[result.reason] ?? 0) + 1;
        return;
      case "kiss":
        this.stats.kiss++;
        this.outstanding = null;
        return;
      case "sample":
        this.outstanding = null;
        this.record(pending, datagram, result.sample);
        return;
    }
  }

  private record(pending: Outstanding, datagram: Datagram, ntp: NtpSample): void {
    // A reply implies the request arrived; the fallback only covers a forged reply.
    const appliedUpNs = pending.appliedUpNs ?? datagram.sentAt - pending.sentAt;
    const serverClock = this.network.node(this.options.server)?.clock;
    const mid = (pending.sentAt + datagram.receivedAt) / 2n;
    const clientError = this.node.clock.trueOffsetAt(mid);
    const trueOffsetNs = serverClock === undefined ? 0n : serverClock.trueOffsetAt(mid) - clientError;
    const sample: SimNtpSample = {
      t1: ntp.t1,
      t2: ntp.t2,
      t3: ntp.t3,
      t4: ntp.t4,
      offsetNs: ntp.offsetNs,
      delayNs: ntp.delayNs,
      dispersionNs: ntp.dispersionNs,
      trueOffsetNs,
      errorNs: ntp.offsetNs - trueOffsetNs,
      appliedUpNs,
      appliedDownNs: datagram.delayNs,
      sentAt: pending.sentAt,
      receivedAt: datagram.receivedAt,
    };
    this.stats.samples++;
    if (this.options.keepSamples !== false) this.samples.push(sample);
    this.options.onSample?.(sample, ntp);
  }
}
