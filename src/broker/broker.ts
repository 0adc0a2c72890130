import { toConnackReturnCode } from '../protocol/connack';
import { MqttError } from '../protocol/errors';
import { isReasonCodeAllowed, ReasonCode } from '../protocol/reason-codes';
import { assertNever, type Packet } from '../protocol/types';
import type { PersistedState, StoreOp } from '../store/types';
import { BrokerAdmin } from './broker-admin';
import { type BrokerConfig, withDefaults } from './config';
import { Connection } from './connection';
import { type BrokerContext, closeAfterFlush, type Log, send } from './context';
import { newCounters } from './counters';
import type { BrokerCounters, BrokerEngine, ConnectionInfo, ConnectionOutput } from './engine-api';
import { type EnhancedAuthMethod, EnhancedAuthRegistry } from './enhanced-auth';
import { handlePuback, handlePubcomp, handlePubrec, handlePubrel } from './handlers/acks';
import { handleAuth, handleConnectAuth } from './handlers/auth';
import { handlePublish } from './handlers/publish';
import { handleDisconnect, handlePingreq } from './handlers/session-control';
import { handleSubscribe, handleUnsubscribe } from './handlers/subscribe';
import { connectionEnded, sweepSessions } from './lifecycle';
import { restoreState } from './restore';
import { RetainedStore } from './retained';
import { Router } from './router';
import type { Authenticator, Authorizer } from './security';
import { publishSys } from './sys';
import type { BrokerEvent, Clock } from './types';
import { UserAuthenticator } from './users';

export interface BrokerOptions {
  config?: Partial<BrokerConfig>;
  authenticator?: Authenticator;
  authorizer?: Authorizer;
  /** Enhanced authentication methods (spec 4.12) clients may name in CONNECT; none by default. */
  enhancedAuth?: readonly EnhancedAuthMethod[];
  clock?: Clock;
  random?: () => number;
  log?: Log;
  /** Record changes to durable state for a store (see `takeStoreOps` and `restore`). */
  persistent?: boolean;
}

const systemClock: Clock = { now: () => Date.now() };

/** With no ACL, everything is allowed but writing to $SYS. */
const openAuthorizer: Authorizer = {
  allows: (_identity, kind, topic) => kind === 'subscribe' || !topic.startsWith('$SYS'),
};

/** A connection that still takes packets: not closed, and not closing after an error. */
function accepting(conn: Connection | undefined): conn is Connection {
  return conn !== undefined && conn.state !== 'closed' && !conn.closing;
}

/**
 * The MQTT 5.0 / 3.1.1 / 3.1 broker engine. It does no I/O: a driver feeds it connection events
 * and decoded packets, calls `tick()` about once a second, and writes what `drain()` returns.
 */
export class Broker implements BrokerEngine {
  private readonly ctx: BrokerContext;
  /** The host's operations: publish as the broker, disconnect a client, list state. */
  readonly admin: BrokerAdmin;
  private readonly enhancedAuth: EnhancedAuthRegistry;
  private nextConnectionId = 1;
  private readonly startedAt: number;
  private lastSys: number;

  constructor(options: BrokerOptions = {}) {
    const config = withDefaults(options.config);
    const random = options.random ?? Math.random;
    const clock = options.clock ?? systemClock;
    this.ctx = {
      config,
      clock,
      random,
      log: options.log ?? (() => {}),
      authenticator:
        options.authenticator ?? new UserAuthenticator({ users: [], allowAnonymous: config.allowAnonymous }),
      authorizer: options.authorizer ?? openAuthorizer,
      router: new Router({ strategy: config.sharedSubscriptionStrategy, random }),
      retained: new RetainedStore(),
      sessions: new Map(),
      connections: new Map(),
      dirty: new Set(),
      events: [],
      counters: newCounters(),
      journal: options.persistent === true ? [] : undefined,
    };
    this.admin = new BrokerAdmin(this.ctx);
    this.enhancedAuth = new EnhancedAuthRegistry(options.enhancedAuth);
    this.startedAt = clock.now();
    this.lastSys = this.startedAt;
    if (config.sysInterval > 0) publishSys(this.ctx, this.startedAt);
  }

  get config(): Readonly<BrokerConfig> {
    return this.ctx.config;
  }

  get maximumPacketSize(): number {
    return this.ctx.config.maximumPacketSize;
  }

  get counters(): Readonly<BrokerCounters> {
    return this.ctx.counters;
  }

  open(info: ConnectionInfo): number {
    const conn = new Connection(this.nextConnectionId++, info, this.ctx.clock.now());
    this.ctx.connections.set(conn.id, conn);
    return conn.id;
  }

  receive(connectionId: number, packet: Packet): void {
    const conn = this.ctx.connections.get(connectionId);
    if (!accepting(conn)) return;
    conn.lastPacketAt = this.ctx.clock.now();
    this.handle(conn, packet);
  }

  /**
   * The packets of one chunk of input, in order. They arrived together, so the clock (for the
   * keep alive) is read once for all of them: a clock read per packet was a tenth of the CPU
   * time at QoS 1. Packets after one that closed the connection are ignored.
   */
  receiveAll(connectionId: number, packets: readonly Packet[]): void {
    if (packets.length === 0) return;
    const conn = this.ctx.connections.get(connectionId);
    if (!accepting(conn)) return;
    conn.lastPacketAt = this.ctx.clock.now();
    for (const packet of packets) {
      if (!accepting(conn)) return;
      this.handle(conn, packet);
    }
  }

  private handle(conn: Connection, packet: Packet): void {
    this.ctx.counters.messagesReceived++;
    try {
      this.dispatch(conn, packet);
    } catch (error) {
      if (!(error instanceof MqttError)) throw error;
      this.fail(conn, error);
    }
  }

  private dispatch(conn: Connection, packet: Packet): void {
    const ctx = this.ctx;
    if (conn.state === 'awaiting-connect') {
      // [MQTT-3.1.0-1] CONNECT comes first.
      if (packet.type !== 'connect')
        throw new MqttError(ReasonCode.ProtocolError, 'first packet is not CONNECT');
      handleConnectAuth(ctx, this.enhancedAuth, conn, packet);
      return;
    }
    if (conn.state === 'authenticating') {
      // [MQTT-3.1.2-30] until the CONNACK, a client that named a method sends only AUTH and DISCONNECT.
      if (packet.type === 'auth') handleAuth(ctx, conn, packet);
      else if (packet.type === 'disconnect') handleDisconnect(ctx, conn, packet);
      else
        throw new MqttError(ReasonCode.ProtocolError, `${packet.type.toUpperCase()} during authentication`);
      return;
    }
    switch (packet.type) {
      case 'connect':
        // [MQTT-3.1.0-2] a second CONNECT is a Protocol Error.
        throw new MqttError(ReasonCode.ProtocolError, 'second CONNECT');
      case 'publish':
        handlePublish(ctx, conn, packet);
        return;
      case 'puback':
        handlePuback(ctx, conn, packet);
        return;
      case 'pubrec':
        handlePubrec(ctx, conn, packet);
        return;
      case 'pubrel':
        handlePubrel(ctx, conn, packet);
        return;
      case 'pubcomp':
        handlePubcomp(ctx, conn, packet);
        return;
      case 'subscribe':
        handleSubscribe(ctx, conn, packet);
        return;
      case 'unsubscribe':
        handleUnsubscribe(ctx, conn, packet);
        return;
      case 'pingreq':
        handlePingreq(ctx, conn);
        return;
      case 'disconnect':
        handleDisconnect(ctx, conn, packet);
        return;
      case 'auth':
        handleAuth(ctx, conn, packet);
        return;
      case 'connack':
      case 'suback':
      case 'unsuback':
      case 'pingresp':
        throw new MqttError(ReasonCode.ProtocolError, `a client does not send ${packet.type.toUpperCase()}`);
      default:
        assertNever(packet);
    }
  }

  reject(connectionId: number, error: MqttError): void {
    const conn = this.ctx.connections.get(connectionId);
    if (conn === undefined || conn.state === 'closed' || conn.closing) return;
    this.fail(conn, error);
  }

  /**
   * One place turns an error into what goes on the wire [MQTT-4.13.1-1]: before CONNACK, a
   * refusing CONNACK; at 5.0 afterwards, DISCONNECT with the reason code; at 3.1.x, just the close.
   */
  private fail(conn: Connection, error: MqttError): void {
    const ctx = this.ctx;
    ctx.log(
      'debug',
      `${conn.info.remoteAddress} ${conn.identity.clientId}: ${error.reasonName}: ${error.message}`,
    );
    ctx.events.push({
      type: 'protocol-error',
      clientId: conn.identity.clientId,
      reasonCode: error.reasonCode,
      reason: error.message,
      remoteAddress: conn.info.remoteAddress,
    });
    if (conn.state === 'awaiting-connect') {
      // [MQTT-3.1.2-2] an unsupported protocol version may be told with CONNACK 0x84 (return
      // code 1 at 3.1.1, whose format every version understands).
      if (error.reasonCode === ReasonCode.UnsupportedProtocolVersion) {
        send(ctx, conn, {
          type: 'connack',
          sessionPresent: false,
          reasonCode: toConnackReturnCode(error.reasonCode),
        });
        conn.protocolLevel = 4;
      }
    } else if (conn.state === 'authenticating') {
      // A 5.0 CONNECT is waiting for its authentication: refuse it with CONNACK.
      const reasonCode = isReasonCodeAllowed('connack', error.reasonCode)
        ? error.reasonCode
        : ReasonCode.ProtocolError;
      const connack: Packet = { type: 'connack', sessionPresent: false, reasonCode };
      if (conn.limits.problemInformation) connack.properties = { reasonString: error.message };
      send(ctx, conn, connack);
    } else if (conn.isV5) {
      // Spec 3.14.2.1: DISCONNECT carries only its own reason codes; anything else (0x84 from a
      // second CONNECT's unsupported level) goes out as the Protocol Error it is [MQTT-3.1.0-2].
      const reasonCode = isReasonCodeAllowed('disconnect', error.reasonCode)
        ? error.reasonCode
        : ReasonCode.ProtocolError;
      const packet: Packet = { type: 'disconnect', reasonCode };
      if (conn.limits.problemInformation) packet.properties = { reasonString: error.message };
      send(ctx, conn, packet);
    }
    closeAfterFlush(ctx, conn, error.reasonCode, error.message);
    connectionEnded(ctx, conn, true);
  }

  closed(connectionId: number): void {
    const conn = this.ctx.connections.get(connectionId);
    if (conn === undefined) return;
    this.ctx.dirty.delete(conn);
    if (conn.state === 'closed') return;
    connectionEnded(this.ctx, conn, true);
  }

  tick(): void {
    const ctx = this.ctx;
    const now = ctx.clock.now();
    for (const conn of ctx.connections.values()) {
      if (conn.closing) continue;
      if (conn.state === 'awaiting-connect' || conn.state === 'authenticating') {
        // The connect timeout covers an enhanced authentication exchange too.
        if (now - conn.openedAt >= ctx.config.connectTimeout) {
          closeAfterFlush(ctx, conn, ReasonCode.MaximumConnectTime, 'no CONNECT in time');
          connectionEnded(ctx, conn, true);
        }
      } else if (conn.keepAlive > 0 && now - conn.lastPacketAt >= conn.keepAlive * 1500) {
        // [MQTT-3.1.2-22] nothing for one and a half times the keep alive: close, will and all.
        if (conn.isV5) send(ctx, conn, { type: 'disconnect', reasonCode: ReasonCode.KeepAliveTimeout });
        closeAfterFlush(ctx, conn, ReasonCode.KeepAliveTimeout, 'keep alive timeout');
        connectionEnded(ctx, conn, true);
      }
    }
    sweepSessions(ctx);
    ctx.retained.sweep(now);
    // A SUBSCRIBE that met an expired retained message removed it too [MQTT-3.3.2-5].
    ctx.counters.retainedMessages = ctx.retained.size;
    const interval = ctx.config.sysInterval * 1000;
    if (interval > 0 && now - this.lastSys >= interval) {
      this.lastSys = now;
      publishSys(ctx, this.startedAt);
    }
  }

  takeStoreOps(): StoreOp[] {
    const journal = this.ctx.journal;
    if (journal === undefined || journal.length === 0) return [];
    return journal.splice(0, journal.length);
  }

  /**
   * Rebuilds sessions and retained messages from a store, before any connection. Every session
   * comes back disconnected: its expiry and any pending will run from now, as for a connection
   * that failed when the broker stopped.
   */
  restore(state: PersistedState): void {
    restoreState(this.ctx, state);
  }

  countBytes(received: number, sent: number): void {
    this.ctx.counters.bytesReceived += received;
    this.ctx.counters.bytesSent += sent;
  }

  drain(): ConnectionOutput[] {
    const ctx = this.ctx;
    if (ctx.dirty.size === 0) return [];
    const out: ConnectionOutput[] = [];
    for (const conn of ctx.dirty) {
      const packets = conn.outbox ?? [];
      conn.outbox = undefined;
      ctx.counters.messagesSent += packets.length;
      out.push({ connectionId: conn.id, protocolLevel: conn.protocolLevel, packets, close: conn.closing });
      if (conn.closing) ctx.connections.delete(conn.id);
    }
    ctx.dirty.clear();
    return out;
  }

  takeEvents(): BrokerEvent[] {
    return this.ctx.events.splice(0, this.ctx.events.length);
  }

  shutdown(): void {
    const ctx = this.ctx;
    for (const conn of [...ctx.connections.values()]) {
      if (conn.closing || conn.state === 'closed') continue;
      if (conn.state === 'connected' && conn.isV5) {
        send(ctx, conn, { type: 'disconnect', reasonCode: ReasonCode.ServerShuttingDown });
      }
      closeAfterFlush(ctx, conn, ReasonCode.ServerShuttingDown, 'server shutting down');
      connectionEnded(ctx, conn, true);
    }
  }
}
