/**
 * A light MQTT frame scanner for the load generator and the byte forwarder. It reads only fixed
 * headers (the first byte and the Remaining Length) and hands each complete packet to a sink as
 * offsets into the buffer, with no decoding and no allocation per packet. The sink reads the few
 * fields it needs (packet id, payload sequence number) in place.
 */

export interface FrameSink {
  /** One complete packet: `first` is its first byte; its body is `buf[body, end)`. */
  packet(buf: Buffer, first: number, body: number, end: number): void;
}

/** MQTT packet types, as the high nibble of the first byte: the codec's own table. */
export { PacketType } from '../../src/protocol/types';

export class Framer {
  /** The start of a packet whose end has not arrived yet. */
  private rest: Buffer | undefined;

  /** Bytes held for an incomplete packet. */
  get buffered(): number {
    return this.rest?.length ?? 0;
  }

  /**
   * Feeds one chunk, calls `sink.packet` for every packet it completes, and returns the bytes of
   * those complete packets (the held partial packet joined in front), for a forwarder to pass on.
   */
  push(chunk: Buffer, sink: FrameSink): Buffer {
    let buf = chunk;
    if (this.rest !== undefined) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
    }
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      let i = pos + 1;
      let remaining = 0;
      let multiplier = 1;
      let complete = false;
      while (i < len) {
        const byte = buf[i++] ?? 0;
        remaining += (byte & 0x7f) * multiplier;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        multiplier *= 128;
        if (multiplier > 128 ** 3) throw new Error('malformed Remaining Length');
      }
      if (!complete || i + remaining > len) break;
      sink.packet(buf, buf[pos] ?? 0, i, i + remaining);
      pos = i + remaining;
    }
    if (pos < len) this.rest = buf.subarray(pos);
    return pos === len ? buf : buf.subarray(0, pos);
  }
}

/** The two-byte packet id at `offset`. */
export function readId(buf: Buffer, offset: number): number {
  return ((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0);
}

/** Writes a four-byte acknowledgement (`first`, 2, id) at `offset`; returns the next offset. */
export function writeAck(buf: Buffer, offset: number, first: number, id: number): number {
  buf[offset] = first;
  buf[offset + 1] = 2;
  buf[offset + 2] = id >> 8;
  buf[offset + 3] = id & 0xff;
  return offset + 4;
}
