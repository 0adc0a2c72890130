import { createServer, type Socket } from 'node:net';
import { Framer, type FrameSink, PacketType } from './frame';

/**
 * The generator's ceiling reference: a trivial "broker" that does no broker work. It answers
 * CONNECT, SUBSCRIBE and PINGREQ, and otherwise forwards bytes unchanged: publishers' PUBLISH and
 * PUBREL packets to every subscriber (fan-in concatenates the publishers' streams, cut only at
 * packet boundaries so they interleave whole), and the first subscriber's PUBACK/PUBREC/PUBCOMP to
 * every publisher. Publishers use disjoint packet-id ranges, so each ignores the others' acks.
 *
 * Usage: node forwarder.js <port>; listens on 127.0.0.1 only.
 */

const subscribers: Socket[] = [];
const publishers = new Set<Socket>();

function reply(socket: Socket, bytes: number[]): void {
  socket.write(Buffer.from(bytes));
}

function protocolLevelOf(buf: Buffer, body: number): number {
  // CONNECT: protocol name (2-byte length + "MQTT"), then the level byte.
  return buf[body + 2 + (((buf[body] ?? 0) << 8) | (buf[body + 1] ?? 0))] ?? 4;
}

/** Per connection: answers the handshake and collects the byte ranges to forward. */
class Connection implements FrameSink {
  private readonly framer = new Framer();
  private level = 4;
  private pieces: Buffer[] = [];
  private pieceStart = -1;
  private cursor = 0;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      publishers.delete(socket);
      const i = subscribers.indexOf(socket);
      if (i >= 0) subscribers.splice(i, 1);
    });
  }

  private onData(chunk: Buffer): void {
    this.cursor = 0;
    this.pieceStart = -1;
    const complete = this.framer.push(chunk, this);
    if (this.pieceStart >= 0) this.pieces.push(complete.subarray(this.pieceStart, this.cursor));
    const pieces = this.pieces;
    this.pieces = [];
    if (pieces.length === 0) return;
    const targets = publishers.has(this.socket)
      ? subscribers
      : subscribers[0] === this.socket
        ? [...publishers]
        : [];
    for (const piece of pieces) for (const target of targets) target.write(piece);
  }

  packet(buf: Buffer, first: number, body: number, end: number): void {
    const start = this.cursor;
    this.cursor = end;
    const type = first >> 4;
    let forward = false;
    switch (type) {
      case PacketType.publish:
        publishers.add(this.socket);
        forward = true;
        break;
      case PacketType.pubrel:
      case PacketType.puback:
      case PacketType.pubrec:
      case PacketType.pubcomp:
        forward = true;
        break;
      case PacketType.connect:
        this.level = protocolLevelOf(buf, body);
        reply(this.socket, this.level === 5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]);
        break;
      case PacketType.subscribe: {
        subscribers.push(this.socket);
        const granted = (buf[end - 1] ?? 0) & 3;
        const id = [buf[body] ?? 0, buf[body + 1] ?? 0];
        reply(this.socket, this.level === 5 ? [0x90, 4, ...id, 0, granted] : [0x90, 3, ...id, granted]);
        break;
      }
      case PacketType.pingreq:
        reply(this.socket, [0xd0, 0]);
        break;
      default:
    }
    if (forward) {
      if (this.pieceStart < 0) this.pieceStart = start;
    } else if (this.pieceStart >= 0) {
      this.pieces.push(buf.subarray(this.pieceStart, start));
      this.pieceStart = -1;
    }
  }
}

const port = Number(process.argv[2]);
const server = createServer({ noDelay: true }, (socket) => new Connection(socket));
server.listen(port, '127.0.0.1', () => console.log(`forwarder listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
