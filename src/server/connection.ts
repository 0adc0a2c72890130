import { FrameDecoder } from '../protocol/frame-decoder';
import type { Transport } from '../transport/transport';
import type { ConnectionStats } from './types';

/** What the driver keeps for one open connection: its transport, its decoder and its counters. */
export class ServerConnection {
  readonly id: number;
  readonly transport: Transport;
  readonly listener: string;
  /** Server side: no protocol level until the CONNECT tells it. */
  readonly decoder: FrameDecoder;
  bytesReceived = 0;
  bytesSent = 0;
  needDrain = false;
  backpressureEvents = 0;
  /** Input is ignored from here on: the stream was rejected, or the connection is closing. */
  inputClosed = false;

  constructor(id: number, transport: Transport, listener: string, maximumPacketSize: number) {
    this.id = id;
    this.transport = transport;
    this.listener = listener;
    this.decoder = new FrameDecoder({ maximumPacketSize });
    transport.onDrain(() => {
      this.needDrain = false;
    });
  }

  /** Writes one coalesced buffer. The engine bounds what it queues, so a full buffer is only noted. */
  send(bytes: Buffer): void {
    this.bytesSent += bytes.length;
    if (this.transport.write(bytes)) return;
    if (!this.needDrain) this.backpressureEvents++;
    this.needDrain = true;
  }

  /** Ends the connection after what was written has gone out. */
  end(): void {
    this.inputClosed = true;
    this.transport.close();
  }

  stats(): ConnectionStats {
    return {
      connectionId: this.id,
      listener: this.listener,
      remoteAddress: this.transport.remoteAddress,
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      writableNeedDrain: this.needDrain,
      backpressureEvents: this.backpressureEvents,
    };
  }
}
