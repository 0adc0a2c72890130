import type { Socket } from 'node:net';
import type { ProtocolLevel, QoS } from '../../src/protocol';
import type { ProgressBoard } from './board';
import type { Clock } from './clock';
import { Framer, type FrameSink, PacketType, readId, writeAck } from './frame';
import { AckFirst, connectBytes, disconnectBytes, PAYLOAD_HEADER, subscribeBytes } from './packets';
import { deferred, openSocket, withTimeout } from './socket';
import type { GroupTracker, LatencyHistogram } from './tracker';

export interface SubscriberConfig {
  port: number;
  clientId: string;
  filter: string;
  qos: QoS;
  level: ProtocolLevel;
}

/** The measurement window, in clock ms: deliveries and latencies count only inside it. */
export interface Window {
  from: number;
  to: number;
}

const MAX_ACKS = 65536;

/**
 * One subscribing connection. It scans fixed headers, reads the packet id and the payload's
 * publisher index, sequence number and send time in place, and answers each read's QoS 1/2
 * packets with one write of four-byte acknowledgements.
 */
export class Subscriber implements FrameSink {
  private readonly framer = new Framer();
  private readonly ackFirst = new Uint8Array(MAX_ACKS);
  private readonly ackId = new Uint16Array(MAX_ACKS);
  private ackCount = 0;
  private now = 0;
  private inWindow = false;
  private window: Window = { from: Number.POSITIVE_INFINITY, to: Number.POSITIVE_INFINITY };
  /** Deliveries inside the window. */
  delivered = 0;
  /** Publishes too short to carry the generator's payload header. */
  malformed = 0;
  error: string | undefined;
  private closing = false;
  private readonly connack = deferred<number>();
  private readonly suback = deferred<number>();

  private constructor(
    private readonly socket: Socket,
    private readonly config: SubscriberConfig,
    private readonly tracker: GroupTracker,
    private readonly histogram: LatencyHistogram,
    private readonly board: ProgressBoard,
    private readonly clock: Clock,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err.message));
    socket.on('close', () => this.fail('connection closed by the broker'));
  }

  static async connect(
    config: SubscriberConfig,
    tracker: GroupTracker,
    histogram: LatencyHistogram,
    board: ProgressBoard,
    clock: Clock,
  ): Promise<Subscriber> {
    const socket = await openSocket(config.port);
    const sub = new Subscriber(socket, config, tracker, histogram, board, clock);
    socket.write(connectBytes(config.clientId, config.level));
    const code = await withTimeout(sub.connack.promise, 5000, `CONNACK for ${config.clientId}`);
    if (code !== 0) throw new Error(`CONNECT of ${config.clientId} refused with code ${code}`);
    socket.write(subscribeBytes(config.filter, config.qos, config.level));
    const granted = await withTimeout(sub.suback.promise, 5000, `SUBACK for ${config.clientId}`);
    if (granted !== config.qos) {
      throw new Error(
        `SUBSCRIBE ${config.filter} at QoS ${config.qos}: the broker answered 0x${granted.toString(16)}`,
      );
    }
    return sub;
  }

  setWindow(window: Window): void {
    this.window = window;
  }

  close(): void {
    this.closing = true;
    if (!this.socket.destroyed) this.socket.end(disconnectBytes(this.config.level));
    setTimeout(() => this.socket.destroy(), 500).unref();
  }

  private onData(chunk: Buffer): void {
    const now = this.clock();
    this.now = now;
    this.inWindow = now >= this.window.from && now < this.window.to;
    this.framer.push(chunk, this);
    this.flushAcks();
    this.tracker.post(this.board);
    this.board.bump();
  }

  packet(buf: Buffer, first: number, body: number, end: number): void {
    const type = first >> 4;
    if (type === PacketType.publish) {
      const qos = (first >> 1) & 3;
      let at = body + 2 + readId(buf, body);
      let id = 0;
      if (qos > 0) {
        id = readId(buf, at);
        at += 2;
      }
      if (this.config.level === 5) at = skipProperties(buf, at);
      if (end - at < PAYLOAD_HEADER) {
        this.malformed++;
      } else {
        this.tracker.record(buf.readUInt32LE(at), buf.readUInt32LE(at + 4));
        if (this.inWindow) {
          this.delivered++;
          this.histogram.add(this.now - buf.readDoubleLE(at + 8));
        }
      }
      if (qos === 1) this.ack(AckFirst.puback, id);
      else if (qos === 2) this.ack(AckFirst.pubrec, id);
    } else if (type === PacketType.pubrel) {
      this.ack(AckFirst.pubcomp, readId(buf, body));
    } else if (type === PacketType.connack) {
      this.connack.resolve(buf[body + 1] ?? 255);
    } else if (type === PacketType.suback) {
      const at = this.config.level === 5 ? skipProperties(buf, body + 2) : body + 2;
      this.suback.resolve(buf[at] ?? 255);
    }
  }

  private ack(first: number, id: number): void {
    if (this.ackCount === MAX_ACKS) this.flushAcks();
    this.ackFirst[this.ackCount] = first;
    this.ackId[this.ackCount++] = id;
  }

  private flushAcks(): void {
    const n = this.ackCount;
    if (n === 0) return;
    const out = Buffer.allocUnsafe(n * 4);
    for (let i = 0; i < n; i++) writeAck(out, i * 4, this.ackFirst[i] ?? 0, this.ackId[i] ?? 0);
    this.ackCount = 0;
    this.socket.write(out);
  }

  private fail(reason: string): void {
    this.connack.reject(new Error(`${this.config.clientId}: ${reason}`));
    this.suback.reject(new Error(`${this.config.clientId}: ${reason}`));
    if (!this.closing) this.error ??= reason;
  }
}

/** Skips a 5.0 property list (its Variable Byte Integer length, then that many bytes). */
function skipProperties(buf: Buffer, at: number): number {
  let length = 0;
  let multiplier = 1;
  let i = at;
  for (let n = 0; n < 4; n++) {
    const byte = buf[i++] ?? 0;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) break;
    multiplier *= 128;
  }
  return i + length;
}
