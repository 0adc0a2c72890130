import type { Socket } from 'node:net';
import { formatAddress, type Transport } from './transport';

/** How long a gracefully ended socket may wait for the peer's FIN before it is destroyed. */
const END_TIMEOUT_MS = 2000;

/** Adapts a `net.Socket` (or a `tls.TLSSocket`, which is one) to `Transport`. */
export class SocketTransport implements Transport {
  readonly remoteAddress: string;
  private readonly socket: Socket;
  private closeCallbacks: ((error: Error | undefined) => void)[] = [];
  private error: Error | undefined;
  private closed = false;
  private ending = false;

  constructor(socket: Socket) {
    this.socket = socket;
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    socket.setNoDelay(true);
    // An 'error' is always followed by 'close'; keep it to report there, and never let it throw.
    socket.on('error', (err) => {
      this.error ??= err;
    });
    socket.once('close', () => {
      this.closed = true;
      const callbacks = this.closeCallbacks;
      this.closeCallbacks = [];
      for (const cb of callbacks) cb(this.error);
    });
  }

  write(chunk: Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    return this.socket.write(chunk);
  }

  close(): void {
    if (this.ending || this.socket.destroyed) return;
    this.ending = true;
    this.socket.end();
    // A peer that never closes its side must not hold the socket open.
    const timer = setTimeout(() => this.socket.destroy(), END_TIMEOUT_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  destroy(): void {
    this.socket.destroy();
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.socket.on('data', cb);
  }

  onClose(cb: (error: Error | undefined) => void): void {
    if (this.closed) {
      queueMicrotask(() => cb(this.error));
      return;
    }
    this.closeCallbacks.push(cb);
  }

  onDrain(cb: () => void): void {
    this.socket.on('drain', cb);
  }
}
