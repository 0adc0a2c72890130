/**
 * A tiny assembler for hand-written packets, independent of the codec under test. Every helper
 * returns hex; `frame` adds the fixed header with the Remaining Length worked out from the body, so
 * a malformed case differs from a valid packet only where it means to.
 */

function clean(hex: string): string {
  const h = hex.replace(/\s+/g, '').toLowerCase();
  if (!/^([0-9a-f]{2})*$/.test(h)) throw new Error(`not hex bytes: ${hex}`);
  return h;
}

function byteLength(hex: string): number {
  return clean(hex).length / 2;
}

/** A Variable Byte Integer, shortest form (spec 1.5.5). */
export function vbi(n: number): string {
  let v = n;
  let out = '';
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out += byte.toString(16).padStart(2, '0');
  } while (v > 0);
  return out;
}

export function u8(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function u16(n: number): string {
  return n.toString(16).padStart(4, '0');
}

export function u32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A UTF-8 string with its 2-byte length (spec 1.5.4). */
export function str(s: string): string {
  const b = Buffer.from(s, 'utf8');
  return u16(b.length) + b.toString('hex');
}

/** Raw bytes with a 2-byte length: a string field holding exactly these (maybe invalid) bytes. */
export function raw(hex: string): string {
  return u16(byteLength(hex)) + clean(hex);
}

/** A property list: its Variable Byte Integer length, then the properties. */
export function props(...properties: string[]): string {
  const body = clean(properties.join(''));
  return vbi(body.length / 2) + body;
}

/** A whole packet: first byte, Remaining Length from the body, body. */
export function frame(first: number, ...body: string[]): Buffer {
  const b = clean(body.join(''));
  return Buffer.from(u8(first) + vbi(b.length / 2) + b, 'hex');
}

/** Bytes from hex with spaces, for fixed headers written out in full. */
export function hex(s: string): Buffer {
  return Buffer.from(clean(s), 'hex');
}

export interface ConnectBody {
  name?: string;
  level?: number;
  flags?: number;
  keepAlive?: number;
  /** The 5.0 property list, already assembled; defaults to empty at level 5. */
  properties?: string;
  /** The payload: client id and what the flags announce, already assembled. */
  payload?: string;
}

/** A CONNECT body. By default: `MQTT`, level 4, Clean Start, keep alive 60, client id `c`. */
export function connectBody(c: ConnectBody = {}): string {
  const level = c.level ?? 4;
  const properties = c.properties ?? (level === 5 ? props() : '');
  return (
    str(c.name ?? 'MQTT') +
    u8(level) +
    u8(c.flags ?? 0x02) +
    u16(c.keepAlive ?? 60) +
    properties +
    (c.payload ?? str('c'))
  );
}
