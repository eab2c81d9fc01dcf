/**
 * Error (record type 2, critical): one u16 code; 0 unrecognized critical record,
 * 1 bad request, 2 internal server error.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.3
 */
import { decodeOneU16, encodeU16List, type NtsKeBodyCodec } from "./body.js";

export interface NtsKeErrorRecord {
  type: "error";
  critical: boolean;
  errorCode: number;
}

export const errorCodec: NtsKeBodyCodec<NtsKeErrorRecord> = {
  name: "error",
  recordType: 2,
  mustBeCritical: true,
  decode: (body, critical) => ({ type: "error", critical, errorCode: decodeOneU16(body, "Error") }),
  encode: (r) => encodeU16List([r.errorCode], "error code"),
};
