import { MqttError, malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { PublishObject } from './plain-objects';
import { propertiesLength, readProperties, stringLength, writeProperties } from './properties';
import type { Reader } from './reader';
import { ReasonCode } from './reason-codes';
import type { ProtocolLevel, PublishPacket, QoS } from './types';
import { vbiLength, type Writer } from './writer';

/** PUBLISH (spec 3.3). The payload is a slice of the packet buffer, not a copy. */

export function decodePublish(r: Reader, flags: number, level: ProtocolLevel): PublishPacket {
  const qos = (flags >> 1) & 3;
  // [MQTT-3.3.1-4] a PUBLISH must not have both QoS bits set.
  if (qos === 3) throw malformed('PUBLISH with QoS 3');
  const dup = (flags & 8) !== 0;
  // [MQTT-3.3.1-2] DUP must be 0 for QoS 0 messages.
  if (dup && qos === 0) throw malformed('PUBLISH with DUP set at QoS 0');
  const topic = r.utf8();
  checkTopicName(topic);
  const packet = new PublishObject(topic, EMPTY, qos as QoS, (flags & 1) !== 0, dup);
  if (qos > 0) {
    const id = r.u16();
    // [MQTT-2.2.1-3] QoS 1 and 2 PUBLISH carry a non-zero packet identifier.
    if (id === 0) throw malformed('PUBLISH with packet identifier 0');
    packet.packetId = id;
  }
  if (level === 5) {
    const props = readProperties(r, 'publish');
    if (props !== undefined) packet.properties = props;
  }
  // [MQTT-3.3.2-1] / [MQTT-4.7.3-1] the topic name is present and at least one character long,
  // unless a 5.0 Topic Alias stands for it.
  if (topic.length === 0 && packet.properties?.topicAlias === undefined) {
    throw level === 5
      ? protocolError('PUBLISH with an empty topic and no topic alias')
      : malformed('empty topic');
  }
  packet.payload = r.rest();
  return packet;
}

const EMPTY = Buffer.alloc(0);

/** [MQTT-3.3.2-2] a topic name has no wildcard characters. */
function checkTopicName(topic: string): void {
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x23 || c === 0x2b)
      throw new MqttError(ReasonCode.TopicNameInvalid, 'wildcard in a topic name');
  }
}

/** UTF-8 length of a topic name to send, checked for wildcards in the same pass when ASCII. */
function topicLength(topic: string): number {
  const n = topic.length;
  for (let i = 0; i < n; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x23 || c === 0x2b)
      throw new MqttError(ReasonCode.TopicNameInvalid, 'wildcard in a topic name');
    if (c === 0 || c >= 0x80) {
      checkTopicName(topic);
      return stringLength(topic);
    }
  }
  return n > 0xffff ? stringLength(topic) : n;
}

export function measurePublish(p: PublishPacket, level: ProtocolLevel, m: Measure): number {
  if (p.qos !== 0 && p.qos !== 1 && p.qos !== 2) throw malformed(`invalid QoS ${String(p.qos)}`);
  let n = 2 + topicLength(p.topic) + p.payload.length;
  if (p.qos > 0) {
    // [MQTT-2.2.1-3]
    const id = p.packetId;
    if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff)
      throw protocolError('PUBLISH at QoS > 0 needs a packet id 1..65535');
    n += 2;
  }
  if (level === 5) {
    const props = propertiesLength(p.properties, 'publish');
    m.props = props;
    n += vbiLength(props) + props;
    // [MQTT-3.3.2-1] an empty topic name needs a Topic Alias to stand for it.
    if (p.topic.length === 0 && p.properties?.topicAlias === undefined) {
      throw protocolError('PUBLISH with an empty topic and no topic alias');
    }
  } else if (p.topic.length === 0) {
    throw malformed('empty topic');
  }
  m.remaining = n;
  return n;
}

export function writePublish(w: Writer, p: PublishPacket, level: ProtocolLevel, m: Measure): void {
  // [MQTT-3.3.1-2] DUP is only meaningful, and only sent, at QoS > 0.
  const first = 0x30 | (p.dup && p.qos > 0 ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  writeFixedHeader(w, first, m.remaining);
  w.string(p.topic);
  if (p.qos > 0) w.u16(p.packetId ?? 0);
  if (level === 5) writeProperties(w, p.properties, 'publish', m.props);
  w.bytes(p.payload);
}
