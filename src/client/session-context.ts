import { InboundTopicAliases } from '../broker/topic-alias';
import { ReasonCode } from '../protocol/reason-codes';
import type { Packet } from '../protocol/types';
import type { ClientAuthExchange } from './authenticator';
import type { ClientError } from './errors';
import { IncomingQos2 } from './incoming-qos';
import { KeepAlive } from './keepalive';
import { OutgoingWindow } from './outgoing-window';
import { PacketIdAllocator } from './packet-ids';
import { PublishQueue } from './publish-queue';
import type { ResolvedSessionOptions } from './session-options';
import { ClientTopicAliases } from './topic-aliases';
import type { ClientEvent, ServerCapabilities } from './types';

/**
 * offline: no connection. connecting: CONNECT sent, waiting for CONNACK (or in an AUTH
 * exchange). online: CONNACK accepted. closing: the session asked for the connection to end and
 * ignores the server until the driver reports it gone.
 */
export type SessionState = 'offline' | 'connecting' | 'online' | 'closing';

export interface Clock {
  now(): number;
}

/** The state of one client session, passed explicitly to the handler functions. */
export interface SessionContext {
  readonly options: ResolvedSessionOptions;
  readonly clock: Clock;
  state: SessionState;
  clientId: string;
  /** A successful CONNACK was seen once: later connections try to resume the session. */
  everConnected: boolean;
  connectStartedAt: number;
  caps: ServerCapabilities | undefined;
  auth: ClientAuthExchange | undefined;
  readonly packets: Packet[];
  readonly events: ClientEvent[];
  readonly ids: PacketIdAllocator;
  readonly window: OutgoingWindow;
  readonly queue: PublishQueue;
  readonly incoming: IncomingQos2;
  readonly keepAlive: KeepAlive;
  outAliases: ClientTopicAliases;
  inAliases: InboundTopicAliases;
  /** SUBSCRIBE and UNSUBSCRIBE waiting for their ack, by packet id. */
  readonly acks: Map<number, { requestId: number; kind: 'subscribe' | 'unsubscribe'; count: number }>;
  nextRequestId: number;
  /** The last topic name a publish was validated with (most flows publish to one topic). */
  lastValidTopic: string | undefined;
}

export function newContext(options: ResolvedSessionOptions, clock: Clock): SessionContext {
  return {
    options,
    clock,
    state: 'offline',
    clientId: options.clientId,
    everConnected: false,
    connectStartedAt: 0,
    caps: undefined,
    auth: undefined,
    packets: [],
    events: [],
    ids: new PacketIdAllocator(),
    window: new OutgoingWindow(),
    queue: new PublishQueue(options.queue),
    incoming: new IncomingQos2(options.properties.receiveMaximum ?? 65535),
    keepAlive: new KeepAlive(options.keepAlive, options.pingTimeoutMs),
    outAliases: new ClientTopicAliases(0, false),
    inAliases: new InboundTopicAliases(0),
    acks: new Map(),
    nextRequestId: 1,
    lastValidTopic: undefined,
  };
}

export function send(ctx: SessionContext, packet: Packet): void {
  ctx.packets.push(packet);
  ctx.keepAlive.sent(ctx.clock.now());
}

export function newRequestId(ctx: SessionContext): number {
  return ctx.nextRequestId++;
}

/** The reason codes a client may put in DISCONNECT (spec 3.14.2.1). */
const CLIENT_DISCONNECT_CODES: ReadonlySet<number> = new Set([
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
]);

/**
 * Ends the connection because of `error`: at 5.0 a DISCONNECT carrying its reason code goes out
 * first (0x80 when a client's DISCONNECT may not carry the code) [MQTT-4.13.1-1].
 */
export function fail(ctx: SessionContext, error: ClientError, sendDisconnect = true): void {
  if (ctx.state === 'offline' || ctx.state === 'closing') return;
  if (sendDisconnect && ctx.options.protocolLevel === 5) {
    const code = CLIENT_DISCONNECT_CODES.has(error.reasonCode)
      ? error.reasonCode
      : ReasonCode.UnspecifiedError;
    send(ctx, { type: 'disconnect', reasonCode: code, properties: { reasonString: error.message } });
  }
  ctx.state = 'closing';
  ctx.events.push({ type: 'close', error });
}
