import type { Socket } from 'node:net';
import type { QoS } from '../src/protocol';
import { readSeqAt, SeenSet, wallClock, writeSeqAt } from './client-seq';
import { Framer, type FrameSink, PacketType, readId, writeAck } from './load/frame';
import { AckFirst, connectBytes, disconnectBytes, publishTemplate, subscribeBytes } from './load/packets';
import { deferred, openSocket, withTimeout } from './load/socket';

/**
 * The peers of `npm run bench:client` outside Node-RED: a subscriber and a publisher on raw
 * sockets, with pre-encoded packets from our codec, MQTT 3.1.1. They count messages (a fixed N),
 * not seconds, and read or write the sequence number in each payload (./client-seq) in place.
 */

/** The peers speak MQTT 3.1.1: nothing here needs 5.0, and it keeps the packets minimal. */
const LEVEL = 4;
/** PUBLISH packets per socket write, at most. */
const PER_WRITE = 128;
/** Userland bytes queued on the socket above which the publisher waits for 'drain'. */
const HIGH_WATER = 512 * 1024;

export interface ReceiveFigures {
  distinct: number;
  duplicates: number;
  malformed: number;
  /** Wall-clock ms of the first msg and of the one that completed the expected count (0: none yet). */
  firstAt: number;
  completeAt: number;
}

function closeSocket(socket: Socket): void {
  if (!socket.destroyed) socket.end(disconnectBytes(LEVEL));
  setTimeout(() => socket.destroy(), 500).unref();
}

/** A subscriber that counts the distinct sequence numbers it receives on one filter. */
export class CountSubscriber implements FrameSink {
  private readonly framer = new Framer();
  private seen = new SeenSet();
  private figures: ReceiveFigures = { distinct: 0, duplicates: 0, malformed: 0, firstAt: 0, completeAt: 0 };
  private target = 0;
  private complete = deferred<void>();
  private acks: number[] = [];
  private readonly connack = deferred<number>();
  private readonly suback = deferred<number>();
  private closing = false;
  error: string | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err.message));
    socket.on('close', () => this.fail('connection closed by the broker'));
  }

  static async connect(port: number, clientId: string, filter: string, qos: QoS): Promise<CountSubscriber> {
    const socket = await openSocket(port);
    const sub = new CountSubscriber(socket);
    try {
      socket.write(connectBytes(clientId, LEVEL));
      const code = await withTimeout(sub.connack.promise, 5000, `CONNACK for ${clientId}`);
      if (code !== 0) throw new Error(`CONNECT of ${clientId} refused with code ${code}`);
      socket.write(subscribeBytes(filter, qos, LEVEL));
      const granted = await withTimeout(sub.suback.promise, 5000, `SUBACK for ${clientId}`);
      if (granted !== qos)
        throw new Error(`SUBSCRIBE ${filter} at QoS ${qos}: granted 0x${granted.toString(16)}`);
    } catch (err) {
      sub.close();
      throw err;
    }
    return sub;
  }

  /** Clears the figures and awaits `n` distinct messages: resolves when they are in. */
  expect(n: number): Promise<void> {
    this.seen = new SeenSet();
    this.figures = { distinct: 0, duplicates: 0, malformed: 0, firstAt: 0, completeAt: 0 };
    this.target = n;
    this.complete = deferred<void>();
    return this.complete.promise;
  }

  snapshot(): ReceiveFigures {
    return { ...this.figures, distinct: this.seen.distinct, duplicates: this.seen.duplicates };
  }

  close(): void {
    this.closing = true;
    closeSocket(this.socket);
  }

  private onData(chunk: Buffer): void {
    this.framer.push(chunk, this);
    if (this.acks.length > 0) {
      const out = Buffer.allocUnsafe(this.acks.length * 4);
      for (let i = 0; i < this.acks.length; i++) writeAck(out, i * 4, AckFirst.puback, this.acks[i] ?? 0);
      this.acks = [];
      this.socket.write(out);
    }
  }

  packet(buf: Buffer, first: number, body: number, end: number): void {
    const type = first >> 4;
    if (type === PacketType.publish) {
      const qos = (first >> 1) & 3;
      let at = body + 2 + readId(buf, body);
      if (qos > 0) {
        this.acks.push(readId(buf, at));
        at += 2;
      }
      this.received(readSeqAt(buf, at, end));
    } else if (type === PacketType.connack) {
      this.connack.resolve(buf[body + 1] ?? 255);
    } else if (type === PacketType.suback) {
      this.suback.resolve(buf[body + 2] ?? 255);
    }
  }

  private received(seq: number): void {
    const now = wallClock();
    if (this.figures.firstAt === 0) this.figures.firstAt = now;
    if (seq < 0) {
      this.figures.malformed++;
      return;
    }
    if (this.seen.add(seq) && this.seen.distinct === this.target) {
      this.figures.completeAt = now;
      this.complete.resolve();
    }
  }

  private fail(reason: string): void {
    const error = new Error(reason);
    this.connack.reject(error);
    this.suback.reject(error);
    if (this.closing) return;
    this.error ??= reason;
    this.complete.reject(error);
  }
}

export interface SendFigures {
  /** Wall-clock ms before the first write, after the last write, and when the last PUBACK came. */
  startedAt: number;
  writtenAt: number;
  ackedAt: number;
}

/** A publisher that sends messages 0..n-1 to one topic, as fast as the socket (and window) allow. */
export class CountPublisher implements FrameSink {
  private readonly framer = new Framer();
  /** Per packet id: 1 while awaiting PUBACK. */
  private readonly inFlight = new Uint8Array(65536);
  private nextId = 1;
  private inflight = 0;
  private readonly connack = deferred<number>();
  private job: (() => void) | undefined;
  private closing = false;
  private abort: ((error: Error) => void) | undefined;
  error: string | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk, this);
      this.job?.();
    });
    socket.on('drain', () => this.job?.());
    socket.on('error', (err) => this.fail(err.message));
    socket.on('close', () => this.fail('connection closed by the broker'));
  }

  static async connect(port: number, clientId: string): Promise<CountPublisher> {
    const socket = await openSocket(port);
    const pub = new CountPublisher(socket);
    try {
      socket.write(connectBytes(clientId, LEVEL));
      const code = await withTimeout(pub.connack.promise, 5000, `CONNACK for ${clientId}`);
      if (code !== 0) throw new Error(`CONNECT of ${clientId} refused with code ${code}`);
    } catch (err) {
      pub.close();
      throw err;
    }
    return pub;
  }

  /**
   * Sends messages `0..n-1` with `size`-byte payloads; at QoS 1 keeps at most `window` unacknowledged.
   * Resolves once all are written (QoS 0) or acknowledged (QoS 1).
   */
  send(topic: string, qos: QoS, n: number, size: number, window: number): Promise<SendFigures> {
    if (this.job !== undefined) return Promise.reject(new Error('a send is running'));
    const template = publishTemplate(topic, qos, size, LEVEL);
    const len = template.bytes.length;
    template.bytes.fill(0x78, template.payloadOffset);
    const figures: SendFigures = { startedAt: wallClock(), writtenAt: 0, ackedAt: 0 };
    const done = deferred<SendFigures>();
    let sent = 0;
    const pump = (): void => {
      while (sent < n && this.socket.writableLength <= HIGH_WATER) {
        const room = qos === 0 ? PER_WRITE : Math.min(PER_WRITE, window - this.inflight);
        if (room < Math.min(PER_WRITE, n - sent)) break;
        const k = Math.min(room, n - sent);
        const buf = Buffer.allocUnsafe(k * len);
        for (let i = 0; i < k; i++) {
          const at = i * len;
          template.bytes.copy(buf, at);
          if (template.idOffset >= 0) buf.writeUInt16BE(this.allocateId(), at + template.idOffset);
          writeSeqAt(buf, at + template.payloadOffset, sent + i);
        }
        this.socket.write(buf);
        sent += k;
      }
      if (sent === n && figures.writtenAt === 0) figures.writtenAt = wallClock();
      if (sent === n && this.inflight === 0) {
        figures.ackedAt = wallClock();
        this.job = undefined;
        this.abort = undefined;
        done.resolve(figures);
      }
    };
    this.job = pump;
    this.abort = (error) => {
      this.job = undefined;
      this.abort = undefined;
      done.reject(error);
    };
    pump();
    return done.promise;
  }

  close(): void {
    this.closing = true;
    closeSocket(this.socket);
  }

  packet(buf: Buffer, first: number, body: number): void {
    const type = first >> 4;
    if (type === PacketType.puback) {
      const id = readId(buf, body);
      if (this.inFlight[id] === 1) {
        this.inFlight[id] = 0;
        this.inflight--;
      }
    } else if (type === PacketType.connack) {
      this.connack.resolve(buf[body + 1] ?? 255);
    }
  }

  private allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id === 65535 ? 1 : id + 1;
      if (this.inFlight[id] === 0) {
        this.inFlight[id] = 1;
        this.inflight++;
        return id;
      }
    }
  }

  private fail(reason: string): void {
    const error = new Error(reason);
    this.connack.reject(error);
    if (this.closing) return;
    this.error ??= reason;
    this.abort?.(error);
  }
}
