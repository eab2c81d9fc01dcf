/**
 * Splitting a TCP byte stream into Roughtime packets: each is framed by "ROUGHTIM" and
 * its uint32 length, so packets follow one another with nothing between. Pure.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */
import { RoughtimeDecodeError } from "../errors.js";
import { concatBytes, readU32 } from "./bytes.js";
import { ROUGHTIME_FRAMING_LENGTH, ROUGHTIME_MAGIC } from "./packet.js";

/** Largest message accepted on a stream (a response or request is a few KiB at most). */
export const ROUGHTIME_MAX_STREAM_MESSAGE = 65_536;

/** Accumulates stream bytes and yields whole packets (framing included). */
export class RoughtimeStreamDecoder {
  private buffered: Uint8Array = new Uint8Array(0);

  /**
   * Adds `chunk`; returns the packets now complete, in order. Throws
   * RoughtimeDecodeError (`bad-magic`, or `bad-length` past
   * {@link ROUGHTIME_MAX_STREAM_MESSAGE}): the stream cannot be resynchronized.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.buffered = this.buffered.length === 0 ? chunk.slice() : concatBytes(this.buffered, chunk);
    const packets: Uint8Array[] = [];
    while (this.buffered.length >= 8) {
      for (let i = 0; i < 8; i++)
        if (this.buffered[i] !== ROUGHTIME_MAGIC[i])
          throw new RoughtimeDecodeError("bad-magic", "stream is not at a ROUGHTIM packet");
      if (this.buffered.length < ROUGHTIME_FRAMING_LENGTH) break;
      const length = readU32(this.buffered, 8);
      if (length > ROUGHTIME_MAX_STREAM_MESSAGE)
        throw new RoughtimeDecodeError("bad-length", `message of ${length} bytes on a stream`);
      const total = ROUGHTIME_FRAMING_LENGTH + length;
      if (this.buffered.length < total) break;
      packets.push(this.buffered.slice(0, total));
      this.buffered = this.buffered.subarray(total);
    }
    return packets;
  }

  /** Bytes received but not yet a whole packet. */
  get pending(): number {
    return this.buffered.length;
  }
}
