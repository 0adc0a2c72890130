import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';
import type { ConnackPacket, ProtocolLevel, Subscription } from '../protocol/types';
import { hasWildcard, isSharedSubscription, parseSharedSubscription } from '../topic';
import type { OutgoingMessage, ServerCapabilities } from './types';

/** What a server supports, from its CONNACK; 3.1.1 servers get the 3.1.1 feature set. */
export function capabilitiesOf(
  connack: ConnackPacket,
  level: ProtocolLevel,
  keepAlive: number,
): ServerCapabilities {
  const p = level === 5 ? (connack.properties ?? {}) : {};
  return {
    receiveMaximum: p.receiveMaximum ?? 65535,
    maximumQoS: p.maximumQoS ?? 2,
    retainAvailable: p.retainAvailable ?? true,
    maximumPacketSize: p.maximumPacketSize,
    topicAliasMaximum: p.topicAliasMaximum ?? 0,
    wildcardSubscriptionAvailable: p.wildcardSubscriptionAvailable ?? true,
    subscriptionIdentifiersAvailable: level === 5 && (p.subscriptionIdentifiersAvailable ?? true),
    sharedSubscriptionAvailable: p.sharedSubscriptionAvailable ?? true,
    // [MQTT-3.1.2-21] The Server Keep Alive replaces the client's.
    keepAlive: p.serverKeepAlive ?? keepAlive,
  };
}

/**
 * Why the server cannot take this publish, or undefined. A QoS above the server's Maximum QoS is
 * refused with 0x9B rather than downgraded, so a caller never gets a weaker delivery guarantee
 * than it asked for without knowing [MQTT-3.2.2-11]; a retained publish to a server without
 * Retain Available is refused with 0x9A [MQTT-3.2.2-14]; a packet over the server's Maximum
 * Packet Size with 0x95 [MQTT-3.2.2-15] (its size is measured with the full topic).
 */
export function publishProblem(
  message: OutgoingMessage,
  bytes: number,
  caps: ServerCapabilities,
): MqttError | undefined {
  if (message.qos > caps.maximumQoS) {
    return new MqttError(
      ReasonCode.QoSNotSupported,
      `QoS ${message.qos} publish to ${message.topic} refused: the server's Maximum QoS is ${caps.maximumQoS}`,
    );
  }
  if (message.retain === true && !caps.retainAvailable) {
    return new MqttError(
      ReasonCode.RetainNotSupported,
      `retained publish to ${message.topic} refused: the server does not support retained messages`,
    );
  }
  if (caps.maximumPacketSize !== undefined && bytes > caps.maximumPacketSize) {
    return new MqttError(
      ReasonCode.PacketTooLarge,
      `publish to ${message.topic} refused: ${bytes} bytes exceeds the server's Maximum Packet Size ` +
        `of ${caps.maximumPacketSize}`,
    );
  }
  return undefined;
}

/**
 * Why the server cannot take this subscription, or undefined: 0x9E shared subscriptions, 0xA2
 * wildcards, 0xA1 subscription identifiers when the server said it lacks them (spec 3.2.2.3.x).
 */
export function subscriptionProblem(
  subscription: Subscription,
  withIdentifier: boolean,
  caps: ServerCapabilities,
): MqttError | undefined {
  const filter = subscription.topicFilter;
  const shared = parseSharedSubscription(filter);
  if (isSharedSubscription(filter) && !caps.sharedSubscriptionAvailable) {
    return new MqttError(
      ReasonCode.SharedSubscriptionsNotSupported,
      `subscription to ${filter} refused: the server does not support shared subscriptions`,
    );
  }
  if (hasWildcard(shared?.filter ?? filter) && !caps.wildcardSubscriptionAvailable) {
    return new MqttError(
      ReasonCode.WildcardSubscriptionsNotSupported,
      `subscription to ${filter} refused: the server does not support wildcard subscriptions`,
    );
  }
  if (withIdentifier && !caps.subscriptionIdentifiersAvailable) {
    return new MqttError(
      ReasonCode.SubscriptionIdentifiersNotSupported,
      `subscription to ${filter} refused: the server does not support subscription identifiers`,
    );
  }
  return undefined;
}
