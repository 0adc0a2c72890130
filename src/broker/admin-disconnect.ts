import { packetLength } from '../protocol/encode';
import { isMqttError } from '../protocol/errors';
import { isReasonCodeAllowed, ReasonCode } from '../protocol/reason-codes';
import type { DisconnectPacket } from '../protocol/types';
import { type AdminResult, adminFailure, adminOk } from './admin';
import type { Connection } from './connection';
import { type BrokerContext, closeAfterFlush, send } from './context';
import { connectionEnded } from './lifecycle';

/**
 * The host disconnects a client (spec 4.13, 3.14). Like the packet handlers this changes state and
 * leaves the packets, events and store ops for the driver to flush (`BrokerServer.runAdmin`).
 */

export interface AdminDisconnectRequest {
  clientId: string;
  /** A DISCONNECT reason code a server may send; 0x98 Administrative action by default. */
  reasonCode?: number;
  /** Sent to a 5.0 client as the Reason String, and reported in the disconnected event. */
  reasonString?: string;
}

export interface AdminDisconnected {
  clientId: string;
  reasonCode: number;
  protocolLevel: number;
}

/** Every DISCONNECT reason code but 0x04, which only a client sends (spec 3.14.2.1). */
export function isServerDisconnectCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    code !== ReasonCode.DisconnectWithWillMessage &&
    isReasonCodeAllowed('disconnect', code)
  );
}

/**
 * Disconnects a connected client (spec 4.13, 3.14): a 5.0 client is sent DISCONNECT with the
 * reason code (and the Reason String when it fits the client's Maximum Packet Size, spec
 * 3.14.2.2.3), a 3.1.x client's connection is just closed. As on any close the client did not
 * ask for with DISCONNECT 0x00, its will is published [MQTT-3.1.2-8].
 */
export function adminDisconnect(
  ctx: BrokerContext,
  request: AdminDisconnectRequest,
): AdminResult<AdminDisconnected> {
  const reasonCode = request.reasonCode ?? ReasonCode.AdministrativeAction;
  if (!isServerDisconnectCode(reasonCode)) {
    return adminFailure(
      'reason-code-invalid',
      `0x${reasonCode.toString(16)} is not a DISCONNECT reason code a server sends`,
      {
        value: reasonCode,
      },
    );
  }
  const reasonString = request.reasonString;
  const conn = connectedClient(ctx, request.clientId);
  if (conn === undefined) {
    return adminFailure('client-unknown', `no client ${JSON.stringify(request.clientId)} is connected`, {
      clientId: String(request.clientId),
    });
  }
  const packet: DisconnectPacket = { type: 'disconnect', reasonCode };
  if (reasonString !== undefined && reasonString !== '') {
    packet.properties = { reasonString };
    let length: number;
    try {
      length = packetLength(packet, 5);
    } catch (error) {
      if (!isMqttError(error)) throw error;
      return adminFailure('reason-string-invalid', error.message, { reason: error.message });
    }
    // [MQTT-3.1.2-24] never more than the client's Maximum Packet Size: leave the string out.
    if (length > conn.limits.maximumPacketSize) delete packet.properties;
  }
  if (conn.isV5) send(ctx, conn, packet);
  closeAfterFlush(ctx, conn, reasonCode, reasonString || 'disconnected by the broker administrator');
  connectionEnded(ctx, conn, true);
  return adminOk({ clientId: conn.identity.clientId, reasonCode, protocolLevel: conn.protocolLevel });
}

/** The live connection of a client id, if it is connected and not on its way out. */
function connectedClient(ctx: BrokerContext, clientId: string): Connection | undefined {
  if (typeof clientId !== 'string') return undefined;
  const conn = ctx.sessions.get(clientId)?.connection;
  return conn !== undefined && conn.state === 'connected' && !conn.closing ? conn : undefined;
}
