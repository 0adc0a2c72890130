import { assertNever } from '../protocol/types';
import { listenTcp } from '../transport/tcp';
import { listenTls } from '../transport/tls';
import type { TransportHandler, TransportListener } from '../transport/transport';
import { attachWebSocket, listenWebSocket } from '../transport/websocket';
import type { ListenerConfig } from './types';

export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_MQTTS_PORT = 8883;

/** Opens the transport listener a `ListenerConfig` describes. */
export async function openListener(
  config: ListenerConfig,
  onTransport: TransportHandler,
  maxPayload: number,
): Promise<TransportListener> {
  switch (config.type) {
    case 'tcp':
      return listenTcp({ host: config.host, port: config.port ?? DEFAULT_MQTT_PORT }, onTransport);
    case 'tls':
      if (config.tls === undefined)
        throw new Error(`listener "${config.name}": tls needs a key and a certificate`);
      return listenTls(
        { host: config.host, port: config.port ?? DEFAULT_MQTTS_PORT, tls: config.tls },
        onTransport,
      );
    case 'ws': {
      if (config.httpServer !== undefined) {
        const path = config.path ?? '/mqtt';
        return attachWebSocket(config.httpServer, { path, maxPayload }, onTransport);
      }
      if (config.port === undefined) {
        throw new Error(`listener "${config.name}": ws needs a port or an HTTP server to attach to`);
      }
      return listenWebSocket(
        { host: config.host, port: config.port, path: config.path, tls: config.tls, maxPayload },
        onTransport,
      );
    }
    default:
      return assertNever(config.type);
  }
}

/** The URL a client would use to reach a listener. */
export function listenerUrl(config: ListenerConfig, host: string, port: number): string {
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const secure = config.tls !== undefined;
  switch (config.type) {
    case 'tcp':
      return `mqtt://${shownHost}:${port}`;
    case 'tls':
      return `mqtts://${shownHost}:${port}`;
    case 'ws': {
      const path = config.path ?? (config.httpServer === undefined ? '/' : '/mqtt');
      return `${secure ? 'wss' : 'ws'}://${shownHost}:${port}${path}`;
    }
    default:
      return assertNever(config.type);
  }
}
