import type { Socket } from 'node:net';
import { encodePacket } from '../../src/protocol/encode';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet, ProtocolLevel } from '../../src/protocol/types';
import { until } from '../transport/helpers';

/** Something that carries bytes both ways: a socket, a WebSocket or an in-process end, adapted. */
export interface ByteLink {
  send(bytes: Buffer): void;
  onBytes(cb: (bytes: Buffer) => void): void;
  onClose(cb: () => void): void;
}

export function socketLink(socket: Socket): ByteLink {
  socket.on('error', () => undefined);
  return {
    send: (b) => socket.write(b),
    onBytes: (cb) => socket.on('data', cb),
    onClose: (cb) => socket.once('close', cb),
  };
}

/** A minimal MQTT client for tests: encodes with our codec and decodes what comes back. */
export class TestMqttClient {
  readonly received: Packet[] = [];
  closed = false;
  private readonly link: ByteLink;
  private readonly level: ProtocolLevel;
  private readonly decoder: FrameDecoder;

  constructor(link: ByteLink, level: ProtocolLevel = 5) {
    this.link = link;
    this.level = level;
    this.decoder = new FrameDecoder({ protocolLevel: level });
    link.onBytes((b) => this.received.push(...this.decoder.push(b)));
    link.onClose(() => {
      this.closed = true;
    });
  }

  send(packet: Packet): void {
    this.link.send(encodePacket(packet, this.level));
  }

  connect(clientId: string, extra: Partial<Extract<Packet, { type: 'connect' }>> = {}): void {
    this.send({
      type: 'connect',
      protocolName: this.level === 3 ? 'MQIsdp' : 'MQTT',
      protocolLevel: this.level,
      clientId,
      cleanStart: true,
      keepAlive: 60,
      ...extra,
    });
  }

  /** Waits for the next packet of `type` not yet taken, and takes it. */
  async next<T extends Packet['type']>(type: T): Promise<Extract<Packet, { type: T }>> {
    const isType = (p: Packet): p is Extract<Packet, { type: T }> => p.type === type;
    await until(() => this.received.some(isType), `a ${type.toUpperCase()}`);
    const index = this.received.findIndex(isType);
    const [packet] = this.received.splice(index, 1);
    if (packet === undefined || !isType(packet)) throw new Error(`no ${type}`);
    return packet;
  }

  whenClosed(): Promise<void> {
    return until(() => this.closed, 'the connection to close');
  }
}
