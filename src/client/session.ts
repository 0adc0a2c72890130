import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';
import {
  assertNever,
  type DisconnectProperties,
  type Packet,
  type SubscribeProperties,
  type Subscription,
  type UnsubscribeProperties,
} from '../protocol/types';
import { ClientError, toClientError } from './errors';
import { handleAuth, handleConnack, startConnect } from './session-connect';
import {
  type Clock,
  fail,
  newContext,
  type SessionContext,
  type SessionState,
  send,
} from './session-context';
import { handlePublish, handlePubrel } from './session-inbound';
import { type ClientSessionOptions, resolveSessionOptions } from './session-options';
import {
  abandonPublishes,
  handlePuback,
  handlePubcomp,
  handlePubrec,
  requestPublish,
} from './session-publish';
import { abandonSubAcks, handleSubAck, requestSubscribe, requestUnsubscribe } from './session-subscribe';
import type { ClientEvent, OutgoingMessage, ServerCapabilities } from './types';

const systemClock: Clock = { now: () => Date.now() };

/**
 * The MQTT client session as a state machine with no I/O. A driver reports the connection
 * (`handleConnected`, `handlePacket`, `handleConnectionLost`) and the clock (`tick`); the
 * application makes requests (`publish`, `subscribe`, `unsubscribe`, `disconnect`), each of which
 * returns a request id at once. The session's decisions wait in two lists for the driver to take:
 * `takePackets()` (to encode and write, in order) and `takeEvents()` (connected, messages,
 * request outcomes, close). `nextDeadline()` says when `tick` must next be called.
 */
export class ClientSession {
  private readonly ctx: SessionContext;

  constructor(options: ClientSessionOptions = {}, clock: Clock = systemClock) {
    this.ctx = newContext(resolveSessionOptions(options), clock);
  }

  get state(): SessionState {
    return this.ctx.state;
  }

  get protocolLevel(): 4 | 5 {
    return this.ctx.options.protocolLevel;
  }

  get clientId(): string {
    return this.ctx.clientId;
  }

  /** What the server supports, while connected. */
  get capabilities(): ServerCapabilities | undefined {
    return this.ctx.caps;
  }

  /** Publishes waiting in the queue, and QoS 1/2 publishes in flight. */
  get queued(): number {
    return this.ctx.queue.length;
  }

  get inFlight(): number {
    return this.ctx.window.size;
  }

  /** The largest packet the client accepts (its Maximum Packet Size). */
  get maximumPacketSize(): number | undefined {
    return this.ctx.options.properties.maximumPacketSize;
  }

  /** The transport is open: the CONNECT goes out. */
  handleConnected(): void {
    if (this.ctx.state !== 'offline') throw new Error(`handleConnected while ${this.ctx.state}`);
    try {
      startConnect(this.ctx);
    } catch (error) {
      this.ctx.state = 'connecting';
      fail(this.ctx, toClientError(error), false);
    }
  }

  /** One decoded packet from the server. */
  handlePacket(packet: Packet): void {
    const ctx = this.ctx;
    if (ctx.state === 'offline' || ctx.state === 'closing') return;
    try {
      this.dispatch(packet);
    } catch (error) {
      fail(ctx, toClientError(error, ReasonCode.ProtocolError));
    }
  }

  /** The stream could not be decoded (the `MqttError` the frame decoder threw). */
  handleDecodeError(error: unknown): void {
    fail(this.ctx, toClientError(error, ReasonCode.MalformedPacket));
  }

  private dispatch(packet: Packet): void {
    const ctx = this.ctx;
    if (ctx.state === 'connecting' && packet.type !== 'connack' && packet.type !== 'auth') {
      // [MQTT-3.2.0-1] the first packet from the server is CONNACK (or AUTH during enhanced auth).
      throw new MqttError(ReasonCode.ProtocolError, `${packet.type} before CONNACK`);
    }
    switch (packet.type) {
      case 'connack':
        handleConnack(ctx, packet);
        return;
      case 'auth':
        handleAuth(ctx, packet);
        return;
      case 'publish':
        handlePublish(ctx, packet);
        return;
      case 'puback':
        handlePuback(ctx, packet);
        return;
      case 'pubrec':
        handlePubrec(ctx, packet);
        return;
      case 'pubrel':
        handlePubrel(ctx, packet);
        return;
      case 'pubcomp':
        handlePubcomp(ctx, packet);
        return;
      case 'suback':
      case 'unsuback':
        handleSubAck(ctx, packet);
        return;
      case 'pingresp':
        ctx.keepAlive.pong();
        return;
      case 'disconnect': {
        const code = packet.reasonCode;
        const message = `disconnected by the server (0x${code.toString(16).padStart(2, '0')})`;
        fail(ctx, new ClientError(code, message, packet.properties?.reasonString), false);
        return;
      }
      case 'connect':
      case 'subscribe':
      case 'unsubscribe':
      case 'pingreq':
        throw new MqttError(ReasonCode.ProtocolError, `a server does not send ${packet.type.toUpperCase()}`);
      default:
        assertNever(packet);
    }
  }

  /**
   * The connection is gone. SUBSCRIBE and UNSUBSCRIBE in flight fail; publishes stay for the next
   * connection. Reports 'close' unless the session itself asked for it.
   */
  handleConnectionLost(error?: Error): void {
    const ctx = this.ctx;
    if (ctx.state === 'offline') return;
    if (ctx.state !== 'closing') {
      const reason =
        error === undefined ? 'connection closed by the server' : `connection lost: ${error.message}`;
      ctx.events.push({ type: 'close', error: new ClientError(ReasonCode.UnspecifiedError, reason) });
    }
    ctx.state = 'offline';
    ctx.caps = undefined;
    ctx.auth = undefined;
    abandonSubAcks(
      ctx,
      new ClientError(ReasonCode.UnspecifiedError, 'connection lost before the acknowledgement'),
    );
  }

  /** Checks Keep Alive and the CONNACK timeout. */
  tick(now: number = this.ctx.clock.now()): void {
    const ctx = this.ctx;
    if (ctx.state === 'connecting' && now >= ctx.connectStartedAt + ctx.options.connectTimeoutMs) {
      const error = new ClientError(
        ReasonCode.UnspecifiedError,
        `no CONNACK within ${ctx.options.connectTimeoutMs} ms`,
      );
      fail(ctx, error, false);
      return;
    }
    if (ctx.state !== 'online') return;
    const decision = ctx.keepAlive.check(now);
    if (decision === 'ping') send(ctx, { type: 'pingreq' });
    else if (decision === 'timeout') {
      const error = new ClientError(
        ReasonCode.KeepAliveTimeout,
        `no PINGRESP within ${ctx.options.pingTimeoutMs} ms: the connection is dead`,
      );
      fail(ctx, error, false);
    }
  }

  /** When `tick` must next run; undefined when no timer is needed. */
  nextDeadline(): number | undefined {
    const ctx = this.ctx;
    if (ctx.state === 'connecting') return ctx.connectStartedAt + ctx.options.connectTimeoutMs;
    if (ctx.state === 'online') return ctx.keepAlive.deadline();
    return undefined;
  }

  publish(message: OutgoingMessage): number {
    return requestPublish(this.ctx, message);
  }

  subscribe(subscriptions: readonly Subscription[], properties?: SubscribeProperties): number {
    return requestSubscribe(this.ctx, subscriptions, properties);
  }

  unsubscribe(filters: readonly string[], properties?: UnsubscribeProperties): number {
    return requestUnsubscribe(this.ctx, filters, properties);
  }

  /**
   * Ends the connection cleanly: DISCONNECT (0x00, or 0x04 to have the will published) and a
   * 'close' event with no error. Publishes not yet acknowledged stay in the session.
   */
  disconnect(reasonCode: number = ReasonCode.Success, properties?: DisconnectProperties): void {
    const ctx = this.ctx;
    if (ctx.state === 'offline' || ctx.state === 'closing') return;
    if (ctx.state === 'online') {
      const level5 = ctx.options.protocolLevel === 5;
      send(ctx, {
        type: 'disconnect',
        reasonCode: level5 ? reasonCode : 0,
        properties: level5 ? properties : undefined,
      });
    }
    ctx.state = 'closing';
    ctx.events.push({ type: 'close', error: undefined });
  }

  /** The owner gives up on the client: every publish still held fails with `error`. */
  abandon(error: ClientError): void {
    abandonPublishes(this.ctx, error);
    abandonSubAcks(this.ctx, error);
  }

  takePackets(): Packet[] {
    return this.ctx.packets.splice(0);
  }

  takeEvents(): ClientEvent[] {
    return this.ctx.events.splice(0);
  }
}
