import type { BrokerContext } from './context';
import { deliver } from './delivery';
import { persistRetain } from './persistence';
import { PendingObject } from './session';
import type { Message } from './types';

/**
 * Publishes an Application Message to every matching session: the router picks one target per
 * session (and one member per shared group), then each session's delivery takes over. Returns
 * the number of sessions it went to.
 */
export function routeMessage(ctx: BrokerContext, message: Message): number {
  const sessions = ctx.sessions;
  const targets = ctx.router.route(message.topic, message.qos, message.senderId, (clientId) => {
    const conn = sessions.get(clientId)?.connection;
    return conn !== undefined && conn.state === 'connected';
  });
  let count = 0;
  for (const target of targets) {
    const session = sessions.get(target.clientId);
    if (session === undefined) continue;
    // [MQTT-3.3.1-12] / [MQTT-3.3.1-13] the RETAIN flag is kept only with Retain As Published.
    const retainFlag = target.retainAsPublished ? message.retain : false;
    deliver(ctx, session, new PendingObject(message, target.qos, retainFlag, target.subscriptionIdentifiers));
    count++;
  }
  return count;
}

/** Stores or clears the retained message for the topic [MQTT-3.3.1-5], [MQTT-3.3.1-6]. */
export function retain(ctx: BrokerContext, message: Message): void {
  ctx.retained.set(message);
  persistRetain(ctx, message);
  ctx.counters.retainedMessages = ctx.retained.size;
}
