import { AckObject } from '../../protocol/plain-objects';
import { ReasonCode } from '../../protocol/reason-codes';
import type { PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from '../../protocol/types';
import type { Connection } from '../connection';
import { type BrokerContext, send } from '../context';
import { pump } from '../delivery';
import { persistIncomingQoS2, persistInflight, persistInflightDelete } from '../persistence';

/** Acknowledgements of the QoS 1 and QoS 2 flows (spec 4.3.2, 4.3.3). */

/** PUBACK for an outgoing QoS 1 message: it is done, and the window has room [MQTT-4.3.2-3]. */
export function handlePuback(ctx: BrokerContext, conn: Connection, packet: PubackPacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const entry = session.inflight.get(packet.packetId);
  if (entry === undefined || entry.qos !== 1) return;
  session.inflight.delete(packet.packetId);
  persistInflightDelete(ctx, session, packet.packetId);
  pump(ctx, session);
}

/**
 * PUBREC for an outgoing QoS 2 message: answer PUBREL [MQTT-4.3.3-4]; a failure code ends the
 * flow and the message is not sent again [MQTT-4.4.0-2].
 */
export function handlePubrec(ctx: BrokerContext, conn: Connection, packet: PubrecPacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const entry = session.inflight.get(packet.packetId);
  if (entry === undefined || entry.qos !== 2) {
    // Spec 4.3.3: PUBREL with 0x92 for an id the broker does not know.
    send(ctx, conn, {
      type: 'pubrel',
      packetId: packet.packetId,
      reasonCode: ReasonCode.PacketIdentifierNotFound,
    });
    return;
  }
  if (packet.reasonCode >= 0x80) {
    session.inflight.delete(packet.packetId);
    persistInflightDelete(ctx, session, packet.packetId);
    pump(ctx, session);
    return;
  }
  entry.state = 'pubrel';
  persistInflight(ctx, session, entry);
  send(ctx, conn, new AckObject('pubrel', packet.packetId, ReasonCode.Success));
}

/** PUBCOMP ends an outgoing QoS 2 flow [MQTT-4.3.3-5]. */
export function handlePubcomp(ctx: BrokerContext, conn: Connection, packet: PubcompPacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const entry = session.inflight.get(packet.packetId);
  if (entry === undefined || entry.state !== 'pubrel') return;
  session.inflight.delete(packet.packetId);
  persistInflightDelete(ctx, session, packet.packetId);
  pump(ctx, session);
}

/** PUBREL for an incoming QoS 2 message: answer PUBCOMP [MQTT-4.3.3-11], forget the id [MQTT-4.3.3-12]. */
export function handlePubrel(ctx: BrokerContext, conn: Connection, packet: PubrelPacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const known = session.deleteIncomingQoS2(packet.packetId);
  if (known) persistIncomingQoS2(ctx, session, packet.packetId, false);
  const code = known ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;
  send(ctx, conn, new AckObject('pubcomp', packet.packetId, code));
}
