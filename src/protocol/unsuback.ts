import { malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, writeProperties } from './properties';
import type { Reader } from './reader';
import { isReasonCodeAllowed } from './reason-codes';
import type { ProtocolLevel, UnsubackPacket } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * UNSUBACK (spec 3.11): a packet identifier, then in 5.0 properties and one reason code per topic
 * filter of the UNSUBSCRIBE. At levels 3 and 4 it is the packet identifier alone, so
 * `reasonCodes` decodes as [] and is not sent.
 */

export function decodeUnsuback(r: Reader, level: ProtocolLevel): UnsubackPacket {
  const packetId = r.u16();
  // [MQTT-2.2.1-6] (3.1.1: [MQTT-2.3.1-7]) the identifier of the UNSUBSCRIBE, which is never 0.
  if (packetId === 0) throw malformed('UNSUBACK with packet identifier 0');
  const packet: UnsubackPacket = { type: 'unsuback', packetId, reasonCodes: [] };
  // Levels 3 and 4: Remaining Length 2; the dispatcher rejects extra bytes.
  if (level !== 5) return packet;
  const props = readProperties(r, 'unsuback');
  if (props !== undefined) packet.properties = props;
  // Spec 3.11.3: a reason code for each filter, and an UNSUBSCRIBE has at least one [MQTT-3.10.3-2].
  if (r.remaining() === 0) throw protocolError('UNSUBACK with no reason code');
  while (r.remaining() > 0) {
    const code = r.u8();
    // [MQTT-3.11.3-2] one of the Unsubscribe Reason Codes.
    if (!isReasonCodeAllowed('unsuback', code))
      throw protocolError(`UNSUBACK with reason code 0x${code.toString(16)}`);
    packet.reasonCodes.push(code);
  }
  return packet;
}

export function measureUnsuback(p: UnsubackPacket, level: ProtocolLevel, m: Measure): number {
  const id = p.packetId;
  // [MQTT-2.2.1-6] / [MQTT-2.3.1-7]
  if (!Number.isInteger(id) || id < 1 || id > 0xffff)
    throw protocolError('UNSUBACK needs a packet id 1..65535');
  let n = 2;
  m.props = 0;
  if (level === 5) {
    // Spec 3.11.3 / [MQTT-3.11.3-2]
    if (p.reasonCodes.length === 0) throw protocolError('UNSUBACK needs at least one reason code');
    for (const code of p.reasonCodes) {
      if (!isReasonCodeAllowed('unsuback', code)) {
        throw protocolError(`UNSUBACK cannot carry reason code ${String(code)}`);
      }
    }
    const props = propertiesLength(p.properties, 'unsuback');
    m.props = props;
    n += vbiLength(props) + props + p.reasonCodes.length;
  }
  m.remaining = n;
  return n;
}

export function writeUnsuback(w: Writer, p: UnsubackPacket, level: ProtocolLevel, m: Measure): void {
  writeFixedHeader(w, 0xb0, m.remaining);
  w.u16(p.packetId);
  if (level !== 5) return;
  writeProperties(w, p.properties, 'unsuback', m.props);
  for (const code of p.reasonCodes) w.u8(code);
}
