import type { Socket } from 'node:net';
import type { ProtocolLevel, QoS } from '../../src/protocol';
import type { ProgressBoard } from './board';
import type { Clock } from './clock';
import { Framer, type FrameSink, PacketType, readId, writeAck } from './frame';
import { AckFirst, connectBytes, disconnectBytes, type PublishTemplate, publishTemplate } from './packets';
import { deferred, openSocket, withTimeout } from './socket';

/** What a publisher needs; plain data, so that it can be handed to a worker thread. */
export interface PublisherConfig {
  index: number;
  port: number;
  clientId: string;
  topic: string;
  qos: QoS;
  level: ProtocolLevel;
  payloadSize: number;
  /** QoS 1/2 packets in flight towards the broker. */
  window: number;
  /** Messages sent but not yet seen by the slowest receiving group (flow control at every QoS). */
  outstanding: number;
  /** PUBLISH packets per socket write, at most. */
  perBatch: number;
  /** Packet ids this publisher uses: disjoint ranges, so a forwarder may broadcast acknowledgements. */
  idLow: number;
  idHigh: number;
}

export interface PublisherStats {
  sent: number;
  /** Acknowledgements for an id this publisher had not in flight (in its own range): a broker bug. */
  unexpectedAcks: number;
  error?: string;
}

/** Userland bytes queued on the socket above which the publisher waits for 'drain'. */
const HIGH_WATER = 256 * 1024;
const RING = 8;
/** Batches per event-loop turn, so that receiving sockets in the same thread get their turn. */
const BATCHES_PER_TURN = 16;
const PROGRESS_WAIT_MS = 20;

interface Slot {
  buf: Buffer;
  busy: boolean;
  release: () => void;
}

/**
 * One publishing connection. It writes many pre-encoded PUBLISH packets per socket write, patching
 * the packet id, sequence number and send time in place, and keeps at most `window` QoS 1/2 packets
 * and at most `outstanding` undelivered messages in flight.
 */
export class Publisher implements FrameSink {
  private readonly framer = new Framer();
  private readonly template: PublishTemplate;
  private readonly ring: Slot[];
  /** Per packet id: 0 free, 1 awaiting PUBACK/PUBREC, 2 awaiting PUBCOMP. */
  private readonly state = new Uint8Array(65536);
  private readonly pubrels = new Uint16Array(65536);
  private pubrelCount = 0;
  private nextId: number;
  private sent = 0;
  private inflight = 0;
  private unexpectedAcks = 0;
  private running = false;
  private stopping = false;
  private finished = false;
  private waitingForProgress = false;
  private stopAt = Number.POSITIVE_INFINITY;
  private error: string | undefined;
  private readonly connack = deferred<number>();
  private readonly done = deferred<PublisherStats>();

  private constructor(
    private readonly socket: Socket,
    private readonly config: PublisherConfig,
    private readonly board: ProgressBoard,
    private readonly clock: Clock,
  ) {
    this.template = publishTemplate(config.topic, config.qos, config.payloadSize, config.level);
    this.nextId = config.idLow;
    this.ring = Array.from({ length: RING }, () => this.slot());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.pump());
    socket.on('error', (err) => this.fail(err.message));
    socket.on('close', () => this.fail('connection closed by the broker'));
  }

  static async connect(config: PublisherConfig, board: ProgressBoard, clock: Clock): Promise<Publisher> {
    const socket = await openSocket(config.port);
    const publisher = new Publisher(socket, config, board, clock);
    socket.write(connectBytes(config.clientId, config.level));
    const code = await withTimeout(publisher.connack.promise, 5000, `CONNACK for ${config.clientId}`);
    if (code !== 0) throw new Error(`CONNECT of ${config.clientId} refused with code ${code}`);
    return publisher;
  }

  private slot(): Slot {
    const { bytes, payloadOffset } = this.template;
    const buf = Buffer.alloc(bytes.length * this.config.perBatch);
    for (let k = 0; k < this.config.perBatch; k++) {
      bytes.copy(buf, k * bytes.length);
      buf.writeUInt32LE(this.config.index, k * bytes.length + payloadOffset);
    }
    const slot: Slot = { buf, busy: false, release: () => undefined };
    slot.release = () => {
      slot.busy = false;
      this.pump();
    };
    return slot;
  }

  /** Starts publishing now and stops at `stopAt` (clock ms); resolves once all it sent is acknowledged. */
  start(stopAt: number): Promise<PublisherStats> {
    this.running = true;
    this.stopAt = stopAt;
    setTimeout(() => this.pump(), Math.max(0, stopAt - this.clock()) + 1).unref();
    this.pump();
    return this.done.promise;
  }

  close(): void {
    if (!this.socket.destroyed) this.socket.end(disconnectBytes(this.config.level));
    setTimeout(() => this.socket.destroy(), 500).unref();
  }

  private readonly pump = (): void => {
    if (!this.running || this.finished) return;
    for (let batch = 0; batch < BATCHES_PER_TURN; batch++) {
      if (this.stopping || this.clock() >= this.stopAt) {
        this.stopping = true;
        this.checkFinished();
        return;
      }
      const room = this.room();
      if (room <= 0 || this.socket.writableLength > HIGH_WATER) return;
      const slot = this.ring.find((s) => !s.busy);
      if (slot === undefined) return;
      this.write(slot, room);
    }
    setImmediate(this.pump);
  };

  /**
   * How many packets may go now; arranges a wake-up when the end-to-end bound is what stops it.
   * Sending resumes only once a quarter of a bound (or a whole batch) is free, so that a saturated
   * broker gets a few large writes rather than a packet at a time.
   */
  private room(): number {
    const c = this.config;
    let room = c.perBatch;
    if (c.qos > 0) {
      room = c.window - this.inflight;
      if (room < Math.min(c.perBatch, Math.max(1, c.window >> 2))) return 0; // an acknowledgement pumps again
    }
    const free = c.outstanding - (this.sent - this.board.minSeen(c.index));
    if (free < Math.min(c.perBatch, Math.max(1, c.outstanding >> 2))) {
      if (!this.waitingForProgress) {
        this.waitingForProgress = true;
        void this.board.waitForProgress(PROGRESS_WAIT_MS).then(() => {
          this.waitingForProgress = false;
          this.pump();
        });
      }
      return 0;
    }
    return Math.min(room, free, c.perBatch);
  }

  private write(slot: Slot, n: number): void {
    const { bytes, idOffset, payloadOffset } = this.template;
    const len = bytes.length;
    const buf = slot.buf;
    const sentAt = this.clock();
    for (let k = 0; k < n; k++) {
      const at = k * len;
      if (idOffset >= 0) {
        const id = this.allocateId();
        buf[at + idOffset] = id >> 8;
        buf[at + idOffset + 1] = id & 0xff;
      }
      buf.writeUInt32LE(this.sent + k, at + payloadOffset + 4);
      buf.writeDoubleLE(sentAt, at + payloadOffset + 8);
    }
    slot.busy = true;
    this.socket.write(n === this.config.perBatch ? buf : buf.subarray(0, n * len), slot.release);
    this.sent += n;
    if (idOffset >= 0) this.inflight += n;
    this.board.setSent(this.config.index, this.sent);
  }

  private allocateId(): number {
    const { idLow, idHigh } = this.config;
    for (;;) {
      const id = this.nextId;
      this.nextId = id >= idHigh ? idLow : id + 1;
      if (this.state[id] === 0) {
        this.state[id] = 1;
        return id;
      }
    }
  }

  private onData(chunk: Buffer): void {
    this.framer.push(chunk, this);
    if (this.pubrelCount > 0) {
      const out = Buffer.allocUnsafe(this.pubrelCount * 4);
      for (let i = 0; i < this.pubrelCount; i++) writeAck(out, i * 4, AckFirst.pubrel, this.pubrels[i] ?? 0);
      this.pubrelCount = 0;
      this.socket.write(out);
    }
    this.pump();
  }

  packet(buf: Buffer, first: number, body: number): void {
    switch (first >> 4) {
      case PacketType.puback:
        this.acknowledged(readId(buf, body), 1);
        return;
      case PacketType.pubrec: {
        const id = readId(buf, body);
        if (this.state[id] === 1) {
          this.state[id] = 2;
          this.pubrels[this.pubrelCount++] = id;
        } else if (this.mine(id)) {
          this.unexpectedAcks++;
        }
        return;
      }
      case PacketType.pubcomp:
        this.acknowledged(readId(buf, body), 2);
        return;
      case PacketType.connack:
        this.connack.resolve(buf[body + 1] ?? 255);
        return;
      default:
    }
  }

  /** Ids outside this publisher's range are other publishers' (broadcast by the forwarder). */
  private mine(id: number): boolean {
    return id >= this.config.idLow && id <= this.config.idHigh;
  }

  private acknowledged(id: number, expected: number): void {
    if (this.state[id] === expected) {
      this.state[id] = 0;
      this.inflight--;
      if (this.stopping) this.checkFinished();
    } else if (this.mine(id)) {
      this.unexpectedAcks++;
    }
  }

  private checkFinished(): void {
    if (this.finished || this.inflight > 0) return;
    this.finished = true;
    this.board.setDone(this.config.index);
    const stats: PublisherStats = { sent: this.sent, unexpectedAcks: this.unexpectedAcks };
    if (this.error !== undefined) stats.error = this.error;
    this.done.resolve(stats);
  }

  private fail(reason: string): void {
    this.connack.reject(new Error(`${this.config.clientId}: ${reason}`));
    if (this.finished) return;
    this.error ??= reason;
    this.inflight = 0;
    this.stopping = true;
    this.checkFinished();
  }
}
