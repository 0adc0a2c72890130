import { ReasonCode } from '../protocol/reason-codes';
import type { ProtocolLevel, QoS, RetainHandling } from '../protocol/types';
import { isValidTopicFilter, isValidTopicName, topicMatches } from '../topic';
import { type AdminResult, adminFailure, adminOk } from './admin';
import type { BrokerContext } from './context';
import type { Session } from './session';
import type { MessageProperties, Millis } from './types';

/**
 * What the broker's host may ask about its state: the clients, the subscriptions and the retained
 * messages. Read-only views over the context, as plain data that does not alias engine state.
 */

export interface ClientInfo {
  clientId: string;
  /** False for a persistent session whose client is away. */
  connected: boolean;
  username?: string;
  protocolLevel?: ProtocolLevel;
  remoteAddress?: string;
  listener?: string;
  /** When the network connection opened, on the broker's clock (ms since the epoch by default). */
  connectedAt?: Millis;
  /** Keep alive in seconds, after any Server Keep Alive override. */
  keepAlive?: number;
  /** Session Expiry Interval in seconds (4294967295: never). */
  sessionExpiryInterval: number;
  /** When an offline session ends; absent while connected or when it never expires. */
  expiresAt?: Millis;
  subscriptions: number;
  /** QoS 1/2 messages waiting for the client, or for a slot in its Receive Maximum window. */
  queued: number;
  /** QoS 1/2 messages sent and not yet acknowledged. */
  inflight: number;
}

export interface ClientQuery {
  /** Also list persistent sessions whose client is not connected. */
  includeOffline?: boolean;
}

/** The connected clients, in the order they connected, then (if asked) the offline sessions. */
export function listClients(ctx: BrokerContext, query: ClientQuery = {}): ClientInfo[] {
  const out: ClientInfo[] = [];
  for (const conn of ctx.connections.values()) {
    const session = conn.session;
    if (conn.state !== 'connected' || conn.closing || session === undefined || session.connection !== conn)
      continue;
    const { identity } = conn;
    const info: ClientInfo = {
      clientId: session.clientId,
      connected: true,
      protocolLevel: conn.protocolLevel,
      remoteAddress: identity.remoteAddress,
      listener: identity.listener,
      connectedAt: conn.openedAt,
      keepAlive: conn.keepAlive,
      ...sessionFigures(ctx, session),
    };
    if (identity.username !== undefined) info.username = identity.username;
    out.push(info);
  }
  if (query.includeOffline !== true) return out;
  for (const session of ctx.sessions.values()) {
    if (session.connection !== undefined) continue;
    const info: ClientInfo = {
      clientId: session.clientId,
      connected: false,
      ...sessionFigures(ctx, session),
    };
    if (session.expiresAt !== undefined) info.expiresAt = session.expiresAt;
    out.push(info);
  }
  return out;
}

function sessionFigures(
  ctx: BrokerContext,
  session: Session,
): Pick<ClientInfo, 'sessionExpiryInterval' | 'subscriptions' | 'queued' | 'inflight'> {
  return {
    sessionExpiryInterval: session.expiryInterval,
    subscriptions: ctx.router.subscriptionsOf(session.clientId).length,
    queued: session.queue.length,
    inflight: session.inflight.size,
  };
}

export interface SubscriptionInfo {
  clientId: string;
  /** Whether the session's client is connected now. */
  connected: boolean;
  /** The filter as the client sent it, `$share/<group>/` included. */
  filter: string;
  /** The filter topics are matched against (without `$share/<group>/`). */
  topicFilter: string;
  /** The share name of a shared subscription. */
  group?: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: RetainHandling;
  subscriptionIdentifier?: number;
}

export interface SubscriptionQuery {
  /** Only this client's subscriptions. */
  clientId?: string;
  /**
   * A Topic Name: only the subscriptions a message on it would reach. A filter with wildcards:
   * only the subscriptions with exactly that filter (with or without `$share/<group>/`).
   */
  topic?: string;
}

/** Every subscription of every session, by session, each in the order it was made. */
export function listSubscriptions(
  ctx: BrokerContext,
  query: SubscriptionQuery = {},
): AdminResult<SubscriptionInfo[]> {
  const { clientId, topic } = query;
  let keep: (topicFilter: string, filter: string) => boolean = () => true;
  if (topic !== undefined) {
    if (isValidTopicName(topic)) keep = (topicFilter) => topicMatches(topicFilter, topic);
    else if (isValidTopicFilter(topic))
      keep = (topicFilter, filter) => topicFilter === topic || filter === topic;
    else return invalidFilter(topic);
  }
  const sessions =
    clientId === undefined ? [...ctx.sessions.values()] : [ctx.sessions.get(clientId)].filter(isSession);
  const out: SubscriptionInfo[] = [];
  for (const session of sessions) {
    const connected = session.connection !== undefined;
    for (const entry of ctx.router.subscriptionsOf(session.clientId)) {
      if (!keep(entry.topicFilter, entry.filter)) continue;
      const info: SubscriptionInfo = {
        clientId: session.clientId,
        connected,
        filter: entry.filter,
        topicFilter: entry.topicFilter,
        qos: entry.qos,
        noLocal: entry.noLocal,
        retainAsPublished: entry.retainAsPublished,
        retainHandling: entry.retainHandling,
      };
      if (entry.group !== undefined) info.group = entry.group;
      if (entry.subscriptionIdentifier !== undefined)
        info.subscriptionIdentifier = entry.subscriptionIdentifier;
      out.push(info);
    }
  }
  return adminOk(out);
}

function isSession(session: Session | undefined): session is Session {
  return session !== undefined;
}

export interface RetainedInfo {
  topic: string;
  payload: Buffer;
  qos: QoS;
  /** As a subscriber would get them: the Message Expiry Interval is what is left of it. */
  properties?: MessageProperties;
  /** When the message expires, on the broker's clock; absent when it does not. */
  expiresAt?: Millis;
}

/**
 * The retained messages whose topics match a Topic Filter (`#` by default, which by the spec's
 * rule [MQTT-4.7.2-1] leaves out `$SYS`; ask for `$SYS/#` for those), sorted by topic.
 */
export function listRetained(ctx: BrokerContext, filter = '#'): AdminResult<RetainedInfo[]> {
  if (!isValidTopicFilter(filter) || filter.startsWith('$share/')) return invalidFilter(filter);
  const now = ctx.clock.now();
  const messages = ctx.retained.match(filter, now);
  ctx.counters.retainedMessages = ctx.retained.size;
  messages.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  return adminOk(
    messages.map((m) => {
      const info: RetainedInfo = { topic: m.topic, payload: Buffer.from(m.payload), qos: m.qos };
      const properties = m.properties === undefined ? undefined : copyProperties(m.properties);
      if (m.expiresAt !== undefined) {
        info.expiresAt = m.expiresAt;
        // [MQTT-3.3.2-6] what is left of the interval, as on delivery.
        const left = Math.max(0, Math.ceil((m.expiresAt - now) / 1000));
        info.properties = { ...properties, messageExpiryInterval: left };
      } else if (properties !== undefined) {
        info.properties = properties;
      }
      return info;
    }),
  );
}

/** A copy the caller may change without changing the retained message. */
function copyProperties(props: MessageProperties): MessageProperties {
  const copy: MessageProperties = { ...props };
  if (props.userProperties !== undefined) copy.userProperties = props.userProperties.map(([k, v]) => [k, v]);
  if (props.correlationData !== undefined) copy.correlationData = Buffer.from(props.correlationData);
  return copy;
}

function invalidFilter<T>(filter: string): AdminResult<T> {
  return adminFailure(
    'filter-invalid',
    `invalid topic filter ${JSON.stringify(filter)}`,
    { filter: String(filter) },
    ReasonCode.TopicFilterInvalid,
  );
}
