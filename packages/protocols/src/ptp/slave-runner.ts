/**
 * Runs the {@link PtpSlave} engine on the UDPv4 transport: `startPtpSlave` streams
 * samples; `queryPtp` listens for a master, measures a few exchanges and returns the
 * median offset (master − local, UTC) and path delay. With `unicastMasters`, the slave
 * does not join the multicast group but negotiates unicast service from those masters
 * ({@link PtpUnicastClient}, IEEE 1588-2019 §16.1) and sends its Delay_Req to them.
 */
import { type Clock, type Duration, systemClock } from "@chronosync/core";
import { PtpTimeoutError } from "../errors.js";
import { randomClockIdentity } from "./identity.js";
import { PtpMessageType } from "./messages/header.js";
import { type PtpSample, PtpSlave, type PtpSlaveAction } from "./slave.js";
import type { PtpPortState } from "./slave-fsm.js";
import { openPtpUdp, type PtpUdpTransport, ptpInterfaceAddress } from "./udp-transport.js";
import { type PtpUnicastAction, PtpUnicastClient, type PtpUnicastGrantEvent } from "./unicast-client.js";

/** Options of a slave (startPtpSlave, queryPtp) beyond the endpoint's. */
export interface PtpSlaveRunOptions {
  /**
   * Unicast negotiation (§16.1) with these masters (IPv4 addresses) instead of multicast,
   * e.g. ptp4l with `unicast_listen 1`. Default none: multicast.
   */
  readonly unicastMasters?: readonly string[];
  /** Requested grant duration in seconds (unicast). Default 300. */
  readonly unicastDurationS?: number;
}

/** Where to listen: an interface name or one of its IPv4 addresses. */
export interface PtpEndpointOptions {
  readonly interface?: string;
  readonly address?: string;
  /** domainNumber, default 0. */
  readonly domain?: number;
  /** Default core's system clock. */
  readonly clock?: Clock;
  /** Default random (locally administered). */
  readonly clockIdentity?: string;
  /** Ports other than 319/320 (tests). */
  readonly eventPort?: number;
  readonly generalPort?: number;
  /** See {@link PtpUdpOptions.ingressLatencyNs}. Default 0. */
  readonly ingressLatencyNs?: bigint;
  /** See {@link PtpUdpOptions.egressLatencyNs}. Default 0. */
  readonly egressLatencyNs?: bigint;
  /** Kernel timestamps through the addon or node:dgram: see {@link PtpUdpOptions.native}. Default "auto". */
  readonly native?: boolean | "auto";
}

export interface PtpSlaveHandle {
  readonly clockIdentity: string;
  readonly engine: PtpSlave;
  /** The transport's: kernel software timestamps (the addon) or JavaScript readings. */
  readonly timestamps: PtpUdpTransport["timestamps"];
  /** The addon's socket counters (null for node:dgram). */
  transportStats(): ReturnType<PtpUdpTransport["stats"]>;
  /** The unicast negotiation, when `unicastMasters` was given. */
  readonly unicast: PtpUnicastClient | null;
  /** Cancels unicast grants (if any), then closes the sockets. */
  close(): Promise<void>;
}

/** Resolves the interface address of {@link PtpEndpointOptions}. */
export function ptpEndpointAddress(options: PtpEndpointOptions): string {
  if (options.address !== undefined) return options.address;
  if (options.interface !== undefined) return ptpInterfaceAddress(options.interface);
  throw new TypeError("PTP needs an interface or an address");
}

/** Starts a slave; `onSample` gets every exchange, `onState` every state change. */
export async function startPtpSlave(
  options: PtpEndpointOptions &
    PtpSlaveRunOptions & {
      onSample?: (sample: PtpSample) => void;
      onState?: (from: PtpPortState, to: PtpPortState, master: string | null) => void;
      /** Unicast grants and denials. */
      onGrant?: (event: PtpUnicastGrantEvent) => void;
    },
): Promise<PtpSlaveHandle> {
  const clock = options.clock ?? systemClock;
  const clockIdentity = options.clockIdentity ?? randomClockIdentity();
  const domainNumber = options.domain ?? 0;
  const masters = options.unicastMasters ?? [];
  const unicast =
    masters.length === 0
      ? null
      : new PtpUnicastClient({ clockIdentity, domainNumber, masters, durationS: options.unicastDurationS });
  const engine = new PtpSlave({ clockIdentity, domainNumber, unicast: unicast !== null });
  let transport: PtpUdpTransport | null = null;
  const run = (actions: PtpSlaveAction[]) => {
    for (const action of actions) {
      if (action.type === "sample") options.onSample?.(action.sample);
      else if (action.type === "state") options.onState?.(action.from, action.to, action.master);
      else {
        // Unicast: to the selected master's address (no Delay_Req before a master is selected).
        const to = unicast === null ? undefined : (unicast.addressOf(engine.masterPort) ?? masters[0]);
        transport?.send(action.channel, action.bytes, to).then(
          (t3) => engine.delayReqSent(action.sequenceId, t3),
          () => {}, // a lost Delay_Req times out in the engine
        );
      }
    }
  };
  const sends: Promise<unknown>[] = [];
  const negotiate = (actions: PtpUnicastAction[]) => {
    for (const action of actions) {
      if (action.type === "grant") options.onGrant?.(action);
      else if (transport !== null)
        sends.push(transport.send(action.channel, action.bytes, action.destination).catch(() => {}));
    }
    if (sends.length > 16) sends.splice(0, sends.length - 16);
  };
  clock.now(); // anchor the system clock before the first receive timestamp
  transport = await openPtpUdp({
    address: ptpEndpointAddress(options),
    clock,
    eventPort: options.eventPort,
    generalPort: options.generalPort,
    ingressLatencyNs: options.ingressLatencyNs,
    egressLatencyNs: options.egressLatencyNs,
    native: options.native,
    joinGroup: unicast === null,
    onMessage: (bytes, rxTime, channel, source) => {
      if (unicast !== null && channel === "general" && (bytes[0]! & 0x0f) === PtpMessageType.Signaling)
        negotiate(unicast.handleMessage(bytes, source, clock.now()));
      else run(engine.handleMessage(bytes, rxTime));
    },
  });
  run(engine.start());
  const tick = () => {
    const now = clock.now();
    if (unicast !== null) negotiate(unicast.handleTimer(now));
    run(engine.handleTimer(now));
  };
  tick();
  const timer = setInterval(tick, 250);
  const opened = transport;
  let closed = false;
  return {
    clockIdentity,
    engine,
    timestamps: opened.timestamps,
    transportStats: () => opened.stats(),
    unicast,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      if (unicast !== null) {
        negotiate(unicast.cancelAll());
        await Promise.all(sends);
      }
      await opened.close();
    },
  };
}

/** The result of {@link queryPtp}: see {@link summarizePtpSamples}. */
export interface PtpQueryResult {
  /** master − local, UTC (positive: the master is ahead). */
  readonly offsetNs: Duration;
  readonly pathDelayNs: Duration;
  /** The grandmaster's clockIdentity, 16 hex digits. */
  readonly masterIdentity: string;
  /** TAI − UTC applied to the master's timestamps. */
  readonly utcOffsetS: number;
  readonly utcOffsetValid: boolean;
  readonly samples: readonly PtpSample[];
}

function median(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
}

/**
 * Summarizes the samples of one master (the last master's, if it changed) with a
 * minimum-delay filter in the spirit of NTP's clock filter (RFC 5905 §10): with software
 * timestamps the receive latency inflates both the path delay and, by half of it, the
 * offset, so the third of the samples with the lowest path delay (at least one) is kept
 * and the medians of their offsets and delays are returned.
 * @throws {PtpTimeoutError} for no samples.
 */
export function summarizePtpSamples(samples: readonly PtpSample[]): PtpQueryResult {
  const last = samples.at(-1);
  if (last === undefined) throw new PtpTimeoutError("no PTP exchange completed");
  const mine = samples.filter((s) => s.masterIdentity === last.masterIdentity);
  const byDelay = [...mine].sort((a, b) =>
    a.meanPathDelayNs < b.meanPathDelayNs ? -1 : a.meanPathDelayNs > b.meanPathDelayNs ? 1 : 0,
  );
  const best = byDelay.slice(0, Math.max(1, Math.ceil(byDelay.length / 3)));
  return {
    offsetNs: median(best.map((s) => s.offsetNs)),
    pathDelayNs: median(best.map((s) => s.meanPathDelayNs)),
    masterIdentity: last.masterIdentity,
    utcOffsetS: last.utcOffsetS,
    utcOffsetValid: last.utcOffsetValid,
    samples: mine,
  };
}

/**
 * Listens for a PTP master (multicast UDPv4, E2E), measures `samples` exchanges (default
 * 6) or as many as finish within `timeoutMs` (default 12 000), and summarizes them with
 * {@link summarizePtpSamples}. A master announcing every 2 s qualifies after two
 * Announces, so allow ≥ 6 s.
 * @throws {PtpTimeoutError} when no exchange completed in time.
 * @throws {PtpInterfaceNotFoundError} for an unknown interface.
 */
export async function queryPtp(
  options: PtpEndpointOptions & PtpSlaveRunOptions & { timeoutMs?: number; samples?: number },
): Promise<PtpQueryResult> {
  const wanted = options.samples ?? 6;
  const samples: PtpSample[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const handle = await startPtpSlave({
    ...options,
    onSample: (sample) => {
      samples.push(sample);
      if (samples.length >= wanted) done();
    },
  });
  const timer = setTimeout(done, options.timeoutMs ?? 12_000);
  try {
    await finished;
  } finally {
    clearTimeout(timer);
    await handle.close();
  }
  if (samples.length === 0) {
    const state = handle.engine.state;
    throw new PtpTimeoutError(
      `no PTP exchange completed within ${options.timeoutMs ?? 12_000} ms (state ${state})`,
    );
  }
  return summarizePtpSamples(samples);
}
