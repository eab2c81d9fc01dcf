/**
 * NTPv4 Port Negotiation (record type 7): the UDP port of the NTP server, one u16.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.8
 */
import { decodeOneU16, encodeU16List, type NtsKeBodyCodec } from "./body.js";

export interface NtsKeNtpPort {
  type: "ntp-port";
  critical: boolean;
  port: number;
}

export const ntpPortCodec: NtsKeBodyCodec<NtsKeNtpPort> = {
  name: "ntp-port",
  recordType: 7,
  mustBeCritical: false,
  decode: (body, critical) => ({ type: "ntp-port", critical, port: decodeOneU16(body, "NTPv4 Port") }),
  encode: (r) => encodeU16List([r.port], "NTPv4 port"),
};
