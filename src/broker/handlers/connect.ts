import { toConnackReturnCode } from '../../protocol/connack';
import { ReasonCode } from '../../protocol/reason-codes';
import type { ConnackPacket, ConnackProperties, ConnectPacket } from '../../protocol/types';
import { countLevels } from '../../topic';
import type { Connection } from '../connection';
import { type BrokerContext, closeAfterFlush, send } from '../context';
import { resume } from '../delivery';
import { endSession, NEVER_EXPIRES, publishWill } from '../lifecycle';
import { messageFromWill } from '../message';
import { persistSession, persistSessionDelete } from '../persistence';
import type { AuthResult } from '../security';
import { Session } from '../session';
import { InboundTopicAliases, OutboundTopicAliases } from '../topic-alias';

/** The default Maximum Packet Size when the client sets none: the protocol's own limit. */
const NO_LIMIT = 268435460;

/** An enhanced authentication method accepted the client (handlers/auth.ts). */
export interface EnhancedAuthSuccess {
  method: string;
  /** The method's last data for the client, sent in the CONNACK. */
  data: Buffer | undefined;
  /** The user the method authenticated; it replaces the CONNECT's User Name. */
  username: string | undefined;
}

const OK: AuthResult = { ok: true };

/** What the CONNECT says about the connection before any check: its level, and problem information. */
export function noteConnect(conn: Connection, packet: ConnectPacket): void {
  conn.protocolLevel = packet.protocolLevel;
  conn.limits.problemInformation = packet.properties?.requestProblemInformation ?? true;
}

/**
 * CONNECT (spec 3.1.4): a checklist, in order. Any failed step answers with a CONNACK carrying
 * the reason (a 3.1.1 return code for 3.1.x clients) and closes the connection
 * [MQTT-3.2.2-7].
 */
export function handleConnect(
  ctx: BrokerContext,
  conn: Connection,
  packet: ConnectPacket,
  enhanced?: EnhancedAuthSuccess,
): void {
  const v5 = packet.protocolLevel === 5;
  const props = packet.properties ?? {};
  noteConnect(conn, packet);

  // 1. Enhanced authentication (spec 4.12): a CONNECT naming a method comes here only once the
  //    method accepted the client (handlers/auth.ts); anything else is refused [MQTT-4.12.0-1].
  if (props.authenticationMethod !== undefined && enhanced === undefined) {
    refuse(ctx, conn, ReasonCode.BadAuthenticationMethod, 'authentication method not supported');
    return;
  }

  // 2. Client identifier [MQTT-3.1.3-6], [MQTT-3.1.3-7]; 3.1.1 refuses an empty one without a
  //    clean session, 3.1 an empty one or one longer than 23 characters.
  let clientId = packet.clientId;
  let assigned = false;
  if (packet.protocolLevel === 3 && (clientId === '' || clientId.length > 23)) {
    // MQTT 3.1 (section 3.1, Client Identifier): 1 to 23 characters, so an empty one is refused too.
    refuse(ctx, conn, ReasonCode.ClientIdentifierNotValid, 'MQTT 3.1 client ids are 1 to 23 characters');
    return;
  }
  if (clientId === '') {
    if (!v5 && !packet.cleanStart) {
      refuse(ctx, conn, ReasonCode.ClientIdentifierNotValid, 'empty client id needs a clean session');
      return;
    }
    clientId = assignClientId(ctx);
    assigned = true;
  }
  conn.identity = { ...conn.identity, clientId, protocolLevel: packet.protocolLevel };
  // The user an enhanced method authenticated, not the CONNECT's unverified User Name.
  const username = enhanced === undefined ? packet.username : enhanced.username;
  if (username !== undefined) conn.identity.username = username;

  // 3. Capacity.
  const existing = ctx.sessions.get(clientId);
  const takingOver = existing?.connection !== undefined;
  const { maxConnections } = ctx.config;
  if (maxConnections > 0 && !takingOver && ctx.counters.clientsConnected >= maxConnections) {
    refuse(ctx, conn, ReasonCode.QuotaExceeded, 'too many connections');
    return;
  }

  // 4. Authentication (unless an enhanced method did it) and the will's permissions.
  const auth = enhanced === undefined ? ctx.authenticator.authenticate(conn.identity, packet.password) : OK;
  if (!auth.ok) {
    refuse(ctx, conn, auth.reasonCode, auth.reason);
    return;
  }
  const will = packet.will;
  if (will !== undefined) {
    // [MQTT-3.2.2-12] a will QoS the broker does not support; [MQTT-3.2.2-13] a retained will
    // without retain support.
    if (will.qos > ctx.config.maximumQoS) {
      refuse(ctx, conn, ReasonCode.QoSNotSupported, 'will QoS not supported');
      return;
    }
    if (will.retain && !ctx.config.retainAvailable) {
      refuse(ctx, conn, ReasonCode.RetainNotSupported, 'retained messages are not supported');
      return;
    }
    if (ctx.config.maxTopicLevels > 0 && countLevels(will.topic) > ctx.config.maxTopicLevels) {
      refuse(ctx, conn, ReasonCode.TopicNameInvalid, 'will topic has too many levels');
      return;
    }
    if (!ctx.authorizer.allows(conn.identity, 'publish', will.topic)) {
      refuse(ctx, conn, ReasonCode.NotAuthorized, 'not authorized to publish the will topic');
      return;
    }
  }

  // 5. Session: take over a live connection [MQTT-3.1.4-3], then resume or start afresh.
  if (existing?.connection !== undefined) takeOver(ctx, existing);
  let session: Session;
  let sessionPresent = false;
  if (existing === undefined || packet.cleanStart) {
    // [MQTT-3.1.2-4] Clean Start discards the old session; its pending will is not sent, as a
    // new connection came before it was due [MQTT-3.1.3-9].
    if (existing !== undefined) {
      existing.will = undefined;
      endSession(ctx, existing);
    }
    session = new Session(clientId);
    ctx.sessions.set(clientId, session);
  } else {
    // [MQTT-3.1.2-5] resume; [MQTT-3.1.3-9] a will still waiting for its delay is dropped.
    session = existing;
    sessionPresent = true;
    session.will = undefined;
    session.willDueAt = undefined;
    session.expiresAt = undefined;
  }
  ctx.counters.sessions = ctx.sessions.size;
  const requestedExpiry = v5 ? (props.sessionExpiryInterval ?? 0) : packet.cleanStart ? 0 : NEVER_EXPIRES;
  session.expiryInterval = Math.min(requestedExpiry, ctx.config.maxSessionExpiryInterval);
  conn.connectExpiryWasZero = v5 && requestedExpiry === 0;
  if (will !== undefined) {
    session.will = {
      message: messageFromWill(will, clientId),
      delay: (will.properties?.willDelayInterval ?? 0) * 1000,
    };
  }
  // A session that now ends with its connection is no longer kept on disk.
  if (session.expiryInterval > 0) persistSession(ctx, session);
  else persistSessionDelete(ctx, session);

  // 6. What the client asked of the broker, and the keep alive.
  conn.limits.receiveMaximum = props.receiveMaximum ?? 65535;
  conn.limits.maximumPacketSize = props.maximumPacketSize ?? NO_LIMIT;
  // Fresh alias maps for each connection [MQTT-3.3.2-7]; none at all when aliases are off.
  if (v5 && ctx.config.topicAliasMaximum > 0)
    conn.inboundAliases = new InboundTopicAliases(ctx.config.topicAliasMaximum);
  const clientAliases = v5 ? (props.topicAliasMaximum ?? 0) : 0;
  if (clientAliases > 0) conn.outboundAliases = new OutboundTopicAliases(clientAliases);
  let keepAlive = packet.keepAlive;
  let serverKeepAlive: number | undefined;
  const maxKeepAlive = ctx.config.maxKeepAlive;
  if (v5 && maxKeepAlive > 0 && (keepAlive === 0 || keepAlive > maxKeepAlive)) {
    // [MQTT-3.2.2-21] the client uses the Server Keep Alive instead of its own.
    keepAlive = maxKeepAlive;
    serverKeepAlive = maxKeepAlive;
  }
  conn.keepAlive = keepAlive;

  // 7. Accept [MQTT-3.2.0-1], [MQTT-3.2.2-2], [MQTT-3.2.2-3].
  conn.state = 'connected';
  conn.session = session;
  session.connection = conn;
  const connack: ConnackPacket = { type: 'connack', sessionPresent, reasonCode: ReasonCode.Success };
  if (v5) {
    const p = capabilities(ctx);
    if (assigned) p.assignedClientIdentifier = clientId; // [MQTT-3.2.2-16]
    if (serverKeepAlive !== undefined) p.serverKeepAlive = serverKeepAlive;
    if (requestedExpiry !== session.expiryInterval) p.sessionExpiryInterval = session.expiryInterval;
    // [MQTT-3.1.2-28] Response Information only when asked for.
    if (props.requestResponseInformation === true) p.responseInformation = responseTopicFor(ctx, clientId);
    if (enhanced !== undefined) {
      // [MQTT-4.12.0-5] the CONNECT's method, with the method's last word (e.g. SCRAM's `v=`).
      p.authenticationMethod = enhanced.method;
      if (enhanced.data !== undefined) p.authenticationData = enhanced.data;
    }
    connack.properties = p;
  }
  send(ctx, conn, connack);
  const c = ctx.counters;
  c.clientsConnected++;
  c.clientsTotal++;
  if (c.clientsConnected > c.clientsMaximum) c.clientsMaximum = c.clientsConnected;
  const event = {
    type: 'client-connected' as const,
    clientId,
    protocolLevel: packet.protocolLevel,
    remoteAddress: conn.info.remoteAddress,
    sessionPresent,
  };
  ctx.events.push(username === undefined ? event : { ...event, username });
  if (sessionPresent) resume(ctx, session);
}

/** The broker's limits and capabilities, as CONNACK properties (only what differs from the default). */
function capabilities(ctx: BrokerContext): ConnackProperties {
  const cfg = ctx.config;
  const p: ConnackProperties = {};
  if (cfg.receiveMaximum < 65535) p.receiveMaximum = cfg.receiveMaximum;
  if (cfg.maximumQoS < 2) p.maximumQoS = cfg.maximumQoS === 0 ? 0 : 1; // [MQTT-3.2.2-9]
  if (!cfg.retainAvailable) p.retainAvailable = false;
  if (cfg.maximumPacketSize < NO_LIMIT) p.maximumPacketSize = cfg.maximumPacketSize;
  if (cfg.topicAliasMaximum > 0) p.topicAliasMaximum = cfg.topicAliasMaximum;
  if (!cfg.wildcardSubscriptionAvailable) p.wildcardSubscriptionAvailable = false;
  if (!cfg.subscriptionIdentifiersAvailable) p.subscriptionIdentifiersAvailable = false;
  if (!cfg.sharedSubscriptionAvailable) p.sharedSubscriptionAvailable = false;
  return p;
}

/** A response topic prefix unique to the client, with no wildcard or level separator from its id. */
function responseTopicFor(ctx: BrokerContext, clientId: string): string {
  return `${ctx.config.responseTopicPrefix}${clientId.replace(/[+#/]/g, '_')}/`;
}

/** [MQTT-3.2.2-16] an id no other session uses. */
function assignClientId(ctx: BrokerContext): string {
  for (;;) {
    let id = 'auto-';
    for (let i = 0; i < 4; i++)
      id += Math.floor(ctx.random() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    if (!ctx.sessions.has(id)) return id;
  }
}

/** [MQTT-3.1.4-3] the old connection gets DISCONNECT 0x8E (5.0) and is closed. */
function takeOver(ctx: BrokerContext, session: Session): void {
  const old = session.connection;
  if (old === undefined) return;
  if (old.isV5) send(ctx, old, { type: 'disconnect', reasonCode: ReasonCode.SessionTakenOver });
  closeAfterFlush(ctx, old, ReasonCode.SessionTakenOver, 'session taken over');
  old.superseded = true;
  session.connection = undefined;
  ctx.counters.clientsConnected--;
  // The old connection ended without DISCONNECT: a will with no delay goes out now; one with a
  // delay is cancelled by this new connection [MQTT-3.1.3-9].
  if (session.will !== undefined && session.will.delay === 0) publishWill(ctx, session);
  ctx.events.push({
    type: 'client-disconnected',
    clientId: session.clientId,
    reasonCode: ReasonCode.SessionTakenOver,
    reason: 'session taken over',
  });
}

/** Refuses the CONNECT: CONNACK with the reason, then close [MQTT-3.2.2-6], [MQTT-3.2.2-7]. */
export function refuse(ctx: BrokerContext, conn: Connection, reasonCode: number, reason: string): void {
  const connack: ConnackPacket = { type: 'connack', sessionPresent: false, reasonCode };
  if (conn.isV5) {
    if (conn.limits.problemInformation) connack.properties = { reasonString: reason };
  } else {
    connack.reasonCode = toConnackReturnCode(reasonCode);
  }
  send(ctx, conn, connack);
  closeAfterFlush(ctx, conn, reasonCode, reason);
  ctx.events.push({
    type: 'connect-refused',
    clientId: conn.identity.clientId,
    reasonCode,
    reason,
    remoteAddress: conn.info.remoteAddress,
  });
}
