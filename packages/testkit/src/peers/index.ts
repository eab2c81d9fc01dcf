export {
  createSelfSignedCertificate,
  type SelfSignedCertificate,
  selfSignedCertificateArgs,
} from "./certificate.js";
export {
  type ChronydHandle,
  type ChronydOneShotOptions,
  type ChronydOneShotResult,
  type ChronydRelayOptions,
  type ChronydServerOptions,
  chronydOneShot,
  startChronydRelay,
  startChronydServer,
} from "./chronyd.js";
export { findFreeUdpPort } from "./free-port.js";
export { type Netns, withNetns } from "./netns.js";
export { type NtpProbeReply, probeNtp } from "./ntp-probe.js";
export { type SpawnedNtpServer, spawnNtpServer, startSystemNtpServer } from "./ntp-server.js";
export {
  ensurePeerPrograms,
  findProgram,
  LIBFAKETIME,
  missingPeerPackages,
  requireProgram,
} from "./programs.js";
