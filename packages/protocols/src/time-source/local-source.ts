/**
 * `local`: chronyd's own state (`chronyc tracking`) through its command protocol. The
 * offset is chronyd's estimate of true time minus the system clock (its "System time"
 * correction still to apply); the uncertainty is chronyd's maximum error, root delay / 2
 * + root dispersion (chronyc's documented bound). Where chronyd listens:
 * - `local` or `local:///path/to/chronyd.sock`: the Unix socket (default
 *   `/run/chrony/chronyd.sock`, needs the native addon);
 * - `local://host:port`: the UDP command port (chronyd's default 127.0.0.1:323).
 * @see https://chrony-project.org/doc/4.3/chronyc.html#tracking
 */
import { NS_PER_S, systemClock } from "@chronosync/core";
import { CHRONYD_DEFAULT_SOCKET, type ChronydTarget, queryChronyd } from "../chrony-cmd/client.js";
import { formatReferenceId } from "../ntp/reference-id.js";
import { closedGuard } from "./closed.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import { formatAuthority, requireHost, type TimeSourceUrl } from "./url.js";

export const CHRONYD_CMD_PORT = 323;

const ns = (seconds: number) => BigInt(Math.round(seconds * Number(NS_PER_S)));

class LocalTimeSource implements TimeSource {
  readonly protocol = "local";
  readonly #guard = closedGuard(() => this.url);
  constructor(
    readonly url: string,
    private readonly target: ChronydTarget,
    private readonly now: () => bigint,
    private readonly timeoutMs: number,
  ) {}

  async measure(options: MeasureOptions = {}): Promise<TimeSample> {
    this.#guard.check();
    const t = await queryChronyd(this.target, "tracking", { timeoutMs: options.timeoutMs ?? this.timeoutMs });
    const at = this.now();
    const rootDelayNs = ns(t.rootDelayS);
    const rootDispersionNs = ns(t.rootDispersionS);
    return {
      protocol: "local",
      source: this.url,
      address: "socketPath" in this.target ? this.target.socketPath : this.target.host,
      offsetNs: ns(t.currentCorrectionS),
      delayNs: 0n,
      dispersionNs: rootDispersionNs,
      uncertaintyNs: rootDelayNs / 2n + rootDispersionNs,
      stratum: t.stratum,
      leap: t.leapStatus,
      referenceId: t.refId,
      refId: formatReferenceId(t.stratum, t.refId),
      rootDelayNs,
      rootDispersionNs,
      authenticated: false,
      at,
    };
  }

  async close(): Promise<void> {
    this.#guard.close();
  }
}

/** The factory of `local`. */
export function createLocalTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const timeoutMs = options.timeoutMs ?? 1000;
  if (url.host === "") {
    const socketPath = url.path === "" ? CHRONYD_DEFAULT_SOCKET : url.path;
    return new LocalTimeSource(
      url.path === "" ? "local" : `local://${socketPath}`,
      { socketPath },
      now,
      timeoutMs,
    );
  }
  const host = requireHost(url);
  const port = url.port ?? CHRONYD_CMD_PORT;
  return new LocalTimeSource(`local://${formatAuthority(host, port)}`, { host, port }, now, timeoutMs);
}
