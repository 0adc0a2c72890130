import { reasonCodeName } from '../../src/protocol/reason-codes';
import type { ConnectionState } from './connection-api';
import type { NodeStatus, Translate } from './node-red-types';

/** `0x87 Not authorized`, with the server's reason string when it gave one. */
export function reasonText(code: number | undefined, reasonString: string | undefined): string {
  const parts: string[] = [];
  if (code !== undefined) {
    // An unknown code's name is already `0x.. (unknown)`.
    const name = reasonCodeName(code);
    parts.push(name.startsWith('0x') ? name : `0x${code.toString(16).padStart(2, '0')} ${name}`);
  }
  if (reasonString !== undefined && reasonString !== '') parts.push(reasonString);
  return parts.join(': ');
}

/**
 * The status a connection's users show for its state: grey when idle, yellow while connecting
 * (with the reason the last attempt failed), green with the client id once connected, red with
 * the reason code of the last refusal or DISCONNECT. Keys are under `mqtt5-connection.status`.
 */
export function connectionStatus(state: ConnectionState, t: Translate): NodeStatus {
  const reason = reasonText(state.reasonCode, state.reasonString);
  switch (state.phase) {
    case 'idle':
      return { fill: 'grey', shape: 'ring', text: t('mqtt5-connection.status.idle') };
    case 'connecting':
      return {
        fill: 'yellow',
        shape: 'ring',
        text:
          reason === ''
            ? t('mqtt5-connection.status.connecting')
            : t('mqtt5-connection.status.reconnecting', { reason }),
      };
    case 'connected':
      return {
        fill: 'green',
        shape: 'dot',
        text: t('mqtt5-connection.status.connected', { clientId: state.clientId ?? '' }),
      };
    case 'disconnected':
      return {
        fill: 'red',
        shape: 'ring',
        text:
          reason === ''
            ? t('mqtt5-connection.status.disconnected')
            : t('mqtt5-connection.status.disconnected-reason', { reason }),
      };
  }
}

/** The connection's status with a node's own figures after it: `connected as x · 12 sent`. */
export function withFigures(status: NodeStatus, figures: string): NodeStatus {
  return figures === '' ? status : { ...status, text: `${status.text ?? ''} · ${figures}` };
}
