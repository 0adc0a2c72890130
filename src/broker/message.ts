import type { PublishPacket, QoS, Will } from '../protocol/types';
import type { Clock, Message, MessageProperties } from './types';

interface MessageConstructor {
  new (topic: string, payload: Buffer, qos: QoS, retain: boolean, senderId: string): Message;
  prototype: object;
}

/**
 * A message made with `new`, not as a literal: it lives until every subscriber has acknowledged
 * it (see `src/protocol/plain-objects.ts`). A plain object all the same.
 */
const MessageObject = function MessageObject(
  this: Message,
  topic: string,
  payload: Buffer,
  qos: QoS,
  retain: boolean,
  senderId: string,
): void {
  this.topic = topic;
  this.payload = payload;
  this.qos = qos;
  this.retain = retain;
  this.senderId = senderId;
} as unknown as MessageConstructor;
MessageObject.prototype = Object.prototype;

/**
 * The Application Message a PUBLISH carries, as the broker keeps it. The clock is read only for
 * a message with an expiry: most have none, and a clock read costs as much as the rest of this.
 */
export function messageFromPublish(
  packet: PublishPacket,
  topic: string,
  senderId: string,
  clock: Clock,
): Message {
  const message = new MessageObject(topic, packet.payload, packet.qos, packet.retain, senderId);
  const props = packet.properties;
  if (props !== undefined) {
    const kept = keptProperties(props);
    if (kept !== undefined) message.properties = kept;
    // [MQTT-3.3.2-5] the expiry clock starts when the broker receives the message.
    if (props.messageExpiryInterval !== undefined)
      message.expiresAt = clock.now() + props.messageExpiryInterval * 1000;
  }
  return message;
}

/** The will of a CONNECT as a message; its expiry clock starts only when it is published. */
export function messageFromWill(will: Will, senderId: string): Message {
  const message: Message = {
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    retain: will.retain,
    senderId,
  };
  const props = will.properties;
  if (props !== undefined) {
    const { willDelayInterval: _delay, ...rest } = props;
    const kept = keptProperties(rest);
    if (kept !== undefined) message.properties = kept;
  }
  return message;
}

/**
 * The properties forwarded unaltered to subscribers [MQTT-3.3.2-4], [MQTT-3.3.2-15..20]: all but
 * the Topic Alias and Subscription Identifiers, which belong to one connection.
 */
function keptProperties(
  props: MessageProperties & { topicAlias?: number; subscriptionIdentifiers?: number[] },
): MessageProperties | undefined {
  const { topicAlias: _alias, subscriptionIdentifiers: _ids, ...rest } = props;
  for (const _key in rest) return rest;
  return undefined;
}
