import { isUtf8 } from 'node:buffer';
import { MqttError } from '../../protocol/errors';
import { AckObject } from '../../protocol/plain-objects';
import { ReasonCode } from '../../protocol/reason-codes';
import type { PublishPacket } from '../../protocol/types';
import { countLevels } from '../../topic';
import type { Connection } from '../connection';
import { type BrokerContext, send } from '../context';
import { messageFromPublish } from '../message';
import { persistIncomingQoS2 } from '../persistence';
import { retain, routeMessage } from '../routing';

/**
 * PUBLISH from a client (spec 3.3.4): resolve the topic alias, check what the broker supports
 * and what the client may do, route, and acknowledge by QoS [MQTT-3.3.4-1].
 */
export function handlePublish(ctx: BrokerContext, conn: Connection, packet: PublishPacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const cfg = ctx.config;
  const props = packet.properties;
  // [MQTT-3.3.4-6] a client never sends a Subscription Identifier.
  if (props?.subscriptionIdentifiers !== undefined) {
    throw new MqttError(ReasonCode.ProtocolError, 'PUBLISH from a client with a subscription identifier');
  }
  // [MQTT-3.2.2-11] above the Maximum QoS; [MQTT-3.2.2-14] retain when it is not available.
  if (packet.qos > cfg.maximumQoS)
    throw new MqttError(ReasonCode.QoSNotSupported, `QoS ${packet.qos} not supported`);
  if (packet.retain && !cfg.retainAvailable) {
    throw new MqttError(ReasonCode.RetainNotSupported, 'retained messages are not supported');
  }
  const topic = conn.inboundAliases.resolve(packet.topic, props?.topicAlias);
  const packetId = packet.packetId ?? 0;

  if (packet.qos === 2) {
    // [MQTT-4.3.3-10] a PUBLISH again before PUBREL: acknowledge, deliver nothing again.
    if (session.hasIncomingQoS2(packetId)) {
      send(ctx, conn, new AckObject('pubrec', packetId, ReasonCode.Success));
      return;
    }
    // [MQTT-3.3.4-7] the client sent more unacknowledged QoS 2 than our Receive Maximum allows.
    if (session.incomingQoS2Count >= cfg.receiveMaximum) {
      throw new MqttError(ReasonCode.ReceiveMaximumExceeded, 'receive maximum exceeded');
    }
  }

  const refusal = check(ctx, conn, topic, packet);
  if (refusal !== undefined) {
    acknowledge(ctx, conn, packet, refusal);
    return;
  }

  ctx.counters.publishReceived++;
  const message = messageFromPublish(packet, topic, session.clientId, ctx.clock);
  if (packet.retain) retain(ctx, message);
  const delivered = routeMessage(ctx, message);
  if (cfg.publishEvents)
    ctx.events.push({
      type: 'published',
      clientId: session.clientId,
      topic,
      qos: packet.qos,
      retain: packet.retain,
      payload: packet.payload,
      ...(props?.userProperties === undefined ? {} : { userProperties: props.userProperties }),
    });
  if (packet.qos === 2) {
    session.addIncomingQoS2(packetId);
    persistIncomingQoS2(ctx, session, packetId, true);
  }
  acknowledge(ctx, conn, packet, delivered === 0 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success);
}

/** A reason to refuse this message (answered in PUBACK/PUBREC at 5.0), or undefined to accept it. */
function check(
  ctx: BrokerContext,
  conn: Connection,
  topic: string,
  packet: PublishPacket,
): number | undefined {
  const maxLevels = ctx.config.maxTopicLevels;
  if (maxLevels > 0 && countLevels(topic) > maxLevels) return ReasonCode.TopicNameInvalid;
  // $SYS is read-only for clients, and the ACL decides the rest.
  if (!ctx.authorizer.allows(conn.identity, 'publish', topic)) return ReasonCode.NotAuthorized;
  // Spec 3.3.2.3.2: a payload declared UTF-8 that is not may be refused with 0x99.
  if (packet.properties?.payloadFormatIndicator === true && !isUtf8(packet.payload)) {
    return ReasonCode.PayloadFormatInvalid;
  }
  return undefined;
}

function acknowledge(ctx: BrokerContext, conn: Connection, packet: PublishPacket, reasonCode: number): void {
  const packetId = packet.packetId;
  if (packetId === undefined) return;
  // 3.1.x acknowledgements have no reason code: a refused message is acknowledged and dropped.
  const code = conn.isV5 ? reasonCode : ReasonCode.Success;
  send(ctx, conn, new AckObject(packet.qos === 1 ? 'puback' : 'pubrec', packetId, code));
}
