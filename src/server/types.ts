import type { Server as HttpServer } from 'node:http';
import type { BrokerEvent } from '../broker/types';
import type { BrokerStore } from '../store/types';
import type { TlsCredentials } from '../transport/tls';

export type ListenerType = 'tcp' | 'tls' | 'ws';

/** One network listener of a broker. */
export interface ListenerConfig {
  /** Unique per server; ACL rules and events name the listener a connection came in on. */
  name: string;
  type: ListenerType;
  /** Bind address; `127.0.0.1` (localhost only) when absent, `0.0.0.0` or `::` for every interface. */
  host?: string;
  /** 0 picks a free port. Defaults: 1883 for tcp, 8883 for tls; ws needs a port or an `httpServer`. */
  port?: number;
  /** Key material: required for tls, and turns a ws listener on its own port into wss. */
  tls?: TlsCredentials;
  /** ws only: the path to serve MQTT at, e.g. `/mqtt` (any path on an own port when absent). */
  path?: string;
  /** ws only: attach at `path` of this existing HTTP server instead of opening a port. */
  httpServer?: HttpServer;
}

/** A listener that is accepting connections. */
export interface ListeningInfo {
  name: string;
  type: ListenerType;
  host: string;
  port: number;
  /** e.g. `mqtt://127.0.0.1:1883`, `mqtts://…`, `ws://127.0.0.1:8080/mqtt`. */
  url: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

export interface BrokerServerOptions {
  /** Milliseconds between `engine.tick()` calls; 1000 by default. */
  tickInterval?: number;
  /** Milliseconds `close()` lets connections end gracefully before destroying them; 3000 by default. */
  closeTimeout?: number;
  log?: Log;
  /**
   * Where the engine's durable state goes (the engine must be created with `persistent: true`
   * and restored from `store.load()` before listening). The server does not close the store.
   */
  store?: BrokerStore;
  /**
   * 'sync' (default): packets wait until the store has their changes, so an acknowledged QoS 1/2
   * message survives a crash. 'periodic': packets go out at once and the store catches up.
   */
  durability?: 'sync' | 'periodic';
}

export interface ConnectionStats {
  connectionId: number;
  listener: string;
  remoteAddress: string;
  bytesReceived: number;
  bytesSent: number;
  /** The last write returned false and the transport has not drained since. */
  writableNeedDrain: boolean;
  /** How many times a write has hit a full transport buffer. */
  backpressureEvents: number;
}

export interface BrokerServerStats {
  connections: number;
  /** Connections whose transport buffer is full right now. */
  writableNeedDrain: number;
  perConnection: ConnectionStats[];
}

/** The events a `BrokerServer` emits. */
export interface BrokerServerEvents {
  /** What the engine reports: connects, disconnects, subscriptions, publishes, refusals. */
  event: [BrokerEvent];
  /** A listener failed after it started listening. */
  error: [Error];
}
