import { reasonText } from './client-status';
import type { Mqtt5Connection } from './connection-api';
import type { InControl } from './in-actions';
import { refusalOf } from './in-status';
import { subscriptionInfo } from './in-subscription';
import type { InSubscriptions } from './in-subscriptions';
import type { NodeMessage, SendFunction } from './node-red-types';
import { type Problem, problem } from './problems';

/** What a dynamic `mqtt5 in` node's `msg.action` acts on. */
export interface ControlContext {
  connection: Mqtt5Connection;
  subscriptions: InSubscriptions;
  /** Translates a key under `mqtt5-in.errors`. */
  describe(problem: Problem): string;
}

/**
 * Carries out one `msg.action` (see `parseControl`). Resolves when it is done: a subscribe after
 * its SUBACKs, an unsubscribe after its UNSUBACKs (at once while the connection is down). A
 * refusal rejects, with `msg.reasonCode` and `msg.reasonString` set for Catch nodes. After a
 * subscribe or unsubscribe, `msg.subscriptions` lists the node's subscriptions (as in core).
 */
export async function runControl(
  control: InControl,
  msg: NodeMessage,
  send: SendFunction,
  ctx: ControlContext,
): Promise<void> {
  const { subscriptions } = ctx;
  const listed = () => subscriptions.list().map(subscriptionInfo);
  switch (control.action) {
    case 'connect':
    case 'disconnect':
      await ctx.connection.control(control.action, msg);
      return;
    case 'getSubscriptions':
      msg.topic = 'subscriptions';
      msg.payload = listed();
      send(msg);
      return;
    case 'subscribe': {
      const outcomes = await Promise.all(control.subscriptions.map((s) => subscriptions.add(s)));
      msg['subscriptions'] = listed();
      const index = outcomes.findIndex((o) => o.kind === 'refused');
      const refused = outcomes[index];
      if (refused === undefined || refused.kind !== 'refused') return;
      const topic = control.subscriptions[index]?.topic ?? '';
      throw failure(msg, ctx, 'subscribe-refused', topic, refused.error);
    }
    case 'unsubscribe': {
      const topics = control.topics === 'all' ? subscriptions.topics() : control.topics;
      const results = await Promise.allSettled(topics.map((topic) => subscriptions.remove(topic)));
      msg['subscriptions'] = listed();
      const index = results.findIndex((r) => r.status === 'rejected');
      const failed = results[index];
      if (failed === undefined || failed.status !== 'rejected') return;
      throw failure(msg, ctx, 'unsubscribe-failed', topics[index] ?? '', failed.reason);
    }
  }
}

function failure(msg: NodeMessage, ctx: ControlContext, key: string, topic: string, error: unknown): Error {
  const refusal = refusalOf(error);
  if (refusal.reasonCode !== undefined) msg['reasonCode'] = refusal.reasonCode;
  if (refusal.reasonString !== undefined) msg['reasonString'] = refusal.reasonString;
  return new Error(
    ctx.describe(problem(key, { topic, reason: reasonText(refusal.reasonCode, refusal.reasonString) })),
  );
}
