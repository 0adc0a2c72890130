import type { BrokerContext } from './context';
import { retain, routeMessage } from './routing';

/**
 * `$SYS/broker/...` topics (the names mosquitto uses), published as retained QoS 0 messages so a
 * new subscriber sees the latest values at once. Clients may only read them.
 */
export function publishSys(ctx: BrokerContext, startedAt: number): void {
  const c = ctx.counters;
  const now = ctx.clock.now();
  const values: [string, string | number][] = [
    ['version', ctx.config.version],
    ['uptime', `${Math.floor((now - startedAt) / 1000)} seconds`],
    ['clients/connected', c.clientsConnected],
    ['clients/total', c.clientsTotal],
    ['clients/maximum', c.clientsMaximum],
    ['messages/received', c.messagesReceived],
    ['messages/sent', c.messagesSent],
    ['publish/messages/received', c.publishReceived],
    ['publish/messages/sent', c.publishSent],
    ['publish/messages/dropped', c.publishDropped],
    ['load/bytes/received', c.bytesReceived],
    ['load/bytes/sent', c.bytesSent],
    ['subscriptions/count', ctx.router.size],
    ['retained messages/count', ctx.retained.size],
    ['sessions/count', ctx.sessions.size],
  ];
  for (const [name, value] of values) {
    const message = {
      topic: `$SYS/broker/${name}`,
      payload: Buffer.from(String(value)),
      qos: 0 as const,
      retain: true,
      senderId: '',
    };
    retain(ctx, message);
    routeMessage(ctx, message);
  }
}
