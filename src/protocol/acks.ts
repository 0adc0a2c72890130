import { malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { AckObject } from './plain-objects';
import { propertiesLength, readProperties, writeProperties } from './properties';
import type { Reader } from './reader';
import { isReasonCodeAllowed } from './reason-codes';
import type { ProtocolLevel, PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (spec 3.4 to 3.7): a packet identifier and, in 5.0, an
 * optional reason code and property list. They share one shape and one codec.
 */

export type AckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;
export type AckType = AckPacket['type'];

/** First byte of the fixed header; PUBREL's flags are 0010 [MQTT-3.6.1-1]. */
const FIRST_BYTE: Readonly<Record<AckType, number>> = {
  puback: 0x40,
  pubrec: 0x50,
  pubrel: 0x62,
  pubcomp: 0x70,
};

/** The rule that each packet carries one of its own reason codes. */
const REASON_RULE: Readonly<Record<AckType, string>> = {
  puback: 'MQTT-3.4.2-1',
  pubrec: 'MQTT-3.5.2-1',
  pubrel: 'MQTT-3.6.2-1',
  pubcomp: 'MQTT-3.7.2-1',
};

function name(type: AckType): string {
  return type.toUpperCase();
}

export function decodeAck(r: Reader, type: 'puback', level: ProtocolLevel): PubackPacket;
export function decodeAck(r: Reader, type: 'pubrec', level: ProtocolLevel): PubrecPacket;
export function decodeAck(r: Reader, type: 'pubrel', level: ProtocolLevel): PubrelPacket;
export function decodeAck(r: Reader, type: 'pubcomp', level: ProtocolLevel): PubcompPacket;
export function decodeAck(r: Reader, type: AckType, level: ProtocolLevel): AckPacket;
export function decodeAck(r: Reader, type: AckType, level: ProtocolLevel): AckPacket {
  const packetId = r.u16();
  // [MQTT-2.2.1-5] (3.1.1: [MQTT-2.3.1-6]) an ack carries the identifier of its PUBLISH, which
  // is never 0 ([MQTT-2.2.1-3], [MQTT-2.2.1-4]; 3.1.1 [MQTT-2.3.1-1]).
  if (packetId === 0) throw malformed(`${name(type)} with packet identifier 0`);
  const packet = new AckObject(type, packetId, 0);
  // Levels 3 and 4: the packet identifier is all there is; the dispatcher rejects extra bytes.
  if (level !== 5) return packet;
  // Spec 3.4.2.1: Remaining Length 2 means reason code 0 (Success) and no properties; below 4
  // there is no Property Length and no properties.
  const left = r.remaining();
  if (left === 0) return packet;
  const code = r.u8();
  if (!isReasonCodeAllowed(type, code)) {
    throw protocolError(`${name(type)} with reason code 0x${code.toString(16)} [${REASON_RULE[type]}]`);
  }
  packet.reasonCode = code;
  if (left === 1) return packet;
  const props = readProperties(r, type);
  if (props !== undefined) packet.properties = props;
  return packet;
}

export function measureAck(p: AckPacket, level: ProtocolLevel, m: Measure): number {
  const id = p.packetId;
  // [MQTT-2.2.1-5] / [MQTT-2.3.1-6] the identifier of a PUBLISH: 1..65535.
  if (!Number.isInteger(id) || id < 1 || id > 0xffff) {
    throw protocolError(`${name(p.type)} needs a packet id 1..65535`);
  }
  let n = 2;
  m.props = 0;
  if (level === 5) {
    if (!isReasonCodeAllowed(p.type, p.reasonCode)) {
      throw protocolError(
        `${name(p.type)} cannot carry reason code ${String(p.reasonCode)} [${REASON_RULE[p.type]}]`,
      );
    }
    const props = propertiesLength(p.properties, p.type);
    m.props = props;
    // The shortest form: no properties, and no reason code either when it is 0 (spec 3.4.2.1).
    if (props > 0) n += 1 + vbiLength(props) + props;
    else if (p.reasonCode !== 0) n += 1;
  }
  m.remaining = n;
  return n;
}

export function writeAck(w: Writer, p: AckPacket, level: ProtocolLevel, m: Measure): void {
  writeFixedHeader(w, FIRST_BYTE[p.type], m.remaining);
  w.u16(p.packetId);
  if (level !== 5 || m.remaining === 2) return;
  w.u8(p.reasonCode);
  if (m.props > 0) writeProperties(w, p.properties, p.type, m.props);
}
