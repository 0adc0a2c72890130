import { isUtf8 } from 'node:buffer';
import { malformed } from './errors';

/**
 * UTF-8 Encoded Strings (spec 1.5.4). Ill-formed UTF-8 (including encoded surrogates) and U+0000
 * make a packet malformed. ASCII, the common case, is checked and decoded without leaving JS.
 */

/** Decodes bytes [start, end) of `buf` as a strict MQTT UTF-8 string. */
export function decodeUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= SHORT) return decodeShort(buf, start, end);
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (byte === 0) throw malformed('UTF-8 string contains U+0000'); // [MQTT-1.5.4-2]
    if (byte >= 0x80) return decodeNonAscii(buf, start, end, i);
  }
  return buf.latin1Slice(start, end);
}

/** Below this length building the string in JS beats a call into the runtime. */
const SHORT = 10;

function decodeShort(buf: Buffer, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (byte === 0) throw malformed('UTF-8 string contains U+0000'); // [MQTT-1.5.4-2]
    if (byte >= 0x80) return decodeNonAscii(buf, start, end, i);
    s += String.fromCharCode(byte);
  }
  return s;
}

function decodeNonAscii(buf: Buffer, start: number, end: number, from: number): string {
  // [MQTT-1.5.4-1] ill-formed UTF-8, overlong forms and UTF-16 surrogates are malformed.
  if (!isUtf8(buf.subarray(from, end))) throw malformed('ill-formed UTF-8 string');
  for (let i = from; i < end; i++) {
    if (buf[i] === 0) throw malformed('UTF-8 string contains U+0000'); // [MQTT-1.5.4-2]
  }
  return buf.utf8Slice(start, end);
}

/**
 * The UTF-8 length of `str`, checking on the way that it can be sent: no U+0000 and no lone
 * surrogate, which would otherwise be replaced silently by U+FFFD.
 */
export function utf8Length(str: string): number {
  const n = str.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) throw malformed('string contains U+0000'); // [MQTT-1.5.4-2]
      continue;
    }
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = str.charCodeAt(i + 1);
      // [MQTT-1.5.4-1] a lone surrogate has no UTF-8 form.
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff))
        throw malformed('string contains a lone surrogate');
      bytes += 2; // the pair: 2 UTF-16 units, 4 bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
