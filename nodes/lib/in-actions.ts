import { isRecord } from './fields';
import { readSubscription, type WantedSubscription } from './in-subscription';
import type { NodeMessage } from './node-red-types';
import { fail, ok, type Result } from './problems';

/**
 * The `msg.action`s a dynamic `mqtt5 in` node takes, in the forms of the core `mqtt in` node:
 *
 * - `subscribe`: `msg.topic` is a filter, an object `{topic, qos, nl, rap, rh, datatype}`, or an
 *   array of either;
 * - `unsubscribe`: `msg.topic` is a filter, an object with `topic`, an array of either, or `true`
 *   (or absent) for all of the node's subscriptions;
 * - `getSubscriptions`: sends the node's subscriptions in `msg.payload`;
 * - `connect` (with optional `msg.broker` overrides) and `disconnect`: the connection's.
 *
 * Problems are keys under `mqtt5-in.errors`.
 */
export type InControl =
  | { action: 'connect' | 'disconnect' }
  | { action: 'subscribe'; subscriptions: WantedSubscription[] }
  | { action: 'unsubscribe'; topics: string[] | 'all' }
  | { action: 'getSubscriptions' };

function listOf(topic: unknown): unknown[] {
  return Array.isArray(topic) ? topic : [topic];
}

function readSubscriptions(topic: unknown): Result<WantedSubscription[]> {
  if (typeof topic !== 'string' && !isRecord(topic) && !Array.isArray(topic))
    return fail('action-topic-invalid');
  const out: WantedSubscription[] = [];
  for (const item of listOf(topic)) {
    const fields = typeof item === 'string' ? { topic: item } : item;
    if (!isRecord(fields)) return fail('action-topic-invalid');
    const wanted = readSubscription(fields);
    if (!wanted.ok) return wanted;
    out.push(wanted.value);
  }
  return ok(out);
}

function readTopics(topic: unknown): Result<string[] | 'all'> {
  if (topic === true || topic === undefined || topic === null || topic === '') return ok('all');
  if (typeof topic !== 'string' && !isRecord(topic) && !Array.isArray(topic))
    return fail('action-topic-invalid');
  const out: string[] = [];
  for (const item of listOf(topic)) {
    const name = isRecord(item) ? item['topic'] : item;
    if (typeof name !== 'string' || name === '') return fail('action-topic-invalid');
    out.push(name);
  }
  return ok(out);
}

export function parseControl(msg: NodeMessage): Result<InControl> {
  const action = msg['action'];
  switch (action) {
    case 'connect':
    case 'disconnect':
    case 'getSubscriptions':
      return ok({ action });
    case 'subscribe': {
      const subscriptions = readSubscriptions(msg.topic);
      return subscriptions.ok ? ok({ action, subscriptions: subscriptions.value }) : subscriptions;
    }
    case 'unsubscribe': {
      const topics = readTopics(msg.topic);
      return topics.ok ? ok({ action, topics: topics.value }) : topics;
    }
    default:
      return fail('action-invalid', { action: String(action) });
  }
}
