import type { MqttError } from '../protocol/errors';
import type { Packet, ProtocolLevel } from '../protocol/types';
import type { StoreOp } from '../store/types';
import type { BrokerEvent } from './types';

/** What a transport knows about a new network connection. */
export interface ConnectionInfo {
  /** e.g. `127.0.0.1:50312`, or `in-process`. */
  remoteAddress: string;
  /** The listener's name, for ACL rules and events. */
  listener: string;
}

/** Packets to write to one connection, and whether to close it after writing them. */
export interface ConnectionOutput {
  connectionId: number;
  /** The level to encode at (5 until the CONNECT has told otherwise). */
  protocolLevel: ProtocolLevel;
  packets: Packet[];
  close: boolean;
}

export interface BrokerCounters {
  clientsConnected: number;
  clientsTotal: number;
  clientsMaximum: number;
  messagesReceived: number;
  messagesSent: number;
  publishReceived: number;
  publishSent: number;
  publishDropped: number;
  bytesReceived: number;
  bytesSent: number;
  subscriptions: number;
  retainedMessages: number;
  sessions: number;
}

/**
 * The broker engine as a driver sees it. Every call is synchronous and does no I/O; after a
 * batch of calls the driver takes the output with `drain()` and writes it.
 */
export interface BrokerEngine {
  /** Largest packet the engine accepts, for each connection's frame decoder. */
  readonly maximumPacketSize: number;
  /** A transport accepted a connection; returns its id. */
  open(info: ConnectionInfo): number;
  /** A packet decoded on that connection. */
  receive(connectionId: number, packet: Packet): void;
  /** The packets decoded from one chunk of that connection's input, in order. */
  receiveAll(connectionId: number, packets: readonly Packet[]): void;
  /** The connection's byte stream was invalid: answer with the error's reason code and close. */
  reject(connectionId: number, error: MqttError): void;
  /** The transport closed (or failed); the connection is gone. */
  closed(connectionId: number): void;
  /** Advances time: keep alive, connect timeout, will delay, session and message expiry, $SYS. */
  tick(): void;
  /** Bytes moved on the wire, for $SYS and the counters. */
  countBytes(received: number, sent: number): void;
  /** Everything to write and close since the last call. */
  drain(): ConnectionOutput[];
  /** Events since the last call. */
  takeEvents(): BrokerEvent[];
  /**
   * Changes to durable state since the last call, for the store. The driver applies them before
   * writing the packets drained with them when durability is 'sync'.
   */
  takeStoreOps(): StoreOp[];
  /** Tells every client the server is shutting down (0x8B) and closes all connections. */
  shutdown(): void;
  readonly counters: Readonly<BrokerCounters>;
}
