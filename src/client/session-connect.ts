import { InboundTopicAliases } from '../broker/topic-alias';
import { fromConnackReturnCode } from '../protocol/connack';
import { isFailure, ReasonCode, reasonCodeName } from '../protocol/reason-codes';
import type { AuthPacket, ConnackPacket, ConnectPacket, ConnectProperties } from '../protocol/types';
import { capabilitiesOf } from './capabilities';
import { ClientError } from './errors';
import { fail, type SessionContext, send } from './session-context';
import { pump, resumeInFlight } from './session-publish';
import { ClientTopicAliases } from './topic-aliases';

/** The CONNECT, CONNACK and AUTH part of a connection. */

function codeName(code: number): string {
  return `${reasonCodeName(code)} (0x${code.toString(16).padStart(2, '0')})`;
}

/**
 * Builds the CONNECT for a connection that has just opened. A 5.0 session that can outlive the
 * connection is resumed (Clean Start 0) on every connection after the first accepted one.
 */
export function startConnect(ctx: SessionContext): void {
  const o = ctx.options;
  const now = ctx.clock.now();
  const level = o.protocolLevel;
  const resumable = level === 5 && (o.properties.sessionExpiryInterval ?? 0) > 0;
  const properties: ConnectProperties = { ...o.properties };
  ctx.auth = undefined;
  if (o.authenticator !== undefined) {
    ctx.auth = o.authenticator.begin();
    properties.authenticationMethod = o.authenticator.method;
    const data = ctx.auth.start();
    if (data !== undefined) properties.authenticationData = data;
  }
  const packet: ConnectPacket = {
    type: 'connect',
    protocolName: 'MQTT',
    protocolLevel: level,
    clientId: ctx.clientId,
    cleanStart: ctx.everConnected && resumable ? false : o.cleanStart,
    keepAlive: o.keepAlive,
    username: o.username,
    password: o.password,
    will: o.will,
    properties,
  };
  ctx.state = 'connecting';
  ctx.connectStartedAt = now;
  ctx.caps = undefined;
  ctx.keepAlive.reset(o.keepAlive, now);
  // Topic aliases belong to one connection [MQTT-3.3.2-7].
  ctx.inAliases = new InboundTopicAliases(level === 5 ? (o.properties.topicAliasMaximum ?? 0) : 0);
  ctx.outAliases = new ClientTopicAliases(0, false);
  send(ctx, packet);
}

export function handleConnack(ctx: SessionContext, packet: ConnackPacket): void {
  if (ctx.state !== 'connecting') {
    // [MQTT-3.2.0-2] the server sends one CONNACK per connection.
    fail(ctx, new ClientError(ReasonCode.ProtocolError, 'CONNACK when not connecting'));
    return;
  }
  const level = ctx.options.protocolLevel;
  const code = level === 5 ? packet.reasonCode : fromConnackReturnCode(packet.reasonCode);
  const p = packet.properties ?? {};
  if (isFailure(code)) {
    // The server closes the connection after a refusing CONNACK [MQTT-3.2.2-7]; nothing to send.
    fail(ctx, new ClientError(code, `connection refused: ${codeName(code)}`, p.reasonString), false);
    return;
  }
  if (ctx.auth !== undefined) {
    try {
      if (p.authenticationMethod !== ctx.options.authenticator?.method) {
        throw new Error(`CONNACK names authentication method ${String(p.authenticationMethod)}`);
      }
      ctx.auth.finish(p.authenticationData);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      fail(ctx, new ClientError(ReasonCode.NotAuthorized, `server authentication failed: ${reason}`));
      return;
    }
    ctx.auth = undefined;
  }
  const now = ctx.clock.now();
  const caps = capabilitiesOf(packet, level, ctx.options.keepAlive);
  ctx.caps = caps;
  ctx.state = 'online';
  // [MQTT-3.2.2-16] the Assigned Client Identifier is the one to use from now on.
  if (p.assignedClientIdentifier !== undefined) ctx.clientId = p.assignedClientIdentifier;
  ctx.everConnected = true;
  ctx.window.setCapacity(caps.receiveMaximum);
  ctx.keepAlive.reset(caps.keepAlive, now);
  ctx.outAliases = new ClientTopicAliases(caps.topicAliasMaximum, ctx.options.autoTopicAlias);
  const sessionPresent = packet.sessionPresent;
  // Without a session the server holds no QoS 2 message of ours awaiting PUBREL either.
  if (!sessionPresent) ctx.incoming.clear();
  ctx.events.push({
    type: 'connected',
    connack: packet,
    sessionPresent,
    mustResubscribe: !sessionPresent,
    clientId: ctx.clientId,
    capabilities: caps,
  });
  resumeInFlight(ctx, sessionPresent);
  pump(ctx);
}

/**
 * AUTH during the CONNECT exchange: 0x18 Continue authentication gets the method's answer
 * (spec 4.12). Re-authentication is not offered, so AUTH at any other time is a protocol error.
 */
export function handleAuth(ctx: SessionContext, packet: AuthPacket): void {
  const auth = ctx.auth;
  const method = ctx.options.authenticator?.method;
  if (
    ctx.state !== 'connecting' ||
    auth === undefined ||
    packet.reasonCode !== ReasonCode.ContinueAuthentication
  ) {
    fail(ctx, new ClientError(ReasonCode.ProtocolError, `unexpected AUTH ${codeName(packet.reasonCode)}`));
    return;
  }
  if (packet.properties?.authenticationMethod !== method) {
    // [MQTT-4.12.0-5] the method is the one of the CONNECT.
    fail(ctx, new ClientError(ReasonCode.ProtocolError, 'AUTH with a different authentication method'));
    return;
  }
  let data: Buffer;
  try {
    data = auth.respond(packet.properties?.authenticationData);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fail(ctx, new ClientError(ReasonCode.NotAuthorized, `authentication failed: ${reason}`));
    return;
  }
  send(ctx, {
    type: 'auth',
    reasonCode: ReasonCode.ContinueAuthentication,
    properties: { authenticationMethod: method, authenticationData: data },
  });
}
