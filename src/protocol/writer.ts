/**
 * A cursor that writes into one buffer allocated at the packet's exact size. Sizes are computed
 * first (see `vbiLength`, `utf8Length`), so the writes never check bounds.
 */
export class Writer {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
  ) {
    this.pos = pos;
  }

  u8(value: number): void {
    this.buf[this.pos++] = value;
  }

  u16(value: number): void {
    const b = this.buf;
    b[this.pos++] = value >>> 8;
    b[this.pos++] = value & 0xff;
  }

  u32(value: number): void {
    const b = this.buf;
    b[this.pos++] = value >>> 24;
    b[this.pos++] = (value >>> 16) & 0xff;
    b[this.pos++] = (value >>> 8) & 0xff;
    b[this.pos++] = value & 0xff;
  }

  vbi(value: number): void {
    let v = value;
    do {
      let byte = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) byte |= 0x80;
      this.buf[this.pos++] = byte;
    } while (v > 0);
  }

  /**
   * A length-prefixed UTF-8 string. The caller has validated it and sized the buffer (see
   * `utf8Length`); the bytes go in first and the prefix is filled in after, in one pass.
   */
  string(str: string): void {
    const b = this.buf;
    const start = this.pos + 2;
    const n = str.length;
    let i = 0;
    // ASCII: a byte per char, quicker than a call into the encoder for the short strings of MQTT.
    for (; i < n; i++) {
      const c = str.charCodeAt(i);
      if (c >= 0x80) break;
      b[start + i] = c;
    }
    const length = i === n ? n : b.utf8Write(str, start, b.length - start);
    b[start - 2] = length >>> 8;
    b[start - 1] = length & 0xff;
    this.pos = start + length;
  }

  binary(data: Buffer): void {
    this.u16(data.length);
    this.bytes(data);
  }

  bytes(data: Uint8Array): void {
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
}

/** Size of `value` as a Variable Byte Integer (spec 1.5.5). */
export function vbiLength(value: number): number {
  if (value < 128) return 1;
  if (value < 16384) return 2;
  if (value < 2097152) return 3;
  return 4;
}

/** The largest value a Variable Byte Integer holds: 268,435,455 (256 MB). */
export const MAX_VBI = 268435455;
