import { malformed } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import type { Reader } from './reader';
import type { PingreqPacket, PingrespPacket, ProtocolLevel } from './types';
import type { Writer } from './writer';

/** PINGREQ and PINGRESP (spec 3.12, 3.13): a fixed header and nothing else, at every level. */

export type PingPacket = PingreqPacket | PingrespPacket;

export function decodePing(r: Reader, type: 'pingreq'): PingreqPacket;
export function decodePing(r: Reader, type: 'pingresp'): PingrespPacket;
export function decodePing(r: Reader, type: PingPacket['type']): PingPacket;
export function decodePing(r: Reader, type: PingPacket['type']): PingPacket {
  // Spec 3.12.2 / 3.13.2: no variable header and no payload, so Remaining Length is 0.
  if (r.remaining() !== 0) throw malformed(`${type.toUpperCase()} with a non-empty body`);
  return { type };
}

export function measurePing(_p: PingPacket, _level: ProtocolLevel, m: Measure): number {
  m.props = 0;
  m.remaining = 0;
  return 0;
}

export function writePing(w: Writer, p: PingPacket, _level: ProtocolLevel, _m: Measure): void {
  writeFixedHeader(w, p.type === 'pingreq' ? 0xc0 : 0xd0, 0);
}
