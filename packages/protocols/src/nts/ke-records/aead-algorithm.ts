/**
 * AEAD Algorithm Negotiation (record type 4, critical bit optional): a list of u16 AEAD
 * ids (IANA registry; 15 is AEAD_AES_SIV_CMAC_256). A server's empty list means none of
 * the client's was acceptable.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.5
 */
import { decodeU16List, encodeU16List, type NtsKeBodyCodec } from "./body.js";

export interface NtsKeAeadAlgorithm {
  type: "aead-algorithm";
  critical: boolean;
  algorithms: number[];
}

export const aeadAlgorithmCodec: NtsKeBodyCodec<NtsKeAeadAlgorithm> = {
  name: "aead-algorithm",
  recordType: 4,
  mustBeCritical: false,
  decode: (body, critical) => ({
    type: "aead-algorithm",
    critical,
    algorithms: decodeU16List(body, "AEAD Algorithm"),
  }),
  encode: (r) => encodeU16List(r.algorithms, "AEAD id"),
};
