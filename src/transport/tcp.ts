import { createServer } from 'node:net';
import { startListening, stopServer, trackSockets } from './server-lifecycle';
import { SocketTransport } from './socket-transport';
import type { TransportHandler, TransportListener } from './transport';

/** The bind address when none is given: this machine only. `0.0.0.0` or `::` for every interface. */
export const DEFAULT_HOST = '127.0.0.1';

export interface TcpListenOptions {
  /** Bind address; `127.0.0.1` (localhost only) when absent. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

/** Listens for plain TCP connections and hands each one to `onTransport`. */
export async function listenTcp(
  options: TcpListenOptions,
  onTransport: TransportHandler,
): Promise<TransportListener> {
  const server = createServer({ noDelay: true }, (socket) => onTransport(new SocketTransport(socket)));
  const sockets = trackSockets(server);
  const bound = await startListening(server, options.host ?? DEFAULT_HOST, options.port);
  return {
    host: bound.host,
    port: bound.port,
    onError: (cb) => server.on('error', cb),
    close: (graceMs) => stopServer(server, sockets, graceMs),
  };
}
