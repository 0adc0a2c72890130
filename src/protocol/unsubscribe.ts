import { malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, stringLength, writeProperties } from './properties';
import type { Reader } from './reader';
import type { ProtocolLevel, UnsubscribePacket } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * UNSUBSCRIBE (spec 3.10): a packet identifier, 5.0 properties, then one or more topic filters.
 * As in SUBSCRIBE, the filters are only checked to be UTF-8; their syntax is the broker's to judge
 * (it answers 0x8F for that filter in the UNSUBACK).
 */

export function decodeUnsubscribe(r: Reader, level: ProtocolLevel): UnsubscribePacket {
  const packetId = r.u16();
  // [MQTT-2.2.1-3] (3.1.1: [MQTT-2.3.1-1]) an UNSUBSCRIBE carries a non-zero packet identifier.
  if (packetId === 0) throw malformed('UNSUBSCRIBE with packet identifier 0');
  const packet: UnsubscribePacket = { type: 'unsubscribe', packetId, topicFilters: [] };
  if (level === 5) {
    const props = readProperties(r, 'unsubscribe');
    if (props !== undefined) packet.properties = props;
  }
  // [MQTT-3.10.3-2] at least one filter: none is a Protocol Error in 5.0 (spec 3.10.3) and a
  // protocol violation in 3.1.1.
  if (r.remaining() === 0) {
    const message = 'UNSUBSCRIBE with no topic filter';
    throw level === 5 ? protocolError(message) : malformed(message);
  }
  // [MQTT-3.10.3-1] the reader checks the UTF-8.
  while (r.remaining() > 0) packet.topicFilters.push(r.utf8());
  return packet;
}

export function measureUnsubscribe(p: UnsubscribePacket, level: ProtocolLevel, m: Measure): number {
  const id = p.packetId;
  // [MQTT-2.2.1-3] / [MQTT-2.3.1-1]
  if (!Number.isInteger(id) || id < 1 || id > 0xffff)
    throw protocolError('UNSUBSCRIBE needs a packet id 1..65535');
  // [MQTT-3.10.3-2]
  if (p.topicFilters.length === 0) throw protocolError('UNSUBSCRIBE needs at least one topic filter');
  let n = 2;
  for (const filter of p.topicFilters) n += 2 + stringLength(filter);
  m.props = 0;
  if (level === 5) {
    const props = propertiesLength(p.properties, 'unsubscribe');
    m.props = props;
    n += vbiLength(props) + props;
  }
  m.remaining = n;
  return n;
}

export function writeUnsubscribe(w: Writer, p: UnsubscribePacket, level: ProtocolLevel, m: Measure): void {
  // [MQTT-3.10.1-1] the flags are 0010.
  writeFixedHeader(w, 0xa2, m.remaining);
  w.u16(p.packetId);
  if (level === 5) writeProperties(w, p.properties, 'unsubscribe', m.props);
  for (const filter of p.topicFilters) w.string(filter);
}
