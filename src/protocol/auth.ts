import { protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, writeProperties } from './properties';
import type { Reader } from './reader';
import { isReasonCodeAllowed } from './reason-codes';
import type { AuthPacket, ProtocolLevel } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * AUTH (spec 3.15), MQTT 5.0 only: the dispatcher and the encoder refuse it at other levels.
 * Whether the Authentication Method is present and matches the CONNECT's [MQTT-4.12.0-5] is the
 * engine's to check: the codec cannot, since a Success AUTH may have an empty body (spec 3.15.2.1).
 */

export function decodeAuth(r: Reader, _level: ProtocolLevel): AuthPacket {
  const packet: AuthPacket = { type: 'auth', reasonCode: 0 };
  // Spec 3.15.2.1: Remaining Length 0 means 0x00 (Success) and no properties. Otherwise both the
  // reason code and the Property Length are present.
  if (r.remaining() === 0) return packet;
  const code = r.u8();
  // [MQTT-3.15.2-1] one of the Authenticate Reason Codes.
  if (!isReasonCodeAllowed('auth', code)) throw protocolError(`AUTH with reason code 0x${code.toString(16)}`);
  packet.reasonCode = code;
  const props = readProperties(r, 'auth');
  if (props !== undefined) packet.properties = props;
  return packet;
}

export function measureAuth(p: AuthPacket, _level: ProtocolLevel, m: Measure): number {
  // [MQTT-3.15.2-1]
  if (!isReasonCodeAllowed('auth', p.reasonCode)) {
    throw protocolError(`AUTH cannot carry reason code ${String(p.reasonCode)}`);
  }
  const props = propertiesLength(p.properties, 'auth');
  m.props = props;
  // The shortest form (spec 3.15.2.1): an empty body for Success with no properties.
  const n = p.reasonCode === 0 && props === 0 ? 0 : 1 + vbiLength(props) + props;
  m.remaining = n;
  return n;
}

export function writeAuth(w: Writer, p: AuthPacket, _level: ProtocolLevel, m: Measure): void {
  writeFixedHeader(w, 0xf0, m.remaining);
  if (m.remaining === 0) return;
  w.u8(p.reasonCode);
  writeProperties(w, p.properties, 'auth', m.props);
}
