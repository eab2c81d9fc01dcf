/**
 * `system` (also `system://`): the local system clock itself, the last resort of a fallback
 * chain (issue 6 §5: "NTS → NTP → HTTPS → the local system clock"). A clock cannot be
 * measured against itself, so a sample says only this: offset 0, no round trip, and an
 * uncertainty nobody measured — `?maxerror=` ms, by default 16 s, the kernel's
 * `NTP_PHASE_LIMIT` that `adjtimex` reports as maxerror for a clock no daemon disciplines.
 * Its leap indicator is 3 (alarm: not synchronized), as an NTP server's would be in the
 * same state, so the agent counts the source as answering but never selects it: the
 * virtual clock keeps its last estimate and its bound grows as in holdover (or stays
 * unsynchronized when nothing else was ever heard). To use a system clock that chronyd
 * disciplines, take chronyd's own view instead: `local`.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.3 (LI 3: clock unsynchronized)
 */
import { NS_PER_MS, systemClock } from "@chronosync/core";
import { TimeSourceUrlError } from "../errors.js";
import { closedGuard } from "./closed.js";
import type { MeasureOptions, TimeSample, TimeSource, TimeSourceOptions } from "./types.js";
import type { TimeSourceUrl } from "./url.js";

/** The uncertainty of a `system` sample unless `?maxerror=` says otherwise, ns (16 s). */
export const SYSTEM_DEFAULT_MAX_ERROR_NS = 16_000n * NS_PER_MS;

/** chrony's reference id of an undisciplined local reference, "LOCL". */
const LOCL = 0x4c4f434c;

class SystemTimeSource implements TimeSource {
  readonly protocol = "system";
  readonly url: string;
  readonly #guard = closedGuard(() => this.url);

  constructor(
    private readonly now: () => bigint,
    private readonly maxErrorNs: bigint,
  ) {
    this.url =
      maxErrorNs === SYSTEM_DEFAULT_MAX_ERROR_NS ? "system" : `system?maxerror=${maxErrorNs / NS_PER_MS}`;
  }

  async measure(_options?: MeasureOptions): Promise<TimeSample> {
    this.#guard.check();
    return {
      protocol: "system",
      source: this.url,
      address: null,
      offsetNs: 0n,
      delayNs: 0n,
      dispersionNs: this.maxErrorNs,
      uncertaintyNs: this.maxErrorNs,
      stratum: null,
      leap: 3,
      referenceId: LOCL,
      refId: "LOCL",
      rootDelayNs: null,
      rootDispersionNs: null,
      authenticated: false,
      at: this.now(),
    };
  }

  async close(): Promise<void> {
    this.#guard.close();
  }
}

/**
 * The factory of `system` / `system://`: no host, no path, one optional parameter
 * `maxerror` (whole milliseconds, 1..86 400 000).
 */
export function createSystemTimeSource(url: TimeSourceUrl, options: TimeSourceOptions): TimeSource {
  if (url.host !== "" || url.port !== null || (url.path !== "" && url.path !== "/"))
    throw new TimeSourceUrlError(url.input, "system takes no host, port or path (write `system`)");
  let maxErrorNs = SYSTEM_DEFAULT_MAX_ERROR_NS;
  for (const [name, value] of url.params) {
    if (name !== "maxerror")
      throw new TimeSourceUrlError(url.input, `unknown parameter ${JSON.stringify(name)}`);
    const ms = /^[0-9]{1,8}$/.test(value) ? Number(value) : Number.NaN;
    if (!(ms >= 1 && ms <= 86_400_000))
      throw new TimeSourceUrlError(url.input, "maxerror must be whole milliseconds in 1..86400000");
    maxErrorNs = BigInt(ms) * NS_PER_MS;
  }
  const clock = options.clock ?? systemClock;
  return new SystemTimeSource(() => clock.now(), maxErrorNs);
}
