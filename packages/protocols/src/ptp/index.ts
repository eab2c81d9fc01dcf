/**
 * PTP (IEEE 1588-2019) over UDPv4 with the end-to-end delay mechanism: the wire codec
 * (one file per message under `messages/`), the pure slave and master engines, the
 * multicast transport, `queryPtp` and `servePtp`. See docs/ptp.md.
 */
export * from "./bmca.js";
export * from "./e2e.js";
export { randomClockIdentity } from "./identity.js";
export * from "./master.js";
export * from "./master-runner.js";
export * from "./messages/announce.js";
export * from "./messages/delay-req.js";
export * from "./messages/delay-resp.js";
export * from "./messages/follow-up.js";
export * from "./messages/header.js";
export * from "./messages/management.js";
export * from "./messages/message.js";
export * from "./messages/signaling.js";
export * from "./messages/sync.js";
export * from "./messages/tlv.js";
export type { PtpSocketStats } from "./native-transport.js";
export * from "./slave.js";
export * from "./slave-fsm.js";
export * from "./slave-runner.js";
export * from "./udp-transport.js";
export * from "./unicast-client.js";
export * from "./utc-offset.js";
