/**
 * A random clock identity (IEEE 1588-2019 §7.5.2.2): 8 random bytes with the
 * locally-administered bit set, so it never collides with a ptp4l on the same interface
 * (ptp4l derives its identity from the MAC address).
 */
import { randomBytes } from "node:crypto";

/** 16 lowercase hex digits. */
export function randomClockIdentity(): string {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0]! | 0x02) & 0xfe;
  return bytes.toString("hex");
}
