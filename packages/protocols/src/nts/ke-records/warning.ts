/**
 * Warning (record type 3, critical): one u16 code; none are defined yet.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.4
 */
import { decodeOneU16, encodeU16List, type NtsKeBodyCodec } from "./body.js";

export interface NtsKeWarning {
  type: "warning";
  critical: boolean;
  warningCode: number;
}

export const warningCodec: NtsKeBodyCodec<NtsKeWarning> = {
  name: "warning",
  recordType: 3,
  mustBeCritical: true,
  decode: (body, critical) => ({ type: "warning", critical, warningCode: decodeOneU16(body, "Warning") }),
  encode: (r) => encodeU16List([r.warningCode], "warning code"),
};
