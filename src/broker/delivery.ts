import { packetLength } from '../protocol/encode';
import { AckObject, PublishObject } from '../protocol/plain-objects';
import type { PublishPacket, PublishProperties } from '../protocol/types';
import type { Connection } from './connection';
import { type BrokerContext, send } from './context';
import { persistDequeue, persistEnqueue, persistInflight, persistInflightDelete } from './persistence';
import type { InflightOut, Pending, Session } from './session';

/**
 * Outgoing delivery for one session: QoS 0 goes straight out; QoS 1 and 2 go through the
 * client's Receive Maximum window [MQTT-3.3.4-9], and wait in the session's bounded queue while
 * the window is full or the client is away. Everything leaves in the order it was routed
 * [MQTT-4.6.0-6].
 */

/** The default Maximum Packet Size, i.e. the client set none. */
const NO_CLIENT_LIMIT = 268435460;

function online(session: Session): Connection | undefined {
  const conn = session.connection;
  return conn !== undefined && conn.state === 'connected' && !conn.closing ? conn : undefined;
}

/** Reads the clock only for the messages that have an expiry. */
function expired(ctx: BrokerContext, p: Pending): boolean {
  const at = p.message.expiresAt;
  return at !== undefined && at <= ctx.clock.now();
}

/** Routes one message into a session. */
export function deliver(ctx: BrokerContext, session: Session, pending: Pending): void {
  const conn = online(session);
  if (pending.qos === 0) {
    // QoS 0 is not kept for a client that is away (spec 4.1: a session MAY keep them).
    if (conn !== undefined && !expired(ctx, pending)) sendPublish(ctx, conn, pending, undefined, false);
    return;
  }
  if (
    conn !== undefined &&
    session.queue.length === 0 &&
    session.inflight.size < conn.limits.receiveMaximum
  ) {
    startInflight(ctx, session, conn, pending);
    return;
  }
  enqueue(ctx, session, pending);
}

function enqueue(ctx: BrokerContext, session: Session, pending: Pending): void {
  const { maxQueuedMessages, maxQueuedBytes } = ctx.config;
  const bytes = pending.message.payload.length;
  if (
    (maxQueuedMessages > 0 && session.queue.length >= maxQueuedMessages) ||
    (maxQueuedBytes > 0 && session.queuedBytes + bytes > maxQueuedBytes)
  ) {
    dropped(ctx, session, pending, 'queue-full');
    return;
  }
  session.queue.push(pending);
  session.queuedBytes += bytes;
  persistEnqueue(ctx, session, pending);
}

function dropped(
  ctx: BrokerContext,
  session: Session,
  p: Pending,
  reason: 'queue-full' | 'too-large' | 'expired',
): void {
  ctx.counters.publishDropped++;
  ctx.events.push({ type: 'message-dropped', clientId: session.clientId, topic: p.message.topic, reason });
}

function startInflight(ctx: BrokerContext, session: Session, conn: Connection, pending: Pending): void {
  const packetId = session.nextPacketId();
  // The pending delivery becomes the in-flight entry: no second object per message.
  const entry: InflightOut = pending;
  entry.packetId = packetId;
  entry.state = 'publish';
  session.inflight.set(packetId, entry);
  if (sendPublish(ctx, conn, entry, packetId, false)) {
    persistInflight(ctx, session, entry);
  } else {
    // [MQTT-3.1.2-25] too large to send: behave as if the publication completed.
    session.inflight.delete(packetId);
  }
}

/** Moves queued messages into the window while it has room. */
export function pump(ctx: BrokerContext, session: Session): void {
  const conn = online(session);
  if (conn === undefined) return;
  while (session.queue.length > 0 && session.inflight.size < conn.limits.receiveMaximum) {
    const next = session.queue.shift();
    if (next === undefined) break;
    session.queuedBytes -= next.message.payload.length;
    persistDequeue(ctx, session);
    // [MQTT-3.3.2-5] a message that expired before onward delivery started is dropped.
    if (expired(ctx, next)) {
      dropped(ctx, session, next, 'expired');
      continue;
    }
    startInflight(ctx, session, conn, next);
  }
}

/**
 * After a reconnect with the session present: resend unacknowledged PUBLISH packets with DUP set
 * and PUBREL packets, with their original packet ids and in order [MQTT-4.4.0-1], then carry on
 * with the queue.
 */
export function resume(ctx: BrokerContext, session: Session): void {
  const conn = online(session);
  if (conn === undefined) return;
  for (const entry of session.inflight.values()) {
    if (entry.state === 'pubrel') {
      send(ctx, conn, new AckObject('pubrel', entry.packetId, 0));
    } else if (!sendPublish(ctx, conn, entry, entry.packetId, true)) {
      session.inflight.delete(entry.packetId);
      persistInflightDelete(ctx, session, entry.packetId);
    }
  }
  pump(ctx, session);
}

/** Builds and queues one PUBLISH; false when it is too large for the client. */
function sendPublish(
  ctx: BrokerContext,
  conn: Connection,
  p: Pending,
  packetId: number | undefined,
  dup: boolean,
): boolean {
  const m = p.message;
  const packet = new PublishObject(m.topic, m.payload, p.qos, p.retain, dup);
  if (packetId !== undefined) packet.packetId = packetId;
  if (conn.isV5) {
    const props = outgoingProperties(ctx, p);
    if (props !== undefined) packet.properties = props;
    if (
      conn.limits.maximumPacketSize < NO_CLIENT_LIMIT &&
      packetLength(packet, 5) > conn.limits.maximumPacketSize
    ) {
      // [MQTT-3.1.2-24] never send a client more than its Maximum Packet Size; [MQTT-3.1.2-25] drop it.
      if (conn.session !== undefined) dropped(ctx, conn.session, p, 'too-large');
      return false;
    }
    applyTopicAlias(conn, packet);
  }
  ctx.counters.publishSent++;
  send(ctx, conn, packet);
  return true;
}

function outgoingProperties(ctx: BrokerContext, p: Pending): PublishProperties | undefined {
  const m = p.message;
  const hasIds = p.subscriptionIdentifiers.length > 0;
  if (m.properties === undefined && m.expiresAt === undefined && !hasIds) return undefined;
  const props: PublishProperties = { ...m.properties };
  // [MQTT-3.3.2-6] the expiry interval sent is what is left of it.
  if (m.expiresAt !== undefined)
    props.messageExpiryInterval = Math.max(0, Math.ceil((m.expiresAt - ctx.clock.now()) / 1000));
  // [MQTT-3.3.4-3] every matching subscription's identifier.
  if (hasIds) props.subscriptionIdentifiers = p.subscriptionIdentifiers;
  return props;
}

/** [MQTT-3.3.2-11] an alias within the client's Topic Alias Maximum, least recently used first. */
function applyTopicAlias(conn: Connection, packet: PublishPacket): void {
  const assigned = conn.outboundAliases.assign(packet.topic);
  if (assigned === undefined) return;
  // `packet.properties`, when present, is this delivery's own copy (see outgoingProperties).
  if (packet.properties === undefined) packet.properties = { topicAlias: assigned.alias };
  else packet.properties.topicAlias = assigned.alias;
  if (assigned.known) packet.topic = '';
}
