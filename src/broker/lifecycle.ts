import type { Connection } from './connection';
import type { BrokerContext } from './context';
import { persistSession, persistSessionDelete } from './persistence';
import { retain, routeMessage } from './routing';
import type { Session } from './session';

/**
 * What happens when a connection ends and when a session ends: the will (spec 3.1.2.5,
 * [MQTT-3.1.2-8]) and session expiry (spec 3.1.2.11.2, [MQTT-4.1.0-2]).
 */

/** Session Expiry Interval meaning "never" (spec 3.1.2.11.2). */
export const NEVER_EXPIRES = 0xffffffff;

/**
 * The connection is gone. `keepWill` is false after a DISCONNECT with reason 0x00, which
 * discards the will [MQTT-3.14.4-3].
 */
export function connectionEnded(ctx: BrokerContext, conn: Connection, keepWill: boolean): void {
  const wasConnected = conn.state === 'connected';
  conn.state = 'closed';
  ctx.connections.delete(conn.id);
  const session = conn.session;
  if (conn.superseded) return;
  if (session === undefined || session.connection !== conn) {
    if (wasConnected) reportDisconnect(ctx, conn);
    return;
  }
  session.connection = undefined;
  ctx.counters.clientsConnected--;
  const now = ctx.clock.now();
  if (!keepWill) session.will = undefined;
  if (session.will !== undefined) {
    // [MQTT-3.1.2-8] the will goes out after the Will Delay Interval, or when the session ends.
    session.willDueAt = now + session.will.delay;
  }
  if (session.expiryInterval === 0) {
    endSession(ctx, session);
  } else if (session.expiryInterval !== NEVER_EXPIRES) {
    session.expiresAt = now + session.expiryInterval * 1000;
  }
  if (session.willDueAt !== undefined && session.willDueAt <= now) publishWill(ctx, session);
  if (ctx.sessions.get(session.clientId) === session) persistSession(ctx, session);
  reportDisconnect(ctx, conn);
}

function reportDisconnect(ctx: BrokerContext, conn: Connection): void {
  ctx.events.push({
    type: 'client-disconnected',
    clientId: conn.identity.clientId,
    reasonCode: conn.endReason.code,
    reason: conn.endReason.text,
  });
}

/** The session is over: its will goes out now if it is still pending, then it is forgotten. */
export function endSession(ctx: BrokerContext, session: Session): void {
  if (session.will !== undefined && session.connection === undefined) publishWill(ctx, session);
  ctx.router.removeClient(session.clientId);
  ctx.counters.subscriptions = ctx.router.size;
  if (ctx.sessions.get(session.clientId) === session) ctx.sessions.delete(session.clientId);
  persistSessionDelete(ctx, session);
  ctx.counters.sessions = ctx.sessions.size;
}

export function publishWill(ctx: BrokerContext, session: Session): void {
  const will = session.will;
  session.will = undefined;
  session.willDueAt = undefined;
  if (will === undefined) return;
  if (ctx.sessions.get(session.clientId) === session) persistSession(ctx, session);
  const message = will.message;
  // The Message Expiry Interval of a will counts from when it is published.
  const interval = message.properties?.messageExpiryInterval;
  if (interval !== undefined) message.expiresAt = ctx.clock.now() + interval * 1000;
  if (message.retain) retain(ctx, message);
  routeMessage(ctx, message);
}

/** Due wills and expired sessions. */
export function sweepSessions(ctx: BrokerContext): void {
  const now = ctx.clock.now();
  for (const session of [...ctx.sessions.values()]) {
    if (session.connection !== undefined) continue;
    if (session.willDueAt !== undefined && session.willDueAt <= now) publishWill(ctx, session);
    if (session.expiresAt !== undefined && session.expiresAt <= now) endSession(ctx, session);
  }
}
