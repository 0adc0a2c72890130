import type { PersistedState, StoredSession } from '../store/types';
import type { BrokerContext } from './context';
import { NEVER_EXPIRES } from './lifecycle';
import { Session } from './session';

/** Rebuilds the engine's state from a store's, at start-up (see `Broker.restore`). */
export function restoreState(ctx: BrokerContext, state: PersistedState): void {
  const now = ctx.clock.now();
  for (const stored of state.sessions) restoreSession(ctx, stored, now);
  for (const message of state.retained) {
    // [MQTT-3.3.2-5] expired while the broker was down.
    if (message.expiresAt !== undefined && message.expiresAt <= now) continue;
    ctx.retained.set(message);
  }
  ctx.counters.sessions = ctx.sessions.size;
  ctx.counters.subscriptions = ctx.router.size;
  ctx.counters.retainedMessages = ctx.retained.size;
}

function restoreSession(ctx: BrokerContext, stored: StoredSession, now: number): void {
  const session = new Session(stored.clientId);
  session.expiryInterval = stored.expiryInterval;
  session.persisted = true;
  for (const sub of stored.subscriptions) ctx.router.subscribe({ ...sub, clientId: stored.clientId });
  for (const entry of stored.inflight) session.inflight.set(entry.packetId, { ...entry });
  for (const delivery of stored.queue) {
    session.queue.push({ ...delivery, packetId: 0, state: 'publish' });
    session.queuedBytes += delivery.message.payload.length;
  }
  for (const id of stored.incomingQoS2) session.addIncomingQoS2(id);
  session.will = stored.will;
  // A session whose client was connected when the broker stopped lost its connection then.
  session.willDueAt = stored.willDueAt ?? (stored.will === undefined ? undefined : now + stored.will.delay);
  session.expiresAt =
    stored.expiresAt ??
    (stored.expiryInterval === NEVER_EXPIRES ? undefined : now + stored.expiryInterval * 1000);
  ctx.sessions.set(session.clientId, session);
}
