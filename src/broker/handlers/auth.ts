import { MqttError } from '../../protocol/errors';
import { isReasonCodeAllowed, ReasonCode } from '../../protocol/reason-codes';
import type { AuthPacket, ConnectPacket } from '../../protocol/types';
import type { Connection, ConnectionAuth } from '../connection';
import { type BrokerContext, send } from '../context';
import type { AuthExchange, EnhancedAuthRegistry } from '../enhanced-auth';
import type { ClientIdentity } from '../types';
import { handleConnect, noteConnect, refuse } from './connect';

/**
 * Enhanced authentication (spec 4.12): the exchange a CONNECT starts by naming an Authentication
 * Method, and re-authentication after the CONNACK (spec 4.12.1). AUTH packets carry the method's
 * data both ways; the method decides, one step at a time.
 */

/**
 * CONNECT: with no Authentication Method, or one the broker does not offer, straight to the
 * CONNECT checklist, which refuses the latter with 0x8C [MQTT-4.12.0-1]. A known method starts
 * its exchange, and the checklist waits for it to succeed (state 'authenticating').
 */
export function handleConnectAuth(
  ctx: BrokerContext,
  methods: EnhancedAuthRegistry,
  conn: Connection,
  packet: ConnectPacket,
): void {
  const name = packet.properties?.authenticationMethod;
  const method = name === undefined ? undefined : methods.get(name);
  if (method === undefined) {
    handleConnect(ctx, conn, packet);
    return;
  }
  noteConnect(conn, packet);
  const exchange = method.begin(connectIdentity(conn, packet));
  const auth: ConnectionAuth = { method, exchange, connect: packet };
  conn.auth = auth;
  conn.state = 'authenticating';
  connectStep(ctx, conn, auth, exchange, packet.properties?.authenticationData);
}

/**
 * AUTH from the client. Before the CONNACK it continues the CONNECT's exchange; afterwards it
 * starts (0x19) or continues (0x18) a re-authentication, while other packets keep flowing.
 */
export function handleAuth(ctx: BrokerContext, conn: Connection, packet: AuthPacket): void {
  const auth = conn.auth;
  // [MQTT-4.12.0-7] a client that named no method in CONNECT sends no AUTH.
  if (auth === undefined)
    throw new MqttError(ReasonCode.ProtocolError, 'AUTH without an authentication method');
  // [MQTT-4.12.0-5], [MQTT-4.12.1-1] every AUTH names the CONNECT's method.
  if (packet.properties?.authenticationMethod !== auth.method.name) {
    throw new MqttError(ReasonCode.ProtocolError, 'AUTH with another authentication method than CONNECT');
  }
  const data = packet.properties?.authenticationData;
  const code = packet.reasonCode;
  if (conn.state === 'authenticating') {
    // [MQTT-4.12.0-3] the client answers the server's AUTH with 0x18 (Continue authentication).
    if (code !== ReasonCode.ContinueAuthentication || auth.exchange === undefined) throw misplaced(code);
    connectStep(ctx, conn, auth, auth.exchange, data);
    return;
  }
  let exchange = auth.exchange;
  if (code === ReasonCode.ReAuthenticate && exchange === undefined) {
    // [MQTT-4.12.1-1] re-authentication, with the method the connection authenticated with.
    exchange = auth.method.begin(conn.identity);
    auth.exchange = exchange;
  } else if (code !== ReasonCode.ContinueAuthentication || exchange === undefined) {
    // 0x19 while one runs, 0x18 when none does, and 0x00, which only the server sends.
    throw misplaced(code);
  }
  reauthStep(ctx, conn, auth, exchange, data);
}

function misplaced(code: number): MqttError {
  return new MqttError(ReasonCode.ProtocolError, `AUTH 0x${code.toString(16).padStart(2, '0')} out of place`);
}

/** Who is connecting, as far as the CONNECT tells (the client id may still be empty). */
function connectIdentity(conn: Connection, packet: ConnectPacket): ClientIdentity {
  const identity: ClientIdentity = {
    ...conn.identity,
    clientId: packet.clientId,
    protocolLevel: packet.protocolLevel,
  };
  if (packet.username !== undefined) identity.username = packet.username;
  return identity;
}

function sendContinue(ctx: BrokerContext, conn: Connection, auth: ConnectionAuth, data: Buffer): void {
  send(ctx, conn, {
    type: 'auth',
    reasonCode: ReasonCode.ContinueAuthentication,
    properties: { authenticationMethod: auth.method.name, authenticationData: data },
  });
}

/** One step of the CONNECT's exchange. */
function connectStep(
  ctx: BrokerContext,
  conn: Connection,
  auth: ConnectionAuth,
  exchange: AuthExchange,
  data: Buffer | undefined,
): void {
  const step = exchange.step(data);
  switch (step.kind) {
    case 'continue':
      // [MQTT-4.12.0-2] more is needed: AUTH 0x18, naming the method [MQTT-4.12.0-5].
      sendContinue(ctx, conn, auth, step.data);
      return;
    case 'failure':
      // [MQTT-4.12.0-4] refused at any point: CONNACK with the reason, then close.
      auth.exchange = undefined;
      refuse(ctx, conn, connackCode(step.reasonCode), step.reason);
      return;
    case 'success': {
      const connect = auth.connect;
      auth.exchange = undefined;
      auth.connect = undefined;
      if (connect === undefined) throw new Error('enhanced authentication succeeded with no CONNECT waiting');
      handleConnect(ctx, conn, connect, {
        method: auth.method.name,
        data: step.data,
        username: step.username,
      });
      return;
    }
  }
}

/** One step of a re-authentication [MQTT-4.12.1-1]. */
function reauthStep(
  ctx: BrokerContext,
  conn: Connection,
  auth: ConnectionAuth,
  exchange: AuthExchange,
  data: Buffer | undefined,
): void {
  const step = exchange.step(data);
  if (step.kind === 'continue') {
    sendContinue(ctx, conn, auth, step.data);
    return;
  }
  auth.exchange = undefined;
  // [MQTT-4.12.1-2] a failed re-authentication ends the connection with DISCONNECT. A change of
  // user is refused too: subscriptions and the session were granted to the first one.
  if (step.kind === 'failure') throw new MqttError(disconnectCode(step.reasonCode), step.reason);
  if (step.username !== conn.identity.username) {
    throw new MqttError(ReasonCode.NotAuthorized, 're-authentication cannot change the user');
  }
  send(ctx, conn, {
    type: 'auth',
    reasonCode: ReasonCode.Success,
    properties: {
      authenticationMethod: auth.method.name,
      ...(step.data === undefined ? {} : { authenticationData: step.data }),
    },
  });
}

/** A method's failure code as CONNACK can carry it; anything else is Not authorized. */
function connackCode(code: number): number {
  return code >= 0x80 && isReasonCodeAllowed('connack', code) ? code : ReasonCode.NotAuthorized;
}

/** DISCONNECT has no 0x86 or 0x8C (spec 3.14.2.1): those, and any other, become Not authorized. */
function disconnectCode(code: number): number {
  return code >= 0x80 && isReasonCodeAllowed('disconnect', code) ? code : ReasonCode.NotAuthorized;
}
