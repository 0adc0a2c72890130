import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { formatAddress, type TransportHandler } from './transport';
import { WebSocketTransport } from './websocket-transport';

/** The WebSocket subprotocol of MQTT [MQTT-6.0.0-3]. */
export const MQTT_SUBPROTOCOL = 'mqtt';
/** What MQTT 3.1 clients (MQTT.js among them) offer instead; accepted for compatibility. */
const LEGACY_SUBPROTOCOL = 'mqttv3.1';

/**
 * The subprotocol to answer with, or undefined when the client offered none that is MQTT.
 * [MQTT-6.0.0-4] `mqtt` is selected whenever it is offered.
 */
export function selectSubprotocol(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const offered = header.split(',').map((p) => p.trim());
  if (offered.includes(MQTT_SUBPROTOCOL)) return MQTT_SUBPROTOCOL;
  if (offered.includes(LEGACY_SUBPROTOCOL)) return LEGACY_SUBPROTOCOL;
  return undefined;
}

/** The path of a request URL, without its query. */
export function requestPath(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.on('error', () => undefined);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: text/plain\r\n' +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

export interface MqttUpgrader {
  /** Completes the handshake of a request already known to be for MQTT. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every connection this upgrader made: gracefully, then for good after `graceMs`. */
  closeAll(graceMs: number): Promise<void>;
}

/** Turns upgrade requests into `WebSocketTransport`s, refusing those that do not offer `mqtt`. */
export function createUpgrader(onTransport: TransportHandler, maxPayload: number | undefined): MqttUpgrader {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    ...(maxPayload === undefined ? {} : { maxPayload }),
    handleProtocols: (protocols) => selectSubprotocol([...protocols].join(',')) ?? false,
  });
  const clients = new Set<WebSocket>();
  return {
    upgrade(request, socket, head) {
      if (selectSubprotocol(request.headers['sec-websocket-protocol']) === undefined) {
        // [MQTT-6.0.0-3] the client must offer the `mqtt` subprotocol.
        refuseUpgrade(socket, 400, 'MQTT over WebSocket needs the "mqtt" subprotocol');
        return;
      }
      const remoteAddress = formatAddress(request.socket.remoteAddress, request.socket.remotePort);
      wss.handleUpgrade(request, socket, head, (ws) => {
        clients.add(ws);
        ws.once('close', () => clients.delete(ws));
        onTransport(new WebSocketTransport(ws, remoteAddress));
      });
    },
    closeAll(graceMs) {
      if (clients.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const open = new Set(clients);
        const timer = setTimeout(() => {
          for (const ws of open) ws.terminate();
          resolve();
        }, graceMs);
        timer.unref();
        for (const ws of open) {
          ws.once('close', () => {
            open.delete(ws);
            if (open.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
          ws.close(1001, 'server closing');
        }
      });
    },
  };
}
