import { MqttError } from '../../protocol/errors';
import { ReasonCode } from '../../protocol/reason-codes';
import type { DisconnectPacket } from '../../protocol/types';
import type { Connection } from '../connection';
import { type BrokerContext, closeAfterFlush, send } from '../context';
import { connectionEnded, NEVER_EXPIRES } from '../lifecycle';

/** PINGREQ: answer PINGRESP [MQTT-3.12.4-1]. */
export function handlePingreq(ctx: BrokerContext, conn: Connection): void {
  send(ctx, conn, { type: 'pingresp' });
}

/**
 * DISCONNECT from the client (spec 3.14.4): 0x00 discards the will [MQTT-3.14.4-3], 0x04 keeps
 * it; a new Session Expiry Interval applies, but may not be raised from 0.
 */
export function handleDisconnect(ctx: BrokerContext, conn: Connection, packet: DisconnectPacket): void {
  const session = conn.session;
  const expiry = packet.properties?.sessionExpiryInterval;
  if (expiry !== undefined && session !== undefined) {
    // Spec 3.14.2.2.2: a Session Expiry Interval of 0 in CONNECT cannot become non-zero here.
    if (conn.connectExpiryWasZero && expiry !== 0) {
      throw new MqttError(ReasonCode.ProtocolError, 'session expiry interval raised from 0 on DISCONNECT');
    }
    session.expiryInterval = Math.min(expiry, ctx.config.maxSessionExpiryInterval, NEVER_EXPIRES);
  }
  conn.endReason = { code: packet.reasonCode, text: 'client disconnected' };
  const keepWill = packet.reasonCode === ReasonCode.DisconnectWithWillMessage;
  closeAfterFlush(ctx, conn, packet.reasonCode, 'client disconnected');
  connectionEnded(ctx, conn, keepWill);
}
