import { MqttError } from '../../protocol/errors';
import { ReasonCode } from '../../protocol/reason-codes';
import type { QoS, SubscribePacket, Subscription, UnsubscribePacket } from '../../protocol/types';
import {
  countLevels,
  hasWildcard,
  isSharedSubscription,
  isValidTopicFilter,
  parseSharedSubscription,
  type SharedSubscription,
} from '../../topic';
import type { Connection } from '../connection';
import { type BrokerContext, send } from '../context';
import { deliver } from '../delivery';
import { persistSubscribe, persistUnsubscribe } from '../persistence';
import type { Pending, Session } from '../session';
import type { SubscriptionEntry } from '../types';

/**
 * SUBSCRIBE (spec 3.8.4): each filter is handled as if it came alone [MQTT-3.8.4-5] and gets its
 * own reason code in the SUBACK, in order [MQTT-3.8.4-6], [MQTT-3.9.3-1]. A filter the broker
 * will not serve is answered with a failure code, never dropped silently.
 */
export function handleSubscribe(ctx: BrokerContext, conn: Connection, packet: SubscribePacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const subscriptionIdentifier = packet.properties?.subscriptionIdentifier;
  if (subscriptionIdentifier !== undefined && !ctx.config.subscriptionIdentifiersAvailable) {
    throw new MqttError(
      ReasonCode.SubscriptionIdentifiersNotSupported,
      'subscription identifiers are not supported',
    );
  }
  // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error; checked before any filter
  // takes effect, so the session is left as it was.
  if (packet.subscriptions.some((sub) => sub.noLocal && isSharedSubscription(sub.topicFilter))) {
    throw new MqttError(ReasonCode.ProtocolError, 'No Local set on a shared subscription');
  }
  const retained: Pending[] = [];
  const reasonCodes = packet.subscriptions.map((sub) =>
    subscribeOne(ctx, conn, session, sub, subscriptionIdentifier, retained),
  );
  ctx.counters.subscriptions = ctx.router.size;
  send(ctx, conn, { type: 'suback', packetId: packet.packetId, reasonCodes });
  for (const pending of retained) deliver(ctx, session, pending);
}

function subscribeOne(
  ctx: BrokerContext,
  conn: Connection,
  session: Session,
  sub: Subscription,
  subscriptionIdentifier: number | undefined,
  retained: Pending[],
): number {
  const cfg = ctx.config;
  const code = refusal(ctx, conn, sub.topicFilter);
  if (typeof code === 'number') {
    ctx.events.push({
      type: 'subscribed',
      clientId: session.clientId,
      filter: sub.topicFilter,
      qos: sub.qos,
      reasonCode: code,
    });
    return code;
  }
  const { topicFilter, shared } = code;
  // [MQTT-3.2.2-10] / [MQTT-3.8.4-8] the granted QoS is at most the broker's maximum.
  const qos: QoS = sub.qos <= cfg.maximumQoS ? sub.qos : cfg.maximumQoS;
  const entry: SubscriptionEntry = {
    clientId: session.clientId,
    filter: sub.topicFilter,
    topicFilter,
    ...(shared === undefined ? {} : { group: shared.group }),
    qos,
    noLocal: sub.noLocal,
    retainAsPublished: sub.retainAsPublished,
    retainHandling: sub.retainHandling,
    ...(subscriptionIdentifier === undefined ? {} : { subscriptionIdentifier }),
  };
  const { existed } = ctx.router.subscribe(entry);
  persistSubscribe(ctx, session, entry);
  ctx.events.push({
    type: 'subscribed',
    clientId: session.clientId,
    filter: sub.topicFilter,
    qos,
    reasonCode: qos,
  });
  // [MQTT-3.3.1-9] / [MQTT-3.3.1-10] / [MQTT-3.3.1-11] retained messages by Retain Handling; a
  // shared subscription gets none (spec 4.8.2).
  const sendRetained = sub.retainHandling === 0 || (sub.retainHandling === 1 && !existed);
  if (shared === undefined && sendRetained) {
    for (const message of ctx.retained.match(topicFilter, ctx.clock.now())) {
      retained.push({
        message,
        qos: message.qos <= qos ? message.qos : qos,
        retain: true,
        subscriptionIdentifiers: subscriptionIdentifier === undefined ? [] : [subscriptionIdentifier],
        packetId: 0,
        state: 'publish',
      });
    }
  }
  return qos;
}

/** The failure code for a filter the broker will not serve, or the parsed filter. */
function refusal(
  ctx: BrokerContext,
  conn: Connection,
  filter: string,
): number | { topicFilter: string; shared: SharedSubscription | undefined } {
  const cfg = ctx.config;
  let shared: SharedSubscription | undefined;
  try {
    shared = parseSharedSubscription(filter);
  } catch {
    return ReasonCode.TopicFilterInvalid; // [MQTT-4.8.2-1], [MQTT-4.8.2-2]
  }
  const topicFilter = shared?.filter ?? filter;
  // [MQTT-4.7.1-1], [MQTT-4.7.1-2], [MQTT-4.7.3-1]
  if (!isValidTopicFilter(topicFilter)) return ReasonCode.TopicFilterInvalid;
  if (cfg.maxTopicLevels > 0 && countLevels(topicFilter) > cfg.maxTopicLevels)
    return ReasonCode.TopicFilterInvalid;
  if (shared !== undefined && !cfg.sharedSubscriptionAvailable)
    return ReasonCode.SharedSubscriptionsNotSupported;
  if (!cfg.wildcardSubscriptionAvailable && hasWildcard(topicFilter)) {
    return ReasonCode.WildcardSubscriptionsNotSupported;
  }
  if (!ctx.authorizer.allows(conn.identity, 'subscribe', topicFilter)) return ReasonCode.NotAuthorized;
  return { topicFilter, shared };
}

/** UNSUBSCRIBE (spec 3.10.4): exact filter match [MQTT-3.10.4-1], one UNSUBACK [MQTT-3.10.4-4]. */
export function handleUnsubscribe(ctx: BrokerContext, conn: Connection, packet: UnsubscribePacket): void {
  const session = conn.session;
  if (session === undefined) return;
  const reasonCodes = packet.topicFilters.map((filter) => {
    const removed = ctx.router.unsubscribe(session.clientId, filter);
    if (removed) persistUnsubscribe(ctx, session, filter);
    if (removed) ctx.events.push({ type: 'unsubscribed', clientId: session.clientId, filter });
    return removed ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted;
  });
  ctx.counters.subscriptions = ctx.router.size;
  send(ctx, conn, { type: 'unsuback', packetId: packet.packetId, reasonCodes });
}
