import type { Packet, ProtocolLevel, QoS } from '../../src/protocol';
import { decodePacket, encodePacket } from '../../src/protocol';

/**
 * Pre-encoded packets for the load generator, all built with our codec. A PUBLISH template is
 * encoded once; the generator then patches its packet id and the payload's publisher index,
 * sequence number and send time in place.
 *
 * Payload layout (little-endian): publisher index u32, sequence number u32, send time f64 (ms on
 * the shared monotonic clock), then zero padding up to the payload size.
 */

export const PAYLOAD_HEADER = 16;

export interface PublishTemplate {
  bytes: Buffer;
  /** Offset of the packet id, or -1 at QoS 0. */
  idOffset: number;
  /** Offset of the payload. */
  payloadOffset: number;
}

export function publishTemplate(
  topic: string,
  qos: QoS,
  payloadSize: number,
  level: ProtocolLevel,
): PublishTemplate {
  const size = Math.max(PAYLOAD_HEADER, payloadSize);
  const packet: Packet = {
    type: 'publish',
    topic,
    payload: Buffer.alloc(size),
    qos,
    retain: false,
    dup: false,
  };
  if (qos > 0) packet.packetId = 1;
  const bytes = encodePacket(packet, level);
  const payloadOffset = bytes.length - size;
  // Fixed header, topic, packet id, then (at 5.0) a one-byte empty property list.
  const idOffset = qos === 0 ? -1 : payloadOffset - 2 - (level === 5 ? 1 : 0);
  const template = { bytes, idOffset, payloadOffset };
  checkTemplate(template, topic, qos, level);
  return template;
}

/** Patches a copy and decodes it with our decoder, so a wrong offset fails before any timing. */
function checkTemplate(t: PublishTemplate, topic: string, qos: QoS, level: ProtocolLevel): void {
  const copy = Buffer.from(t.bytes);
  if (t.idOffset >= 0) copy.writeUInt16BE(0x1234, t.idOffset);
  copy.writeUInt32LE(7, t.payloadOffset);
  copy.writeUInt32LE(99, t.payloadOffset + 4);
  const p = decodePacket(copy, level);
  const ok =
    p.type === 'publish' &&
    p.topic === topic &&
    p.qos === qos &&
    (qos === 0 || p.packetId === 0x1234) &&
    p.payload.readUInt32LE(0) === 7 &&
    p.payload.readUInt32LE(4) === 99;
  if (!ok) throw new Error(`PUBLISH template for ${topic} does not decode as patched`);
}

export function connectBytes(clientId: string, level: ProtocolLevel): Buffer {
  return encodePacket(
    { type: 'connect', protocolName: 'MQTT', protocolLevel: level, clientId, cleanStart: true, keepAlive: 0 },
    level,
  );
}

export function subscribeBytes(filter: string, qos: QoS, level: ProtocolLevel): Buffer {
  return encodePacket(
    {
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: filter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    },
    level,
  );
}

export function disconnectBytes(level: ProtocolLevel): Buffer {
  return encodePacket({ type: 'disconnect', reasonCode: 0 }, level);
}

/** First bytes of the four-byte acknowledgements the generator writes with `writeAck`. */
export const AckFirst = { puback: 0x40, pubrec: 0x50, pubrel: 0x62, pubcomp: 0x70 } as const;

/** Checks that our codec encodes each success acknowledgement as the four bytes `writeAck` writes. */
export function checkAckTemplates(level: ProtocolLevel): void {
  for (const type of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
    const bytes = encodePacket({ type, packetId: 0x0102, reasonCode: 0 }, level);
    const expected = Buffer.from([AckFirst[type], 2, 1, 2]);
    if (!bytes.equals(expected)) throw new Error(`${type} encodes as ${bytes.toString('hex')}`);
  }
}
