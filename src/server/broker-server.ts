import { EventEmitter } from 'node:events';
import type { BrokerEngine, ConnectionOutput } from '../broker/engine-api';
import { encodePackets } from '../protocol/encode';
import { isMqttError } from '../protocol/errors';
import type { BrokerStore } from '../store/types';
import type { Transport, TransportListener } from '../transport/transport';
import { ServerConnection } from './connection';
import { listenerUrl, openListener } from './open-listener';
import type {
  BrokerServerEvents,
  BrokerServerOptions,
  BrokerServerStats,
  ListenerConfig,
  ListeningInfo,
  Log,
} from './types';

const DEFAULT_TICK_INTERVAL_MS = 1000;
const DEFAULT_CLOSE_TIMEOUT_MS = 3000;
/** After connections were destroyed, how long to wait for their close events. */
const DESTROY_WAIT_MS = 1000;
/** Several Node-RED nodes may watch one broker; far more would be a leak worth hearing about. */
const MAX_EVENT_LISTENERS = 100;
/** The smallest WebSocket message limit, so that a small Maximum Packet Size still fits a frame. */
const MIN_WS_PAYLOAD = 64 * 1024;

interface OpenListener {
  config: ListenerConfig;
  listener: TransportListener;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const silent: Log = () => undefined;

/**
 * Binds one `BrokerEngine` to its network listeners and in-process connections. Bytes go in
 * through a frame decoder per connection; after a burst of input one flush, on a later turn of
 * the event loop, drains the engine and writes each connection's packets in a single write.
 * Nothing a client sends and no bug in a handler takes the process down: a broken stream is
 * rejected with its reason code, anything else is logged and closes only that connection.
 */
export class BrokerServer extends EventEmitter<BrokerServerEvents> {
  private readonly engine: BrokerEngine;
  private readonly log: Log;
  private readonly closeTimeout: number;
  private readonly connections = new Map<number, ServerConnection>();
  private openListeners: OpenListener[] = [];
  private readonly ticker: NodeJS.Timeout;
  private flushScheduled = false;
  private readonly store: BrokerStore | undefined;
  private readonly durability: 'sync' | 'periodic';
  private storeChain: Promise<void> = Promise.resolve();
  private pendingStores = 0;
  private receivedSinceFlush = 0;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(engine: BrokerEngine, options: BrokerServerOptions = {}) {
    super();
    this.setMaxListeners(MAX_EVENT_LISTENERS);
    this.engine = engine;
    this.log = options.log ?? silent;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.store = options.store;
    this.durability = options.durability ?? 'sync';
    this.ticker = setInterval(() => this.tick(), options.tickInterval ?? DEFAULT_TICK_INTERVAL_MS);
    this.ticker.unref();
  }

  /** Opens a listener; resolves with the port it is bound to (the real one when 0 was asked for). */
  async listen(config: ListenerConfig): Promise<{ port: number }> {
    if (this.closing !== undefined) throw new Error('the broker server is closed');
    if (this.openListeners.some((l) => l.config.name === config.name)) {
      throw new Error(`a listener named "${config.name}" is already open`);
    }
    const maxPayload = Math.max(this.engine.maximumPacketSize, MIN_WS_PAYLOAD);
    const listener = await openListener(config, (t) => this.attach(t, config.name), maxPayload);
    if (this.closing !== undefined) {
      await listener.close(0);
      throw new Error('the broker server is closed');
    }
    listener.onError((err) => this.reportError(new Error(`listener "${config.name}": ${err.message}`)));
    this.openListeners.push({ config, listener });
    return { port: listener.port };
  }

  /** The listeners accepting connections now. */
  get listening(): ListeningInfo[] {
    return this.openListeners.map(({ config, listener }) => ({
      name: config.name,
      type: config.type,
      host: listener.host,
      port: listener.port,
      url: listenerUrl(config, listener.host, listener.port),
    }));
  }

  /** Serves one connection that arrived some other way: the in-process pair, or a custom transport. */
  attach(transport: Transport, listenerName: string): void {
    if (this.closing !== undefined) {
      transport.destroy();
      return;
    }
    let id: number;
    try {
      id = this.engine.open({ remoteAddress: transport.remoteAddress, listener: listenerName });
    } catch (err) {
      this.log('error', `cannot open a connection from ${transport.remoteAddress}: ${message(err)}`);
      transport.destroy();
      return;
    }
    const conn = new ServerConnection(id, transport, listenerName, this.engine.maximumPacketSize);
    this.connections.set(id, conn);
    transport.onData((chunk) => this.receive(conn, chunk));
    transport.onClose((error) => this.closed(conn, error));
    this.scheduleFlush();
  }

  stats(): BrokerServerStats {
    const perConnection = [...this.connections.values()].map((c) => c.stats());
    return {
      connections: perConnection.length,
      writableNeedDrain: perConnection.filter((c) => c.writableNeedDrain).length,
      perConnection,
    };
  }

  /**
   * Runs a host's call into the engine outside any input (an admin action: publish as the
   * broker, disconnect a client) and flushes what it queued, as after a packet.
   */
  runAdmin<T>(call: () => T): T {
    try {
      return call();
    } finally {
      this.scheduleFlush();
    }
  }

  /**
   * Shuts the broker down: stops accepting, tells every client (DISCONNECT 0x8B), lets the
   * connections end, destroys those that do not within the close timeout, and resolves once
   * every port is released, so the next deploy can bind it again at once.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.ticker);
    const stopped = this.openListeners.map((l) => l.listener.close(this.closeTimeout));
    this.guard('shutdown', () => this.engine.shutdown());
    this.flush();
    if (!(await this.whenIdle(this.closeTimeout))) {
      for (const conn of this.connections.values()) conn.transport.destroy();
      await this.whenIdle(DESTROY_WAIT_MS);
    }
    for (const conn of [...this.connections.values()]) this.closed(conn, undefined);
    await Promise.all(stopped);
    this.openListeners = [];
    this.flush();
    await this.storeChain;
  }

  private receive(conn: ServerConnection, chunk: Buffer): void {
    if (conn.inputClosed) return;
    conn.bytesReceived += chunk.length;
    this.receivedSinceFlush += chunk.length;
    try {
      this.engine.receiveAll(conn.id, conn.decoder.push(chunk));
    } catch (err) {
      if (isMqttError(err)) {
        // The stream cannot be read past a framing error: answer with its reason code and close.
        conn.inputClosed = true;
        this.log('debug', `rejecting ${conn.transport.remoteAddress}: ${err.reasonName} ${err.message}`);
        if (!this.attempt('reject', () => this.engine.reject(conn.id, err))) conn.transport.destroy();
      } else {
        this.fail(conn, err);
      }
    }
    this.scheduleFlush();
  }

  private closed(conn: ServerConnection, error: Error | undefined): void {
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    if (error !== undefined)
      this.log('debug', `connection ${conn.transport.remoteAddress}: ${error.message}`);
    this.guard('closed', () => this.engine.closed(conn.id));
    this.scheduleFlush();
    if (this.connections.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** A bug, not a protocol violation: log it and drop only this connection. */
  private fail(conn: ServerConnection, error: unknown): void {
    conn.inputClosed = true;
    this.log('error', `internal error on connection ${conn.transport.remoteAddress}: ${message(error)}`);
    conn.transport.destroy();
  }

  private tick(): void {
    this.guard('tick', () => this.engine.tick());
    this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Takes everything the engine has to send and to store. With a store in 'sync' durability the
   * writes wait until the store has the changes on disk, so no acknowledgement goes out for a
   * message that a crash could lose; flushes stay in order behind one another.
   */
  private flush(): void {
    this.flushScheduled = false;
    const outputs = this.guard('drain', () => this.engine.drain()) ?? [];
    const store = this.store;
    const ops =
      store === undefined ? [] : (this.guard('takeStoreOps', () => this.engine.takeStoreOps()) ?? []);
    if (store !== undefined && ops.length > 0) {
      const applied = store.apply(ops).catch((err: unknown) => {
        this.reportError(new Error(`the broker store failed to save changes: ${message(err)}`));
      });
      if (this.durability === 'sync') {
        this.pendingStores++;
        this.storeChain = this.storeChain
          .then(() => applied)
          .then(() => {
            this.pendingStores--;
            this.write(outputs);
          });
        return;
      }
    }
    if (this.pendingStores > 0) {
      // Earlier output still waits for the store: keep the order.
      this.storeChain = this.storeChain.then(() => this.write(outputs));
      return;
    }
    this.write(outputs);
  }

  /** Writes each connection's packets in one buffer, then reports events. */
  private write(outputs: ConnectionOutput[]): void {
    let sent = 0;
    for (const output of outputs) {
      const conn = this.connections.get(output.connectionId);
      if (conn === undefined) continue;
      if (output.packets.length > 0) {
        let bytes: Buffer;
        try {
          bytes = encodePackets(output.packets, output.protocolLevel);
        } catch (err) {
          this.fail(conn, err);
          continue;
        }
        conn.send(bytes);
        sent += bytes.length;
      }
      if (output.close) conn.end();
    }
    const received = this.receivedSinceFlush;
    this.receivedSinceFlush = 0;
    if (received > 0 || sent > 0) this.guard('countBytes', () => this.engine.countBytes(received, sent));
    const events = this.guard('takeEvents', () => this.engine.takeEvents()) ?? [];
    for (const event of events) {
      try {
        this.emit('event', event);
      } catch (err) {
        this.log('error', `a broker event listener threw: ${message(err)}`);
      }
    }
  }

  /** Resolves once every pending store write has completed and its output was written. */
  settled(): Promise<void> {
    return this.storeChain;
  }

  /** Runs an engine call; logs what it throws and returns undefined instead. */
  private guard<T>(what: string, call: () => T): T | undefined {
    try {
      return call();
    } catch (err) {
      this.log('error', `broker engine ${what} failed: ${message(err)}`);
      return undefined;
    }
  }

  /** Runs an engine call that returns nothing; logs what it throws and returns whether it worked. */
  private attempt(what: string, call: () => void): boolean {
    try {
      call();
      return true;
    } catch (err) {
      this.log('error', `broker engine ${what} failed: ${message(err)}`);
      return false;
    }
  }

  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else this.log('error', error.message);
  }

  /** Resolves true once no connection is left, or false after `timeoutMs`. */
  private whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.connections.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
