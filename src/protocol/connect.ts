import { MqttError, malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, stringLength, writeProperties } from './properties';
import type { Reader } from './reader';
import { ReasonCode } from './reason-codes';
import type { ConnectPacket, ProtocolLevel, QoS, Will } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * CONNECT (spec 3.1). The packet carries its own protocol name and level, so the level the
 * connection is decoded or encoded at is ignored: MQTT 3.1 is `MQIsdp` level 3, 3.1.1 is `MQTT`
 * level 4 and 5.0 is `MQTT` level 5. The will payload and password are slices of the packet buffer.
 *
 * Spec ids differ between versions; where they do, both are given as "5.0 id / 3.1.1 id".
 */

const FLAG_USERNAME = 0x80;
const FLAG_PASSWORD = 0x40;
const FLAG_WILL_RETAIN = 0x20;
const FLAG_WILL_QOS = 0x18;
const FLAG_WILL = 0x04;
const FLAG_CLEAN_START = 0x02;
const FLAG_RESERVED = 0x01;

export function decodeConnect(r: Reader, _level: ProtocolLevel): ConnectPacket {
  const name = r.utf8();
  const level = r.u8();
  const protocolLevel = checkProtocol(name, level);
  const flags = r.u8();
  // [MQTT-3.1.2-3] the reserved flag must be 0; if it is not, the packet is malformed (spec 3.1.2.3).
  if ((flags & FLAG_RESERVED) !== 0) throw malformed('CONNECT reserved flag is set');
  const hasWill = (flags & FLAG_WILL) !== 0;
  const willQos = (flags & FLAG_WILL_QOS) >> 3;
  const willRetain = (flags & FLAG_WILL_RETAIN) !== 0;
  if (!hasWill) {
    // [MQTT-3.1.2-11] / [MQTT-3.1.2-13] no will: Will QoS must be 0.
    if (willQos !== 0) throw malformed('CONNECT will QoS set without a will');
    // [MQTT-3.1.2-13] / [MQTT-3.1.2-15] no will: Will Retain must be 0.
    if (willRetain) throw malformed('CONNECT will retain set without a will');
  }
  // [MQTT-3.1.2-12] / [MQTT-3.1.2-14] a Will QoS of 3 is a Malformed Packet (spec 3.1.2.6).
  if (willQos === 3) throw malformed('CONNECT will QoS 3');
  const hasUsername = (flags & FLAG_USERNAME) !== 0;
  const hasPassword = (flags & FLAG_PASSWORD) !== 0;
  // [MQTT-3.1.2-22] (3.1.1) a password needs a user name; 5.0 allows one alone (spec 3.1.2.9).
  if (hasPassword && !hasUsername && protocolLevel !== 5) {
    throw malformed('CONNECT password without a user name');
  }
  const keepAlive = r.u16();
  const packet: ConnectPacket = {
    type: 'connect',
    protocolName: protocolLevel === 3 ? 'MQIsdp' : 'MQTT',
    protocolLevel,
    clientId: '',
    cleanStart: (flags & FLAG_CLEAN_START) !== 0,
    keepAlive,
  };
  if (protocolLevel === 5) {
    const props = readProperties(r, 'connect');
    if (props !== undefined) {
      checkAuthentication(props.authenticationMethod, props.authenticationData);
      packet.properties = props;
    }
  }
  // [MQTT-3.1.3-1] payload order: Client Identifier, Will (properties, topic, payload), User Name,
  // Password. [MQTT-3.1.3-3] the Client Identifier is always present.
  packet.clientId = r.utf8();
  if (hasWill) {
    const props = protocolLevel === 5 ? readProperties(r, 'will') : undefined;
    const topic = r.utf8();
    checkWillTopic(topic);
    const will: Will = { topic, payload: r.binary(), qos: willQos as QoS, retain: willRetain };
    if (props !== undefined) will.properties = props;
    packet.will = will;
  }
  if (hasUsername) packet.username = r.utf8();
  if (hasPassword) packet.password = r.binary();
  return packet;
}

/**
 * The name and level must agree: `MQTT` with 4 or 5, `MQIsdp` with 3. Another name is not MQTT at
 * all (a protocol error); a known name at a level this codec does not speak gets 0x84, so the
 * broker can answer CONNACK 0x84 (5.0) or return code 1 (3.1.x).
 */
function checkProtocol(name: string, level: number): ProtocolLevel {
  // [MQTT-3.1.2-1] the protocol name is "MQTT" (or "MQIsdp" for 3.1).
  if (name !== 'MQTT' && name !== 'MQIsdp') {
    throw protocolError(`unknown protocol name ${JSON.stringify(name)}`);
  }
  if (name === 'MQTT' && (level === 4 || level === 5)) return level;
  if (name === 'MQIsdp' && level === 3) return 3;
  // [MQTT-3.1.2-2] an unsupported protocol level: CONNACK 0x84 / return code 1, then close.
  throw new MqttError(
    ReasonCode.UnsupportedProtocolVersion,
    `unsupported protocol level ${level} for ${name}`,
  );
}

/**
 * A will topic is a topic name: at least one character [MQTT-4.7.3-1] and no wildcards
 * [MQTT-4.7.0-1]. Both give 0x90 Topic Name Invalid, the CONNACK reason code the spec has for a
 * Will Topic the server does not accept (spec 3.2.2.2), so a broker can say why it refused.
 */
function checkWillTopic(topic: string): void {
  if (topic.length === 0) throw new MqttError(ReasonCode.TopicNameInvalid, 'empty will topic');
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x23 || c === 0x2b) {
      throw new MqttError(ReasonCode.TopicNameInvalid, 'wildcard in the will topic');
    }
  }
}

/** Authentication Data without an Authentication Method is a Protocol Error (spec 3.1.2.11.10). */
function checkAuthentication(method: string | undefined, data: Buffer | undefined): void {
  if (data !== undefined && method === undefined) {
    throw protocolError('CONNECT authentication data without an authentication method');
  }
}

function binaryLength(data: unknown, what: string): number {
  if (!Buffer.isBuffer(data)) throw malformed(`CONNECT ${what} must be a Buffer`);
  // Binary Data (spec 1.5.6) has a 2-byte length prefix.
  if (data.length > 0xffff) throw malformed(`CONNECT ${what} longer than 65,535 bytes`);
  return data.length;
}

export function measureConnect(p: ConnectPacket, _level: ProtocolLevel, m: Measure): number {
  const level = p.protocolLevel;
  if (level !== 3 && level !== 4 && level !== 5) {
    throw new MqttError(ReasonCode.UnsupportedProtocolVersion, `unsupported protocol level ${String(level)}`);
  }
  // [MQTT-3.1.2-1] the name goes with the level: MQIsdp for 3.1, MQTT for 3.1.1 and 5.0.
  const name = level === 3 ? 'MQIsdp' : 'MQTT';
  if (p.protocolName !== name) {
    throw protocolError(`protocol name ${p.protocolName} does not match level ${level}`);
  }
  const keepAlive = p.keepAlive;
  if (!Number.isInteger(keepAlive) || keepAlive < 0 || keepAlive > 0xffff) {
    throw malformed(`keep alive must be 0..65535, got ${String(keepAlive)}`);
  }
  if (typeof p.clientId !== 'string') throw malformed('CONNECT client id must be a string');
  // Variable header: name (2 + 4 or 6), level, flags, keep alive.
  let n = 2 + name.length + 1 + 1 + 2;
  m.props = 0;
  m.willProps = 0;
  if (level === 5) {
    checkAuthentication(p.properties?.authenticationMethod, p.properties?.authenticationData);
    const props = propertiesLength(p.properties, 'connect');
    m.props = props;
    n += vbiLength(props) + props;
  }
  // [MQTT-3.1.3-3] the Client Identifier is always present.
  n += 2 + stringLength(p.clientId);
  const will = p.will;
  if (will !== undefined) {
    // [MQTT-3.1.2-12] / [MQTT-3.1.2-14] Will QoS is 0, 1 or 2.
    if (will.qos !== 0 && will.qos !== 1 && will.qos !== 2) {
      throw malformed(`invalid will QoS ${String(will.qos)}`);
    }
    if (typeof will.topic !== 'string') throw malformed('CONNECT will topic must be a string');
    checkWillTopic(will.topic);
    if (level === 5) {
      const props = propertiesLength(will.properties, 'will');
      m.willProps = props;
      n += vbiLength(props) + props;
    }
    n += 2 + stringLength(will.topic) + 2 + binaryLength(will.payload, 'will payload');
  }
  if (p.username !== undefined) {
    if (typeof p.username !== 'string') throw malformed('CONNECT user name must be a string');
    n += 2 + stringLength(p.username);
  }
  if (p.password !== undefined) {
    // [MQTT-3.1.2-22] (3.1.1) a password needs a user name; 5.0 allows one alone.
    if (p.username === undefined && level !== 5) throw malformed('CONNECT password without a user name');
    n += 2 + binaryLength(p.password, 'password');
  }
  m.remaining = n;
  return n;
}

export function writeConnect(w: Writer, p: ConnectPacket, _level: ProtocolLevel, m: Measure): void {
  const level = p.protocolLevel;
  const will = p.will;
  let flags = p.cleanStart ? FLAG_CLEAN_START : 0;
  if (will !== undefined) flags |= FLAG_WILL | (will.qos << 3) | (will.retain ? FLAG_WILL_RETAIN : 0);
  if (p.username !== undefined) flags |= FLAG_USERNAME;
  if (p.password !== undefined) flags |= FLAG_PASSWORD;
  writeFixedHeader(w, 0x10, m.remaining);
  w.string(level === 3 ? 'MQIsdp' : 'MQTT');
  w.u8(level);
  w.u8(flags);
  w.u16(p.keepAlive);
  if (level === 5) writeProperties(w, p.properties, 'connect', m.props);
  w.string(p.clientId);
  if (will !== undefined) {
    if (level === 5) writeProperties(w, will.properties, 'will', m.willProps);
    w.string(will.topic);
    w.binary(will.payload);
  }
  if (p.username !== undefined) w.string(p.username);
  if (p.password !== undefined) w.binary(p.password);
}
