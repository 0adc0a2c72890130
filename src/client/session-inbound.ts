import { AckObject } from '../protocol/plain-objects';
import { ReasonCode } from '../protocol/reason-codes';
import type { PublishPacket, PubrelPacket } from '../protocol/types';
import { MessageObject } from './plain-objects';
import { type SessionContext, send } from './session-context';

/**
 * Incoming publishes: the topic alias is resolved and removed, QoS 1 is acknowledged at once,
 * and QoS 2 is delivered once per packet id until its PUBREL (spec 4.3.3). Errors thrown here
 * (0x93, 0x94, 0x82) end the connection through the session's one failure path.
 */
export function handlePublish(ctx: SessionContext, packet: PublishPacket): void {
  const alias = packet.properties?.topicAlias;
  const topic = ctx.inAliases.resolve(packet.topic, alias);
  let message = packet;
  if (alias !== undefined || topic !== packet.topic) {
    const { topicAlias: _alias, ...properties } = packet.properties ?? {};
    message = { ...packet, topic, properties };
  }
  const packetId = packet.packetId ?? 0;
  switch (packet.qos) {
    case 0:
      ctx.events.push(new MessageObject(message));
      return;
    case 1:
      ctx.events.push(new MessageObject(message));
      send(ctx, new AckObject('puback', packetId, ReasonCode.Success));
      return;
    case 2:
      // [MQTT-4.3.3-10] a PUBLISH with the id of one not yet released is not delivered again.
      if (ctx.incoming.receive(packetId)) ctx.events.push(new MessageObject(message));
      send(ctx, new AckObject('pubrec', packetId, ReasonCode.Success));
      return;
  }
}

export function handlePubrel(ctx: SessionContext, packet: PubrelPacket): void {
  const known = ctx.incoming.release(packet.packetId);
  // Spec 3.7.2.1: PUBCOMP 0x92 for an id we hold no state for (5.0 only has the code).
  const code =
    known || ctx.options.protocolLevel !== 5 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;
  send(ctx, { type: 'pubcomp', packetId: packet.packetId, reasonCode: code });
}
