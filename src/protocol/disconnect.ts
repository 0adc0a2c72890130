import { malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, writeProperties } from './properties';
import type { Reader } from './reader';
import { isReasonCodeAllowed } from './reason-codes';
import type { DisconnectPacket, ProtocolLevel } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * DISCONNECT (spec 3.14). In 5.0 an optional reason code and property list; at levels 3 and 4 an
 * empty body. Which side may send which property (the Server never sends a Session Expiry
 * Interval [MQTT-3.14.2-2]) is the engine's to check.
 */

export function decodeDisconnect(r: Reader, level: ProtocolLevel): DisconnectPacket {
  const packet: DisconnectPacket = { type: 'disconnect', reasonCode: 0 };
  const left = r.remaining();
  if (level !== 5) {
    // 3.1.1 spec 3.14.2 / 3.14.3: no variable header and no payload.
    if (left !== 0) throw malformed('DISCONNECT with a non-empty body');
    return packet;
  }
  // Spec 3.14.2.1: Remaining Length 0 means 0x00 (Normal disconnection) and no properties; below 2
  // there is no Property Length.
  if (left === 0) return packet;
  const code = r.u8();
  // [MQTT-3.14.2-1] one of the DISCONNECT Reason Codes.
  if (!isReasonCodeAllowed('disconnect', code)) {
    throw protocolError(`DISCONNECT with reason code 0x${code.toString(16)}`);
  }
  packet.reasonCode = code;
  if (left === 1) return packet;
  const props = readProperties(r, 'disconnect');
  if (props !== undefined) packet.properties = props;
  return packet;
}

export function measureDisconnect(p: DisconnectPacket, level: ProtocolLevel, m: Measure): number {
  let n = 0;
  m.props = 0;
  if (level === 5) {
    // [MQTT-3.14.2-1]
    if (!isReasonCodeAllowed('disconnect', p.reasonCode)) {
      throw protocolError(`DISCONNECT cannot carry reason code ${String(p.reasonCode)}`);
    }
    const props = propertiesLength(p.properties, 'disconnect');
    m.props = props;
    // The shortest form (spec 3.14.2.1): no properties, and no reason code either when it is 0.
    if (props > 0) n = 1 + vbiLength(props) + props;
    else if (p.reasonCode !== 0) n = 1;
  }
  m.remaining = n;
  return n;
}

export function writeDisconnect(w: Writer, p: DisconnectPacket, level: ProtocolLevel, m: Measure): void {
  writeFixedHeader(w, 0xe0, m.remaining);
  if (level !== 5 || m.remaining === 0) return;
  w.u8(p.reasonCode);
  if (m.props > 0) writeProperties(w, p.properties, 'disconnect', m.props);
}
