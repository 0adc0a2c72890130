import { type MqttError, malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, stringLength, writeProperties } from './properties';
import type { Reader } from './reader';
import type { ProtocolLevel, QoS, RetainHandling, SubscribePacket, Subscription } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * SUBSCRIBE (spec 3.8): a packet identifier, 5.0 properties, then one or more topic filters, each
 * followed by its options byte. Topic filters are only checked to be UTF-8 here; wildcard
 * placement, an empty filter [MQTT-4.7.3-1] and the shape of `$share/` filters are the broker's to
 * judge, and it answers a bad one with 0x8F (Topic Filter invalid) for that filter alone in the
 * SUBACK rather than closing the connection.
 */

/** Shared subscriptions start with this (spec 4.8.2). */
const SHARE_PREFIX = '$share/';

export function decodeSubscribe(r: Reader, level: ProtocolLevel): SubscribePacket {
  const packetId = r.u16();
  // [MQTT-2.2.1-3] (3.1.1: [MQTT-2.3.1-1]) a SUBSCRIBE carries a non-zero packet identifier.
  if (packetId === 0) throw malformed('SUBSCRIBE with packet identifier 0');
  const packet: SubscribePacket = { type: 'subscribe', packetId, subscriptions: [] };
  if (level === 5) {
    const props = readProperties(r, 'subscribe');
    if (props !== undefined) packet.properties = props;
  }
  // [MQTT-3.8.3-2] at least one filter: a SUBSCRIBE with no payload is a Protocol Error (spec
  // 3.8.3); 3.1.1 [MQTT-3.8.3-3] calls it a protocol violation and closes the connection.
  if (r.remaining() === 0) throw emptyError(level);
  while (r.remaining() > 0) packet.subscriptions.push(readSubscription(r, level));
  return packet;
}

function emptyError(level: ProtocolLevel): MqttError {
  const message = 'SUBSCRIBE with no topic filter';
  return level === 5 ? protocolError(message) : malformed(message);
}

function readSubscription(r: Reader, level: ProtocolLevel): Subscription {
  // [MQTT-3.8.3-1] the reader checks the UTF-8 [MQTT-1.5.4-1] / [MQTT-1.5.4-2].
  const topicFilter = r.utf8();
  const options = r.u8();
  const qos = options & 3;
  if (level !== 5) {
    // 3.1.1 [MQTT-3-8.3-4]: bits 2-7 are reserved and 0, and the QoS is 0, 1 or 2, else malformed.
    if ((options & 0xfc) !== 0) throw malformed('SUBSCRIBE with reserved option bits set');
    if (qos === 3) throw malformed('SUBSCRIBE with QoS 3');
    return { topicFilter, qos: qos as QoS, noLocal: false, retainAsPublished: false, retainHandling: 0 };
  }
  // [MQTT-3.8.3-5] bits 6 and 7 of the options are reserved: non-zero is a malformed packet.
  if ((options & 0xc0) !== 0) throw malformed('SUBSCRIBE with reserved option bits set');
  // Spec 3.8.3.1: a Maximum QoS of 3 is a Protocol Error.
  if (qos === 3) throw protocolError('SUBSCRIBE with maximum QoS 3');
  const retainHandling = (options >> 4) & 3;
  // Spec 3.8.3.1: a Retain Handling of 3 is a Protocol Error.
  if (retainHandling === 3) throw protocolError('SUBSCRIBE with retain handling 3');
  const noLocal = (options & 4) !== 0;
  // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
  if (noLocal && topicFilter.startsWith(SHARE_PREFIX)) {
    throw protocolError('SUBSCRIBE with No Local on a shared subscription');
  }
  return {
    topicFilter,
    qos: qos as QoS,
    noLocal,
    retainAsPublished: (options & 8) !== 0,
    retainHandling: retainHandling as RetainHandling,
  };
}

/** The checks `readSubscription` makes, applied before sending, with the same reason codes. */
function checkSubscription(s: Subscription, level: ProtocolLevel): void {
  if (s.qos !== 0 && s.qos !== 1 && s.qos !== 2) {
    const message = `SUBSCRIBE with invalid QoS ${String(s.qos)}`;
    throw level === 5 ? protocolError(message) : malformed(message); // spec 3.8.3.1 / [MQTT-3-8.3-4]
  }
  if (level !== 5) return;
  if (s.retainHandling !== 0 && s.retainHandling !== 1 && s.retainHandling !== 2) {
    throw protocolError(`SUBSCRIBE with invalid retain handling ${String(s.retainHandling)}`); // spec 3.8.3.1
  }
  if (s.noLocal && s.topicFilter.startsWith(SHARE_PREFIX)) {
    throw protocolError('SUBSCRIBE with No Local on a shared subscription'); // [MQTT-3.8.3-4]
  }
}

export function measureSubscribe(p: SubscribePacket, level: ProtocolLevel, m: Measure): number {
  const id = p.packetId;
  // [MQTT-2.2.1-3] / [MQTT-2.3.1-1]
  if (!Number.isInteger(id) || id < 1 || id > 0xffff)
    throw protocolError('SUBSCRIBE needs a packet id 1..65535');
  // [MQTT-3.8.3-2] / 3.1.1 [MQTT-3.8.3-3]
  if (p.subscriptions.length === 0) throw protocolError('SUBSCRIBE needs at least one subscription');
  let n = 2;
  for (const s of p.subscriptions) {
    checkSubscription(s, level);
    n += 2 + stringLength(s.topicFilter) + 1;
  }
  m.props = 0;
  if (level === 5) {
    const props = propertiesLength(p.properties, 'subscribe');
    m.props = props;
    n += vbiLength(props) + props;
  }
  m.remaining = n;
  return n;
}

/** The options byte (spec 3.8.3.1); at levels 3 and 4 only the QoS bits exist. */
function optionsByte(s: Subscription, level: ProtocolLevel): number {
  if (level !== 5) return s.qos;
  return s.qos | (s.noLocal ? 4 : 0) | (s.retainAsPublished ? 8 : 0) | (s.retainHandling << 4);
}

export function writeSubscribe(w: Writer, p: SubscribePacket, level: ProtocolLevel, m: Measure): void {
  // [MQTT-3.8.1-1] the flags are 0010.
  writeFixedHeader(w, 0x82, m.remaining);
  w.u16(p.packetId);
  if (level === 5) writeProperties(w, p.properties, 'subscribe', m.props);
  for (const s of p.subscriptions) {
    w.string(s.topicFilter);
    w.u8(optionsByte(s, level));
  }
}
