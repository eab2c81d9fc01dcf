/**
 * A simulated datagram network: nodes with string addresses, each with its own clock,
 * joined pairwise by {@link Link}s. `send` decides the packet's fate on the link at once
 * and schedules the delivery; the receiving node's handler runs at the arrival instant
 * and reads its own clock for the receive timestamp, like a real socket would.
 * Every node's clock is a {@link SimClock}, so its error is known at every instant.
 */
import { type Duration, type Instant, InvalidArgumentError } from "@chronosync/core";
import type { Link, Path } from "./link.js";
import { SimClock } from "./sim-clock.js";
import type { Simulator } from "./simulator.js";

/** A packet as it arrives. `delayNs = receivedAt − sentAt`, in true time. */
export interface Datagram {
  from: string;
  to: string;
  bytes: Uint8Array;
  /** True time of sending. */
  sentAt: Instant;
  /** True time of arrival. */
  receivedAt: Instant;
  /** One-way delay applied by the link (ground truth). */
  delayNs: Duration;
}

/** What happened to a sent packet, known at send time (ground truth). */
export type SendOutcome =
  | { status: "scheduled"; deliverAt: Instant; delayNs: Duration; reordered: boolean }
  | { status: "lost" }
  | { status: "no-route" };

/** Runs on the receiving node when a datagram arrives. */
export type DatagramHandler = (datagram: Datagram) => void;

/** Network-wide counters. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  noRoute: number;
  /** Arrived at a node without a handler. */
  unhandled: number;
}

/** A host on the simulated network. */
export class SimNode {
  readonly address: string;
  /** The node's own clock (what software on it reads), with its ground truth. */
  readonly clock: SimClock;
  /** @internal */
  handler: DatagramHandler | null = null;
  /** @internal */
  readonly routes = new Map<string, Path>();
  private readonly network: SimNetwork;

  constructor(network: SimNetwork, address: string, clock: SimClock) {
    this.network = network;
    this.address = address;
    this.clock = clock;
  }

  /** Sends `bytes` to `to` over the link between them. */
  send(to: string, bytes: Uint8Array): SendOutcome {
    return this.network.send(this.address, to, bytes);
  }

  /** Sets the receive handler (one per node; replaces any previous one). */
  onReceive(handler: DatagramHandler): void {
    this.handler = handler;
  }
}

/** Nodes and links over one {@link Simulator}. */
export class SimNetwork {
  readonly sim: Simulator;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, noRoute: 0, unhandled: 0 };
  private readonly nodes = new Map<string, SimNode>();

  constructor(sim: Simulator) {
    this.sim = sim;
  }

  /** Adds a node; its clock defaults to a perfect one (shows true time). */
  addNode(address: string, clock: SimClock = new SimClock(this.sim)): SimNode {
    if (this.nodes.has(address)) throw new InvalidArgumentError(`duplicate node address ${address}`);
    const node = new SimNode(this, address, clock);
    this.nodes.set(address, node);
    return node;
  }

  /** The node at `address`, if any. */
  node(address: string): SimNode | undefined {
    return this.nodes.get(address);
  }

  /** Joins `a` and `b`: a → b travels `link.up`, b → a travels `link.down`. */
  connect(a: string, b: string, link: Link): void {
    const nodeA = this.nodes.get(a);
    const nodeB = this.nodes.get(b);
    if (nodeA === undefined || nodeB === undefined) {
      throw new InvalidArgumentError(`connect: unknown node ${nodeA === undefined ? a : b}`);
    }
    if (a === b) throw new InvalidArgumentError(`connect: a node cannot link to itself (${a})`);
    nodeA.routes.set(b, link.up);
    nodeB.routes.set(a, link.down);
  }

  /** Sends a copy of `bytes` from `from` to `to`; the outcome carries the applied delay. */
  send(from: string, to: string, bytes: Uint8Array): SendOutcome {
    this.stats.sent++;
    const path = this.nodes.get(from)?.routes.get(to);
    const target = this.nodes.get(to);
    if (path === undefined || target === undefined) {
      this.stats.noRoute++;
      return { status: "no-route" };
    }
    const transit = path.transit();
    if (transit.lost) {
      this.stats.lost++;
      return { status: "lost" };
    }
    const sentAt = this.sim.now();
    const receivedAt = sentAt + transit.delayNs;
    const datagram: Datagram = {
      from,
      to,
      bytes: bytes.slice(),
      sentAt,
      receivedAt,
      delayNs: transit.delayNs,
    };
    this.sim.schedule(receivedAt, () => this.deliver(target, datagram));
    return {
      status: "scheduled",
      deliverAt: receivedAt,
      delayNs: transit.delayNs,
      reordered: transit.reordered,
    };
  }

  private deliver(target: SimNode, datagram: Datagram): void {
    if (target.handler === null) {
      this.stats.unhandled++;
      return;
    }
    this.stats.delivered++;
    target.handler(datagram);
  }
}
