import type { RawData, WebSocket } from 'ws';
import type { Transport } from './transport';

/** Bytes queued in `ws` beyond which `write` reports backpressure. */
const HIGH_WATER_MARK = 64 * 1024;
/** How long a closing handshake may take before the connection is cut. */
const CLOSE_TIMEOUT_MS = 2000;

/** WebSocket close code 1003: the endpoint received a type of data it cannot accept. */
const UNSUPPORTED_DATA = 1003;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Adapts one `ws` connection to `Transport`. MQTT packets travel in binary frames and may span
 * or share frames [MQTT-6.0.0-2], so each frame is just another chunk for the frame decoder.
 */
export class WebSocketTransport implements Transport {
  readonly remoteAddress: string;
  private readonly ws: WebSocket;
  private dataCallbacks: ((chunk: Buffer) => void)[] = [];
  private closeCallbacks: ((error: Error | undefined) => void)[] = [];
  private drainCallbacks: (() => void)[] = [];
  private error: Error | undefined;
  private closed = false;
  /** No more data is delivered once a close has begun (ours, or after a text frame). */
  private closing = false;
  private pendingBytes = 0;
  private needDrain = false;

  constructor(ws: WebSocket, remoteAddress: string) {
    this.ws = ws;
    this.remoteAddress = remoteAddress;
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('error', (err) => {
      this.error ??= err;
    });
    ws.once('close', () => {
      this.closed = true;
      const callbacks = this.closeCallbacks;
      this.closeCallbacks = [];
      for (const cb of callbacks) cb(this.error);
    });
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    if (!isBinary) {
      // [MQTT-6.0.0-1] MQTT Control Packets go in binary frames; any other kind closes the connection.
      this.error = new Error('received a text WebSocket frame; MQTT needs binary frames');
      this.closeWith(UNSUPPORTED_DATA, 'MQTT needs binary frames');
      return;
    }
    const chunk = toBuffer(data);
    for (const cb of this.dataCallbacks) cb(chunk);
  }

  write(chunk: Buffer): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    this.pendingBytes += chunk.length;
    this.ws.send(chunk, { binary: true, compress: false }, () => {
      this.pendingBytes -= chunk.length;
      if (this.needDrain && this.pendingBytes < HIGH_WATER_MARK) {
        this.needDrain = false;
        for (const cb of this.drainCallbacks) cb();
      }
    });
    if (this.pendingBytes >= HIGH_WATER_MARK) this.needDrain = true;
    return !this.needDrain;
  }

  close(): void {
    this.closeWith(1000, '');
  }

  destroy(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private closeWith(code: number, reason: string): void {
    if (this.closing || this.closed) return;
    this.closing = true;
    this.ws.close(code, reason);
    // A peer that never answers the closing handshake must not hold the connection open.
    const timer = setTimeout(() => this.ws.terminate(), CLOSE_TIMEOUT_MS);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.dataCallbacks.push(cb);
  }

  onClose(cb: (error: Error | undefined) => void): void {
    if (this.closed) {
      queueMicrotask(() => cb(this.error));
      return;
    }
    this.closeCallbacks.push(cb);
  }

  onDrain(cb: () => void): void {
    this.drainCallbacks.push(cb);
  }
}
