/**
 * Runs the {@link PtpMaster} engine on the UDPv4 transport: `servePtp` serves the given
 * clock (default the system clock) as a two-step E2E master until closed.
 */
import { systemClock } from "@chronosync/core";
import { randomClockIdentity } from "./identity.js";
import { PtpMaster, type PtpMasterOptions, type PtpMasterSend } from "./master.js";
import { type PtpEndpointOptions, ptpEndpointAddress } from "./slave-runner.js";
import { openPtpUdp, type PtpUdpTransport } from "./udp-transport.js";

export interface PtpServeOptions
  extends PtpEndpointOptions,
    Omit<PtpMasterOptions, "clockIdentity" | "domainNumber"> {}

export interface PtpServerHandle {
  readonly clockIdentity: string;
  readonly engine: PtpMaster;
  /** Messages sent so far, by kind. */
  readonly sent: Record<PtpMasterSend["kind"], number>;
  /** The transport's: kernel software timestamps (the addon) or JavaScript readings. */
  readonly timestamps: PtpUdpTransport["timestamps"];
  /** The addon's socket counters (null for node:dgram). */
  transportStats(): ReturnType<PtpUdpTransport["stats"]>;
  close(): Promise<void>;
}

/**
 * Serves PTP as a master-only ordinary clock on an interface (IEEE 1588-2019, UDPv4,
 * two-step, E2E). Timestamps are software ones — the kernel's through the addon, else read
 * in JavaScript — carried over to `clock`, plus `currentUtcOffset` (TAI).
 */
export async function servePtp(options: PtpServeOptions): Promise<PtpServerHandle> {
  const clock = options.clock ?? systemClock;
  const clockIdentity = options.clockIdentity ?? randomClockIdentity();
  const engine = new PtpMaster({ ...options, clockIdentity, domainNumber: options.domain ?? 0 });
  const sent: PtpServerHandle["sent"] = { announce: 0, sync: 0, "follow-up": 0, "delay-resp": 0 };
  let transport: PtpUdpTransport | null = null;
  let closed = false;
  const run = (actions: PtpMasterSend[]) => {
    for (const action of actions) {
      transport?.send(action.channel, action.bytes).then(
        (txTime) => {
          sent[action.kind]++;
          if (action.kind === "sync") run(engine.syncSent(action.sequenceId, txTime));
        },
        () => {},
      );
    }
  };
  clock.now();
  transport = await openPtpUdp({
    address: ptpEndpointAddress(options),
    clock,
    eventPort: options.eventPort,
    generalPort: options.generalPort,
    ingressLatencyNs: options.ingressLatencyNs,
    egressLatencyNs: options.egressLatencyNs,
    native: options.native,
    onMessage: (bytes, rxTime) => run(engine.handleMessage(bytes, rxTime)),
  });
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    if (closed) return;
    run(engine.handleTimer(clock.now()));
    const next = engine.nextTimerAt;
    const delayMs = next === null ? 0 : Number(next - clock.now()) / 1e6;
    timer = setTimeout(tick, Math.max(1, Math.min(1000, delayMs)));
  };
  tick();
  const opened = transport;
  return {
    clockIdentity,
    engine,
    sent,
    timestamps: opened.timestamps,
    transportStats: () => opened.stats(),
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      await transport?.close();
    },
  };
}
