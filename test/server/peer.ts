import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet } from '../../src/protocol/types';
import type { Transport } from '../../src/transport/transport';
import { Recorder, until } from '../transport/helpers';

/** The client end of a connection in a driver test: records chunks and decodes what the server sent. */
export class Peer {
  readonly recorder: Recorder;
  readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
    this.recorder = new Recorder(transport);
  }

  /** Every packet received so far, decoded at level 5. */
  packets(): Packet[] {
    return new FrameDecoder({ protocolLevel: 5 }).push(this.recorder.bytes);
  }

  async waitForPackets(n: number): Promise<Packet[]> {
    await until(() => this.packets().length >= n, `${n} packets from the server`);
    return this.packets();
  }
}
