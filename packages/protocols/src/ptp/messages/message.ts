/**
 * Any PTP message: decode by `messageType`, encode by `kind`. Malformed bytes throw
 * {@link PtpDecodeError}; well-formed messages this codec does not handle (another PTP
 * version, peer-delay, reserved types) come back as a tagged skip, as
 * linuxptp tells `-EBADMSG` from `-EPROTO`. IEEE 1588-2019 §13. Pure.
 */
import { decodeAnnounce, encodeAnnounce, type PtpAnnounce } from "./announce.js";
import { decodeDelayReq, encodeDelayReq, type PtpDelayReq } from "./delay-req.js";
import { decodeDelayResp, encodeDelayResp, type PtpDelayResp } from "./delay-resp.js";
import { decodeFollowUp, encodeFollowUp, type PtpFollowUp } from "./follow-up.js";
import { decodePtpHeader, PTP_VERSION, type PtpHeader, PtpMessageType } from "./header.js";
import { decodeManagement, encodeManagement, type PtpManagement } from "./management.js";
import { decodeSignaling, encodeSignaling, type PtpSignaling } from "./signaling.js";
import { decodeSync, encodeSync, type PtpSync } from "./sync.js";

/** A decoded message, tagged by `kind`. */
export type PtpMessage =
  | ({ kind: "sync" } & PtpSync)
  | ({ kind: "delay-req" } & PtpDelayReq)
  | ({ kind: "follow-up" } & PtpFollowUp)
  | ({ kind: "delay-resp" } & PtpDelayResp)
  | ({ kind: "announce" } & PtpAnnounce)
  | ({ kind: "management" } & PtpManagement)
  | ({ kind: "signaling" } & PtpSignaling);

/** Why a well-formed message is skipped. */
export type PtpSkipReason = "unsupported-version" | "unsupported-message-type";

/** The result of {@link decodePtpMessage}. */
export type PtpDecodeResult =
  | { readonly kind: "message"; readonly message: PtpMessage }
  | { readonly kind: "skip"; readonly reason: PtpSkipReason; readonly header: PtpHeader };

/**
 * Decodes one PTP message from a UDP payload (bytes after `messageLength` are ignored).
 * @throws {PtpDecodeError} for malformed bytes (never any other error).
 */
export function decodePtpMessage(bytes: Uint8Array): PtpDecodeResult {
  const header = decodePtpHeader(bytes);
  if (header.versionPTP !== PTP_VERSION) return { kind: "skip", reason: "unsupported-version", header };
  const message = decodeBody(bytes, header);
  return message === null
    ? { kind: "skip", reason: "unsupported-message-type", header }
    : { kind: "message", message };
}

function decodeBody(bytes: Uint8Array, header: PtpHeader): PtpMessage | null {
  switch (header.messageType) {
    case PtpMessageType.Sync:
      return { kind: "sync", ...decodeSync(bytes, header) };
    case PtpMessageType.Delay_Req:
      return { kind: "delay-req", ...decodeDelayReq(bytes, header) };
    case PtpMessageType.Follow_Up:
      return { kind: "follow-up", ...decodeFollowUp(bytes, header) };
    case PtpMessageType.Delay_Resp:
      return { kind: "delay-resp", ...decodeDelayResp(bytes, header) };
    case PtpMessageType.Announce:
      return { kind: "announce", ...decodeAnnounce(bytes, header) };
    case PtpMessageType.Management:
      return { kind: "management", ...decodeManagement(bytes, header) };
    case PtpMessageType.Signaling:
      return { kind: "signaling", ...decodeSignaling(bytes, header) };
    default:
      return null;
  }
}

/** Encodes any {@link PtpMessage}; the header's messageType and messageLength follow the message. */
export function encodePtpMessage(message: PtpMessage): Uint8Array {
  switch (message.kind) {
    case "sync":
      return encodeSync(message);
    case "delay-req":
      return encodeDelayReq(message);
    case "follow-up":
      return encodeFollowUp(message);
    case "delay-resp":
      return encodeDelayResp(message);
    case "announce":
      return encodeAnnounce(message);
    case "management":
      return encodeManagement(message);
    case "signaling":
      return encodeSignaling(message);
  }
}
