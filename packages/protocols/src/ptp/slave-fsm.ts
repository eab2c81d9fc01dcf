/**
 * The slave-only port state machine, IEEE 1588-2019 §9.2.5 (Figure 31, slave-only
 * subset), as a pure function `(state, event) => state` in the manner of linuxptp's
 * `ptp_slave_fsm`.
 */

/** Port states a slave-only port goes through (§8.2.15.3.1). */
export type PtpPortState = "INITIALIZING" | "LISTENING" | "UNCALIBRATED" | "SLAVE";

/**
 * Events: `initialized`; `master-selected` by the BMCA (`changed`: a different master
 * than before, §9.2.6.12 RS_SLAVE); `no-master` (BMCA found none qualified);
 * `announce-timeout` (ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES); `calibrated`
 * (MASTER_CLOCK_SELECTED: enough good exchanges with the master).
 */
export type PtpSlaveEvent =
  | { readonly type: "initialized" }
  | { readonly type: "master-selected"; readonly changed: boolean }
  | { readonly type: "no-master" }
  | { readonly type: "announce-timeout" }
  | { readonly type: "calibrated" };

/** The next state of a slave-only port. */
export function nextSlaveState(state: PtpPortState, event: PtpSlaveEvent): PtpPortState {
  switch (event.type) {
    case "initialized":
      return state === "INITIALIZING" ? "LISTENING" : state;
    case "no-master":
    case "announce-timeout":
      return state === "INITIALIZING" ? state : "LISTENING";
    case "master-selected":
      if (state === "INITIALIZING") return state;
      return state === "LISTENING" || event.changed ? "UNCALIBRATED" : state;
    case "calibrated":
      return state === "UNCALIBRATED" ? "SLAVE" : state;
  }
}
