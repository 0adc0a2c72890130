import { createServer } from 'node:tls';
import { startListening, stopServer, trackSockets } from './server-lifecycle';
import { SocketTransport } from './socket-transport';
import { DEFAULT_HOST } from './tcp';
import type { TransportHandler, TransportListener } from './transport';

/** Key material for a TLS listener, as PEM text or buffers. */
export interface TlsCredentials {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA certificates that client certificates must chain to. */
  ca?: string | Buffer | (string | Buffer)[];
  /** Ask clients for a certificate. */
  requestCert?: boolean;
  /** Refuse clients whose certificate does not verify (only with `requestCert`). Default true. */
  rejectUnauthorized?: boolean;
}

export interface TlsListenOptions {
  /** Bind address; `127.0.0.1` (localhost only) when absent. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  tls: TlsCredentials;
}

/**
 * Listens for TLS connections and hands each one to `onTransport` once its handshake is done.
 * A failed handshake only closes that socket.
 */
export async function listenTls(
  options: TlsListenOptions,
  onTransport: TransportHandler,
): Promise<TransportListener> {
  const { key, cert, ca, requestCert, rejectUnauthorized } = options.tls;
  const server = createServer({
    key,
    cert,
    ...(ca === undefined ? {} : { ca }),
    requestCert: requestCert ?? false,
    rejectUnauthorized: rejectUnauthorized ?? true,
  });
  server.on('secureConnection', (socket) => onTransport(new SocketTransport(socket)));
  // A client that fails the handshake is the client's problem; Node closes its socket.
  server.on('tlsClientError', () => undefined);
  const sockets = trackSockets(server);
  const bound = await startListening(server, options.host ?? DEFAULT_HOST, options.port);
  return {
    host: bound.host,
    port: bound.port,
    onError: (cb) => server.on('error', cb),
    close: (graceMs) => stopServer(server, sockets, graceMs),
  };
}
