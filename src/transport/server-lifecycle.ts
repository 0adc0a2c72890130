import type { Server, Socket } from 'node:net';

/** Extra time allowed for a server's close callback after its connections were destroyed. */
const RELEASE_TIMEOUT_MS = 2000;

/**
 * Remembers every socket a server accepts, so that closing it can destroy the ones still open.
 * `net.Server.close` waits for every connection to end, and a socket held open by a peer (or in
 * a TLS handshake, or upgraded by WebSocket) would otherwise keep the port bound: the "port
 * already in use" after a redeploy.
 */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Starts listening; rejects with the server's error (e.g. EADDRINUSE) if it cannot. */
export function startListening(
  server: Server,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the server is not listening on a TCP port'));
        return;
      }
      resolve({ host: address.address, port: address.port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

/**
 * Stops accepting at once, destroys the sockets still open after `graceMs`, and resolves when
 * the server has released its port, or after a further bound if it never says so.
 */
export function stopServer(server: Server, sockets: Set<Socket>, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let releaseTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(graceTimer);
      clearTimeout(releaseTimer);
      resolve();
    };
    const destroyAll = () => {
      for (const socket of sockets) socket.destroy();
      releaseTimer = setTimeout(finish, RELEASE_TIMEOUT_MS);
      releaseTimer.unref();
    };
    if (!server.listening) {
      destroyAll();
      finish();
      return;
    }
    server.close(() => finish());
    if (graceMs <= 0 || sockets.size === 0) destroyAll();
    else {
      graceTimer = setTimeout(destroyAll, graceMs);
      graceTimer.unref();
    }
  });
}
