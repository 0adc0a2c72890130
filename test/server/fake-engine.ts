import { newCounters } from '../../src/broker/counters';
import type {
  BrokerCounters,
  BrokerEngine,
  ConnectionInfo,
  ConnectionOutput,
} from '../../src/broker/engine-api';
import type { BrokerEvent } from '../../src/broker/types';
import type { MqttError } from '../../src/protocol/errors';
import type { Packet, ProtocolLevel } from '../../src/protocol/types';
import type { StoreOp } from '../../src/store/types';

/**
 * A broker engine that records every call and answers only as a test tells it, through
 * `queue` and the `onReceive` / `onShutdown` hooks.
 */
export class FakeEngine implements BrokerEngine {
  maximumPacketSize = 1024;
  readonly connections = new Map<number, ConnectionInfo>();
  readonly received: { id: number; packet: Packet }[] = [];
  readonly rejected: { id: number; error: MqttError }[] = [];
  readonly closedIds: number[] = [];
  readonly bytes = { received: 0, sent: 0 };
  ticks = 0;
  drains = 0;
  shutdowns = 0;
  onReceive: (id: number, packet: Packet) => void = () => undefined;
  /** By default a shutdown tells every connection 0x8B Server shutting down and closes it. */
  onShutdown: () => void = () => this.disconnectAll(0x8b);
  readonly counters: BrokerCounters = newCounters();
  private nextId = 1;
  private pending: ConnectionOutput[] = [];
  private events: BrokerEvent[] = [];

  /** Queues packets for a connection, as the engine would for the next `drain`. */
  queue(connectionId: number, packets: Packet[], close = false, protocolLevel: ProtocolLevel = 5): void {
    this.pending.push({ connectionId, packets, close, protocolLevel });
  }

  report(event: BrokerEvent): void {
    this.events.push(event);
  }

  /** Queues a DISCONNECT with `reasonCode` and a close for every open connection. */
  disconnectAll(reasonCode: number): void {
    for (const id of this.connections.keys()) this.queue(id, [{ type: 'disconnect', reasonCode }], true);
  }

  open(info: ConnectionInfo): number {
    const id = this.nextId++;
    this.connections.set(id, info);
    return id;
  }

  receive(connectionId: number, packet: Packet): void {
    this.received.push({ id: connectionId, packet });
    this.onReceive(connectionId, packet);
  }

  receiveAll(connectionId: number, packets: readonly Packet[]): void {
    for (const packet of packets) this.receive(connectionId, packet);
  }

  reject(connectionId: number, error: MqttError): void {
    this.rejected.push({ id: connectionId, error });
    this.queue(connectionId, [{ type: 'disconnect', reasonCode: error.reasonCode }], true);
  }

  closed(connectionId: number): void {
    this.closedIds.push(connectionId);
    this.connections.delete(connectionId);
  }

  tick(): void {
    this.ticks++;
  }

  countBytes(received: number, sent: number): void {
    this.bytes.received += received;
    this.bytes.sent += sent;
  }

  drain(): ConnectionOutput[] {
    this.drains++;
    const out = this.pending;
    this.pending = [];
    return out;
  }

  takeStoreOps(): StoreOp[] {
    return [];
  }

  takeEvents(): BrokerEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  shutdown(): void {
    this.shutdowns++;
    this.onShutdown();
  }
}
