/**
 * An NTP server on a simulated node: the real {@link NtpResponder} of
 * `@chronosync/protocols`, fed by the simulated network. T2 is the node's clock read
 * when the request arrives; the reply is built after a configurable processing time, when
 * the responder reads the clock again for T3 (RFC 5905 §8: T3 is taken as late as
 * possible), and sent back over the link.
 */
import { type Duration, InvalidArgumentError } from "@chronosync/core";
import { type NtpRateLimitOptions, type NtpReferenceState, NtpResponder } from "@chronosync/protocols";
import { compileJitter, type JitterDistribution, type JitterSampler } from "../distributions.js";
import type { Datagram, SimNetwork, SimNode } from "../network.js";
import type { Prng } from "../prng.js";

/** `"GPS\0"`, the reference ID of a stratum-1 server on a GPS receiver. */
export const REFID_GPS = 0x47505300;

export interface SimNtpServerOptions {
  /** True time between T2 (request read) and T3 (reply written). Default 0. */
  processingNs?: Duration;
  /** Extra random processing time; needs `prng`. */
  processingJitter?: JitterDistribution;
  /** Stream for the processing jitter. */
  prng?: Prng;
  /**
   * Per-client rate limiting of the responder. Default off: the responder seeds its
   * limiter's hash from Math.random, so with limiting on, runs with many clients may
   * differ in which clients collide.
   */
  rateLimit?: NtpRateLimitOptions | false;
  /**
   * What the server claims about its own synchronization. Default: stratum 1, "GPS",
   * reference time = its clock when the server is created.
   */
  reference?: NtpReferenceState | (() => NtpReferenceState);
}

/** The real NTP responder attached to a simulated node. */
export class SimNtpServer {
  readonly node: SimNode;
  readonly responder: NtpResponder;
  private readonly network: SimNetwork;
  private readonly processingNs: Duration;
  private readonly jitter: JitterSampler | null;
  private readonly prng: Prng | undefined;

  constructor(network: SimNetwork, node: SimNode, options: SimNtpServerOptions = {}) {
    this.network = network;
    this.node = node;
    this.processingNs = options.processingNs ?? 0n;
    if (this.processingNs < 0n) throw new InvalidArgumentError("processingNs must be ≥ 0");
    this.jitter = options.processingJitter === undefined ? null : compileJitter(options.processingJitter);
    this.prng = options.prng;
    if (this.jitter !== null && this.prng === undefined) {
      throw new InvalidArgumentError("processingJitter needs a prng");
    }
    const clock = node.clock;
    // One object for the whole run: the responder rebuilds its header template only when it changes.
    const reference = options.reference ?? {
      leap: 0,
      stratum: 1,
      referenceId: REFID_GPS,
      referenceTime: clock.now(),
      rootDelayNs: 0n,
      rootDispersionNs: 0n,
      precision: clock.precisionLog2,
    };
    this.responder = new NtpResponder({ clock, reference, rateLimit: options.rateLimit ?? false });
    node.onReceive((datagram) => this.receive(datagram));
  }

  /** The responder's counters. */
  get stats(): NtpResponder["stats"] {
    return this.responder.stats;
  }

  private receive(datagram: Datagram): void {
    const t2 = this.node.clock.now();
    let processing = this.processingNs;
    if (this.jitter !== null && this.prng !== undefined) processing += this.jitter(this.prng);
    const reply = (): void => {
      const bytes = this.responder.respond(datagram.bytes, t2, datagram.from);
      if (bytes !== null) this.node.send(datagram.from, bytes);
    };
    if (processing === 0n) reply();
    else this.network.sim.after(processing, reply);
  }
}
