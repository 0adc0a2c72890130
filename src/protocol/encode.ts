import { measureAck, writeAck } from './acks';
import { measureAuth, writeAuth } from './auth';
import { measureConnack, writeConnack } from './connack';
import { measureConnect, writeConnect } from './connect';
import { measureDisconnect, writeDisconnect } from './disconnect';
import { MqttError, malformed } from './errors';
import { type Measure, newMeasure, totalLength } from './fixed-header';
import { measurePing, writePing } from './ping';
import { measurePublish, writePublish } from './publish';
import { ReasonCode } from './reason-codes';
import { measureSuback, writeSuback } from './suback';
import { measureSubscribe, writeSubscribe } from './subscribe';
import { assertNever, type Packet, type ProtocolLevel } from './types';
import { measureUnsuback, writeUnsuback } from './unsuback';
import { measureUnsubscribe, writeUnsubscribe } from './unsubscribe';
import { MAX_VBI, Writer } from './writer';

/**
 * Encoding: the exact size is worked out first, then the packet is written into one allocation.
 * At levels 3 and 4 what only 5.0 has (properties, reason codes) is left out, so one packet object
 * can be sent to clients of every level.
 */

function measure(p: Packet, level: ProtocolLevel, m: Measure): number {
  switch (p.type) {
    case 'connect':
      return measureConnect(p, level, m);
    case 'connack':
      return measureConnack(p, level, m);
    case 'publish':
      return measurePublish(p, level, m);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return measureAck(p, level, m);
    case 'subscribe':
      return measureSubscribe(p, level, m);
    case 'suback':
      return measureSuback(p, level, m);
    case 'unsubscribe':
      return measureUnsubscribe(p, level, m);
    case 'unsuback':
      return measureUnsuback(p, level, m);
    case 'pingreq':
    case 'pingresp':
      return measurePing(p, level, m);
    case 'disconnect':
      return measureDisconnect(p, level, m);
    case 'auth':
      if (level !== 5) throw malformed('AUTH exists only in MQTT 5.0');
      return measureAuth(p, level, m);
    default:
      return assertNever(p);
  }
}

function write(w: Writer, p: Packet, level: ProtocolLevel, m: Measure): void {
  switch (p.type) {
    case 'connect':
      writeConnect(w, p, level, m);
      return;
    case 'connack':
      writeConnack(w, p, level, m);
      return;
    case 'publish':
      writePublish(w, p, level, m);
      return;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      writeAck(w, p, level, m);
      return;
    case 'subscribe':
      writeSubscribe(w, p, level, m);
      return;
    case 'suback':
      writeSuback(w, p, level, m);
      return;
    case 'unsubscribe':
      writeUnsubscribe(w, p, level, m);
      return;
    case 'unsuback':
      writeUnsuback(w, p, level, m);
      return;
    case 'pingreq':
    case 'pingresp':
      writePing(w, p, level, m);
      return;
    case 'disconnect':
      writeDisconnect(w, p, level, m);
      return;
    case 'auth':
      writeAuth(w, p, level, m);
      return;
    default:
      assertNever(p);
  }
}

function checkRemaining(remaining: number): void {
  // [MQTT-1.5.5-1] / spec 2.1.4: the Remaining Length fits a 4-byte Variable Byte Integer.
  if (remaining > MAX_VBI)
    throw new MqttError(ReasonCode.PacketTooLarge, 'packet larger than 268,435,455 bytes');
}

const scratch = newMeasure();

/** The number of bytes `packet` takes on the wire at `level`. Validates it on the way. */
export function packetLength(packet: Packet, level: ProtocolLevel): number {
  const remaining = measure(packet, level, scratch);
  checkRemaining(remaining);
  return totalLength(remaining);
}

/** Encodes one packet into a buffer of exactly its size. Throws `MqttError` for an invalid packet. */
export function encodePacket(packet: Packet, level: ProtocolLevel): Buffer {
  const m = scratch;
  const remaining = measure(packet, level, m);
  checkRemaining(remaining);
  const buf = Buffer.allocUnsafe(totalLength(remaining));
  write(new Writer(buf), packet, level, m);
  return buf;
}

/**
 * The measures of the batch being encoded, in reused arrays rather than an object per packet:
 * a batch can be thousands of packets, all alive until the buffer is written (see
 * `plain-objects.ts` for why a burst of objects that stay alive together is costly).
 */
const batchRemaining: number[] = [];
const batchProps: number[] = [];
const batchWillProps: number[] = [];

/** Encodes several packets into one buffer, for a single coalesced socket write. */
export function encodePackets(packets: readonly Packet[], level: ProtocolLevel): Buffer {
  const m = scratch;
  const n = packets.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    m.remaining = 0;
    m.props = 0;
    m.willProps = 0;
    const remaining = measure(packets[i] as Packet, level, m);
    checkRemaining(remaining);
    batchRemaining[i] = m.remaining;
    batchProps[i] = m.props;
    batchWillProps[i] = m.willProps;
    total += totalLength(remaining);
  }
  const buf = Buffer.allocUnsafe(total);
  const w = new Writer(buf);
  for (let i = 0; i < n; i++) {
    m.remaining = batchRemaining[i] ?? 0;
    m.props = batchProps[i] ?? 0;
    m.willProps = batchWillProps[i] ?? 0;
    write(w, packets[i] as Packet, level, m);
  }
  // A rare huge batch should not keep its arrays' size for good.
  if (n > 4096) {
    batchRemaining.length = 0;
    batchProps.length = 0;
    batchWillProps.length = 0;
  }
  return buf;
}
