/**
 * End of Message (record type 0, critical, empty body): closes every NTS-KE message.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.1
 */
import { NtsKeDecodeError } from "../../errors.js";
import type { NtsKeBodyCodec } from "./body.js";

export interface NtsKeEndOfMessage {
  type: "end-of-message";
  critical: boolean;
}

export const endOfMessageCodec: NtsKeBodyCodec<NtsKeEndOfMessage> = {
  name: "end-of-message",
  recordType: 0,
  mustBeCritical: true,
  decode(body, critical) {
    if (body.length !== 0) throw new NtsKeDecodeError("bad-body", "End of Message with a body");
    return { type: "end-of-message", critical };
  },
  encode: () => new Uint8Array(0),
};
