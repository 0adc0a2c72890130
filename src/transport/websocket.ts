import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { startListening, stopServer, trackSockets } from './server-lifecycle';
import { DEFAULT_HOST } from './tcp';
import type { TlsCredentials } from './tls';
import type { TransportHandler, TransportListener } from './transport';
import { createUpgrader, refuseUpgrade, requestPath } from './websocket-upgrade';

export interface WebSocketListenOptions {
  /** Bind address; `127.0.0.1` (localhost only) when absent. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Accept upgrades only at this path; any path when absent. */
  path?: string;
  /** Serve `wss://` with these credentials instead of `ws://`. */
  tls?: TlsCredentials;
  /** Largest WebSocket message accepted, in bytes. */
  maxPayload?: number;
}

export interface WebSocketAttachOptions {
  /** The path whose upgrade requests are MQTT, e.g. `/mqtt`. */
  path: string;
  /** Largest WebSocket message accepted, in bytes. */
  maxPayload?: number;
}

/** MQTT over WebSocket on a port of its own, with an HTTP(S) server that serves nothing else. */
export async function listenWebSocket(
  options: WebSocketListenOptions,
  onTransport: TransportHandler,
): Promise<TransportListener> {
  const upgrader = createUpgrader(onTransport, options.maxPayload);
  const server = options.tls === undefined ? createHttpServer() : createHttpsServer(options.tls);
  server.on('request', (_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' });
    response.end('This is an MQTT over WebSocket endpoint.\n');
  });
  const path = options.path;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (path !== undefined && requestPath(request.url) !== path) {
      refuseUpgrade(socket, 404, `MQTT over WebSocket is served at ${path}`);
      return;
    }
    upgrader.upgrade(request, socket, head);
  });
  if (options.tls !== undefined) server.on('tlsClientError', () => undefined);
  const sockets = trackSockets(server);
  const bound = await startListening(server, options.host ?? DEFAULT_HOST, options.port);
  return {
    host: bound.host,
    port: bound.port,
    onError: (cb) => server.on('error', cb),
    close: async (graceMs) => {
      const stopped = stopServer(server, sockets, graceMs);
      await upgrader.closeAll(graceMs);
      await stopped;
    },
  };
}

/**
 * MQTT over WebSocket at one path of an existing HTTP server, such as Node-RED's own. Upgrade
 * requests for other paths are left to the server's other listeners; closing the returned
 * listener removes this one and closes its connections, but leaves the server running.
 */
export function attachWebSocket(
  server: HttpServer,
  options: WebSocketAttachOptions,
  onTransport: TransportHandler,
): TransportListener {
  const upgrader = createUpgrader(onTransport, options.maxPayload);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (requestPath(request.url) !== options.path) return;
    upgrader.upgrade(request, socket, head);
  };
  server.on('upgrade', onUpgrade);
  const address = () => {
    const a = server.address();
    return a === null || typeof a === 'string' ? undefined : a;
  };
  return {
    get host() {
      return address()?.address ?? '';
    },
    get port() {
      return address()?.port ?? 0;
    },
    onError: () => undefined,
    close: async (graceMs) => {
      server.off('upgrade', onUpgrade);
      await upgrader.closeAll(graceMs);
    },
  };
}
