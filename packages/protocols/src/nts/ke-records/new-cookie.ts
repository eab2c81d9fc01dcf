/**
 * New Cookie for NTPv4 (record type 5, not critical): one opaque cookie.
 * @see https://www.rfc-editor.org/rfc/rfc8915#section-4.1.6
 */
import type { NtsKeBodyCodec } from "./body.js";

export interface NtsKeNewCookie {
  type: "new-cookie";
  critical: boolean;
  cookie: Uint8Array;
}

export const newCookieCodec: NtsKeBodyCodec<NtsKeNewCookie> = {
  name: "new-cookie",
  recordType: 5,
  mustBeCritical: false,
  decode: (body, critical) => ({ type: "new-cookie", critical, cookie: body }),
  encode: (r) => r.cookie,
};
