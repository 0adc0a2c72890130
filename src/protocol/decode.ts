import { decodeAck } from './acks';
import { decodeAuth } from './auth';
import { decodeConnack } from './connack';
import { decodeConnect } from './connect';
import { decodeDisconnect } from './disconnect';
import { malformed, protocolError } from './errors';
import { decodePing } from './ping';
import { decodePublish } from './publish';
import { Reader } from './reader';
import { decodeSuback } from './suback';
import { decodeSubscribe } from './subscribe';
import type { Packet, ProtocolLevel } from './types';
import { decodeUnsuback } from './unsuback';
import { decodeUnsubscribe } from './unsubscribe';

/**
 * Decodes one packet body. `first` is the fixed header's first byte; the body is
 * `buf[start, end)` (the Remaining Length bytes). A CONNECT carries its own protocol level; every
 * other packet is decoded at `level`.
 */
export function decodeBody(
  first: number,
  buf: Buffer,
  start: number,
  end: number,
  level: ProtocolLevel,
): Packet {
  const type = first >> 4;
  const flags = first & 0x0f;
  const r = new Reader(buf, start, end);
  let packet: Packet;
  if (type === 3) {
    packet = decodePublish(r, flags, level);
    r.done();
    return packet;
  }
  // [MQTT-2.1.3-1] the flag bits other than PUBLISH's are fixed: 0010 for PUBREL, SUBSCRIBE and
  // UNSUBSCRIBE, 0000 for the rest; anything else is a malformed packet.
  const expected = type === 6 || type === 8 || type === 10 ? 2 : 0;
  if (flags !== expected)
    throw malformed(`invalid fixed header flags 0x${flags.toString(16)} for packet type ${type}`);
  switch (type) {
    case 1:
      packet = decodeConnect(r, level);
      break;
    case 2:
      packet = decodeConnack(r, level);
      break;
    case 4:
      packet = decodeAck(r, 'puback', level);
      break;
    case 5:
      packet = decodeAck(r, 'pubrec', level);
      break;
    case 6:
      packet = decodeAck(r, 'pubrel', level);
      break;
    case 7:
      packet = decodeAck(r, 'pubcomp', level);
      break;
    case 8:
      packet = decodeSubscribe(r, level);
      break;
    case 9:
      packet = decodeSuback(r, level);
      break;
    case 10:
      packet = decodeUnsubscribe(r, level);
      break;
    case 11:
      packet = decodeUnsuback(r, level);
      break;
    case 12:
      packet = decodePing(r, 'pingreq');
      break;
    case 13:
      packet = decodePing(r, 'pingresp');
      break;
    case 14:
      packet = decodeDisconnect(r, level);
      break;
    case 15:
      // AUTH exists only in 5.0; at 3.1.x type 15 is reserved.
      if (level !== 5) throw malformed('AUTH packet before MQTT 5.0');
      packet = decodeAuth(r, level);
      break;
    default:
      // [MQTT-2.1.2] type 0 is reserved.
      throw malformed(`reserved packet type ${type}`);
  }
  r.done();
  return packet;
}

/**
 * Decodes exactly one complete packet held in `buf` (fixed header included). For a stream, use
 * `FrameDecoder`. Throws `MqttError` if `buf` is not exactly one well-formed packet.
 */
export function decodePacket(buf: Buffer, level: ProtocolLevel): Packet {
  if (buf.length < 2) throw malformed('packet shorter than a fixed header');
  const header = new Reader(buf, 1, buf.length);
  const remaining = header.vbi();
  if (header.pos + remaining !== buf.length) {
    throw malformed(
      `remaining length ${remaining} does not match the ${buf.length - header.pos} bytes given`,
    );
  }
  return decodeBody(buf[0] as number, buf, header.pos, buf.length, level);
}

/** [MQTT-3.1.0-1] / [MQTT-3.1.0-2] on a new connection, only a single CONNECT comes first. */
export function requireConnectFirst(first: number): void {
  if (first >> 4 !== 1) throw protocolError('the first packet on a connection must be CONNECT');
}
