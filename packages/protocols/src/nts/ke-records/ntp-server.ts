/**
 * NTPv4 Server Negotiation (record type 6): the NTP server to use, an ASCII host name or
 * IP address literal (we accept printable ASCII without spaces).
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.7
 */
import { InvalidArgumentError } from "@chronosync/core";
import { NtsKeDecodeError } from "../../errors.js";
import type { NtsKeBodyCodec } from "./body.js";

export interface NtsKeNtpServer {
  type: "ntp-server";
  critical: boolean;
  server: string;
}

export const ntpServerCodec: NtsKeBodyCodec<NtsKeNtpServer> = {
  name: "ntp-server",
  recordType: 6,
  mustBeCritical: false,
  decode(body, critical) {
    if (body.length === 0) throw new NtsKeDecodeError("bad-body", "empty NTPv4 Server Negotiation");
    for (const c of body) {
      if (c < 0x21 || c > 0x7e)
        throw new NtsKeDecodeError("bad-body", "NTPv4 server name is not printable ASCII");
    }
    return { type: "ntp-server", critical, server: String.fromCharCode(...body) };
  },
  encode(r) {
    if (!/^[\x21-\x7e]+$/.test(r.server))
      throw new InvalidArgumentError("NTPv4 server must be printable ASCII");
    return Uint8Array.from(r.server, (c) => c.charCodeAt(0));
  },
};
