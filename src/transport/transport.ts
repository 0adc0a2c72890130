/**
 * The one shape every byte stream takes towards a driver: TCP and TLS sockets, WebSocket
 * connections and the in-process pair all adapt to it, so the broker and client drivers never
 * see which one they are talking over.
 */
export interface Transport {
  /** e.g. `127.0.0.1:50312`, `[::1]:50312`, or `in-process`. */
  readonly remoteAddress: string;
  /**
   * Queues `chunk` for the peer; ownership of the buffer passes to the transport. Returns false
   * when the transport's buffer is full: the data is still queued, and `onDrain` fires once it
   * has gone out.
   */
  write(chunk: Buffer): boolean;
  /** Closes gracefully, after what was written has gone out. */
  close(): void;
  /** Closes at once, dropping anything not yet sent. */
  destroy(): void;
  /** Bytes from the peer, in order. */
  onData(cb: (chunk: Buffer) => void): void;
  /** Fires once when the connection is gone, with the error that ended it if any. */
  onClose(cb: (error: Error | undefined) => void): void;
  /** Fires when a write that returned false has gone out. */
  onDrain(cb: () => void): void;
}

/** A server-side listener (TCP, TLS or WebSocket) that hands each accepted connection on. */
export interface TransportListener {
  /** The address actually bound (with the real port when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  /** Errors of the listening server after it started listening. */
  onError(cb: (error: Error) => void): void;
  /**
   * Stops accepting at once. Connections still open after `graceMs` are destroyed; resolves
   * when the listener has fully released its port (or, failing that, after a further bound).
   */
  close(graceMs: number): Promise<void>;
}

export type TransportHandler = (transport: Transport) => void;

/** `host:port`, with an IPv6 host in brackets. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  const h = host ?? 'unknown';
  const shown = h.includes(':') ? `[${h}]` : h;
  return port === undefined ? shown : `${shown}:${port}`;
}
