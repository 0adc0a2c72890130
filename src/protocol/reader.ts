import { malformed } from './errors';
import { decodeUtf8 } from './utf8';

/**
 * A cursor over one packet's bytes. Every read checks the bounds and throws a malformed-packet
 * `MqttError` on underrun, so packet decoders read as plain field lists.
 */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw malformed('packet ends early');
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw malformed('packet ends early');
    this.pos = p + 2;
    return ((this.buf[p] as number) << 8) | (this.buf[p + 1] as number);
  }

  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw malformed('packet ends early');
    this.pos = p + 4;
    const b = this.buf;
    return (
      (b[p] as number) * 0x1000000 +
      (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number))
    );
  }

  /** Variable Byte Integer (spec 1.5.5): at most 4 bytes, in the minimum number of bytes. */
  vbi(): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        // [MQTT-1.5.5-1] the encoding must be the shortest one: no trailing zero continuation.
        if (byte === 0 && i > 0) throw malformed('variable byte integer is not minimally encoded');
        return value;
      }
      multiplier *= 128;
    }
    throw malformed('variable byte integer longer than 4 bytes'); // [MQTT-1.5.5-1]
  }

  utf8(): string {
    const len = this.u16();
    const start = this.pos;
    if (start + len > this.end) throw malformed('string runs past the end of the packet');
    this.pos = start + len;
    return decodeUtf8(this.buf, start, start + len);
  }

  /** Binary Data (spec 1.5.6): a slice of the packet buffer, not a copy. */
  binary(): Buffer {
    const len = this.u16();
    const start = this.pos;
    if (start + len > this.end) throw malformed('binary data runs past the end of the packet');
    this.pos = start + len;
    return this.buf.subarray(start, start + len);
  }

  /** The rest of the packet (a PUBLISH payload), as a slice. */
  rest(): Buffer {
    const start = this.pos;
    this.pos = this.end;
    return this.buf.subarray(start, this.end);
  }

  /** Every packet decoder ends here: bytes left over mean the lengths disagree. */
  done(): void {
    if (this.pos !== this.end) throw malformed('unexpected bytes at the end of the packet');
  }
}
