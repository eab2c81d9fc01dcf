/**
 * Kiss-o'-death packets (RFC 5905 §7.4): a reply with stratum 0 whose reference id holds
 * a four-letter ASCII "kiss code" instead of time. A client must not take time from it;
 * RATE asks it to poll less often, DENY and RSTR to stop using the server.
 *
 * Pure functions.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.4
 */
import type { NtpHeader } from "./header.js";
import { referenceIdAscii } from "./reference-id.js";

/** The kiss codes of RFC 5905 Figure 13, plus NTSN of RFC 8915 §5.7, with their meaning. */
export const NTP_KISS_CODES: Readonly<Record<string, string>> = {
  ACST: "The association belongs to a unicast server.",
  AUTH: "Server authentication failed.",
  AUTO: "Autokey sequence failed.",
  BCST: "The association belongs to a broadcast server.",
  CRYP: "Cryptographic authentication or identification failed.",
  DENY: "Access denied by remote server.",
  DROP: "Lost peer in symmetric mode.",
  RSTR: "Access denied due to local policy.",
  INIT: "The association has not yet synchronized for the first time.",
  MCST: "The association belongs to a dynamically discovered server.",
  NKEY: "No key found. Either the key was never installed or is not trusted.",
  NTSN: "NTS negative-acknowledgment: the server could not validate the NTS cookie.",
  RATE: "Rate exceeded. The server has temporarily denied access because the client exceeded the rate threshold.",
  RMOT: "Alteration of association from a remote host running ntpdc.",
  STEP: "A step change in system time has occurred, but the association has not yet resynchronized.",
};

/** What a client does on a kiss: back off (RATE), stop (DENY, RSTR), or just drop it. */
export type NtpKissAction = "backoff" | "stop" | "ignore";

/**
 * The kiss code of a packet: its reference id as ASCII (trailing NULs dropped) when the
 * stratum is 0, else null. A stratum-0 id that is not printable ASCII (e.g. all zeros,
 * as in client requests and from unsynchronized servers) is no kiss code: null too.
 * @see https://www.rfc-editor.org/rfc/rfc5905#section-7.4
 */
export function kissCodeOf(packet: Pick<NtpHeader, "stratum" | "referenceId">): string | null {
  return packet.stratum === 0 ? referenceIdAscii(packet.referenceId >>> 0) : null;
}

/**
 * The client's action on a kiss code (RFC 5905 §7.4): RATE → `backoff`, DENY and
 * RSTR → `stop`, anything else → `ignore` (the packet is not a time sample).
 */
export function kissActionOf(code: string): NtpKissAction {
  switch (code) {
    case "RATE":
      return "backoff";
    case "DENY":
    case "RSTR":
      return "stop";
    default:
      return "ignore";
  }
}
