/**
 * NTS Next Protocol Negotiation (record type 1, critical): a list of u16 protocol ids;
 * 0 is NTPv4. A server's empty list means none of the client's was acceptable.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.2
 */
import { decodeU16List, encodeU16List, type NtsKeBodyCodec } from "./body.js";

export interface NtsKeNextProtocol {
  type: "next-protocol";
  critical: boolean;
  protocols: number[];
}

export const nextProtocolCodec: NtsKeBodyCodec<NtsKeNextProtocol> = {
  name: "next-protocol",
  recordType: 1,
  mustBeCritical: true,
  decode: (body, critical) => ({
    type: "next-protocol",
    critical,
    protocols: decodeU16List(body, "Next Protocol"),
  }),
  encode: (r) => encodeU16List(r.protocols, "protocol id"),
};
