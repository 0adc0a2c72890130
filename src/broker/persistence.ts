import type { StoredSubscription, StoreOp } from '../store/types';
import type { BrokerContext } from './context';
import type { InflightOut, Pending, Session } from './session';
import type { Message, SubscriptionEntry } from './types';

/**
 * The broker's side of persistence: every change to durable state is described as a `StoreOp`
 * and collected in `ctx.journal` for the driver to apply to the store (before the acknowledgements
 * it guards go out, in sync durability). Only sessions that outlive their connection (Session
 * Expiry Interval > 0) are durable. Times are in the broker clock's terms (ms since the epoch
 * with the default clock). With no store, `ctx.journal` is undefined and nothing is recorded.
 */

function record(ctx: BrokerContext, op: StoreOp): void {
  ctx.journal?.push(op);
}

function durable(ctx: BrokerContext, session: Session): boolean {
  return ctx.journal !== undefined && session.expiryInterval > 0;
}

/** The session's scalar state: expiry, will, deadlines. */
export function persistSession(ctx: BrokerContext, session: Session): void {
  if (!durable(ctx, session)) return;
  session.persisted = true;
  const op: StoreOp = { op: 'session', clientId: session.clientId, expiryInterval: session.expiryInterval };
  if (session.expiresAt !== undefined) op.expiresAt = session.expiresAt;
  if (session.will !== undefined) op.will = session.will;
  if (session.willDueAt !== undefined) op.willDueAt = session.willDueAt;
  record(ctx, op);
}

export function persistSessionDelete(ctx: BrokerContext, session: Session): void {
  if (!session.persisted) return;
  session.persisted = false;
  record(ctx, { op: 'session-delete', clientId: session.clientId });
}

export function storedSubscription(entry: SubscriptionEntry): StoredSubscription {
  const { clientId: _clientId, ...rest } = entry;
  return rest;
}

export function persistSubscribe(ctx: BrokerContext, session: Session, entry: SubscriptionEntry): void {
  if (durable(ctx, session))
    record(ctx, { op: 'subscribe', clientId: session.clientId, subscription: storedSubscription(entry) });
}

export function persistUnsubscribe(ctx: BrokerContext, session: Session, filter: string): void {
  if (durable(ctx, session)) record(ctx, { op: 'unsubscribe', clientId: session.clientId, filter });
}

export function persistEnqueue(ctx: BrokerContext, session: Session, delivery: Pending): void {
  if (durable(ctx, session)) record(ctx, { op: 'enqueue', clientId: session.clientId, delivery });
}

export function persistDequeue(ctx: BrokerContext, session: Session): void {
  if (durable(ctx, session)) record(ctx, { op: 'dequeue', clientId: session.clientId });
}

export function persistInflight(ctx: BrokerContext, session: Session, inflight: InflightOut): void {
  if (durable(ctx, session)) record(ctx, { op: 'inflight', clientId: session.clientId, inflight });
}

export function persistInflightDelete(ctx: BrokerContext, session: Session, packetId: number): void {
  if (durable(ctx, session)) record(ctx, { op: 'inflight-delete', clientId: session.clientId, packetId });
}

export function persistIncomingQoS2(
  ctx: BrokerContext,
  session: Session,
  packetId: number,
  added: boolean,
): void {
  if (!durable(ctx, session)) return;
  record(ctx, { op: added ? 'qos2-in' : 'qos2-in-delete', clientId: session.clientId, packetId });
}

/** Retained messages, except the broker's own `$SYS` values, which are rebuilt at start-up. */
export function persistRetain(ctx: BrokerContext, message: Message): void {
  if (ctx.journal === undefined || message.topic.startsWith('$SYS')) return;
  if (message.payload.length === 0) record(ctx, { op: 'retain-delete', topic: message.topic });
  else record(ctx, { op: 'retain', message });
}
