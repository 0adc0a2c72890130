import type { ConnectPacket, Packet, ProtocolLevel } from '../protocol/types';
import type { ConnectionInfo } from './engine-api';
import type { AuthExchange, EnhancedAuthMethod } from './enhanced-auth';
import type { Session } from './session';
import { InboundTopicAliases, OutboundTopicAliases } from './topic-alias';
import type { ClientIdentity, Millis } from './types';

/** 'authenticating': the CONNECT waits for its enhanced authentication exchange to succeed. */
/**
 * With a maximum of 0 the alias maps never change, so every connection without aliases (all of
 * 3.1.x, and 5.0 until CONNECT says otherwise) shares these two: an idle connection costs less.
 */
const NO_INBOUND_ALIASES = new InboundTopicAliases(0);
const NO_OUTBOUND_ALIASES = new OutboundTopicAliases(0);

export type ConnectionState = 'awaiting-connect' | 'authenticating' | 'connected' | 'closed';

/** Enhanced authentication of a connection whose CONNECT named a method (spec 4.12). */
export interface ConnectionAuth {
  /** Every AUTH must name this method [MQTT-4.12.0-5]. */
  readonly method: EnhancedAuthMethod;
  /** The exchange under way (the CONNECT's, or a re-authentication); undefined between them. */
  exchange: AuthExchange | undefined;
  /** The CONNECT, while it waits for the exchange (state 'authenticating'). */
  connect: ConnectPacket | undefined;
}

/** What the client asked for in CONNECT that shapes what the broker sends it. */
export interface ClientLimits {
  /** The client's Receive Maximum: QoS 1/2 publishes it accepts unacknowledged. */
  receiveMaximum: number;
  /** The largest packet the client accepts. */
  maximumPacketSize: number;
  /** Whether the client wants Reason Strings and User Properties on failures [MQTT-3.1.2-29]. */
  problemInformation: boolean;
}

/** One network connection as the engine sees it. Its session outlives it. */
export class Connection {
  state: ConnectionState = 'awaiting-connect';
  protocolLevel: ProtocolLevel = 5;
  identity: ClientIdentity;
  session: Session | undefined;
  /** Keep alive in seconds, after any Server Keep Alive override; 0 disables the check. */
  keepAlive = 0;
  lastPacketAt: Millis;
  limits: ClientLimits = { receiveMaximum: 65535, maximumPacketSize: 268435460, problemInformation: true };
  inboundAliases: InboundTopicAliases;
  outboundAliases: OutboundTopicAliases;
  /** Packets to write, taken by the driver with `Broker.drain`. */
  outbox: Packet[] | undefined;
  /** Close once the outbox is written. */
  closing = false;
  /** Session Expiry Interval was 0 in CONNECT: a DISCONNECT may not raise it (spec 3.14.2.2.2). */
  connectExpiryWasZero = false;
  /** Another connection took over the session; this one only has to be closed. */
  superseded = false;
  /** Set when the CONNECT named an Authentication Method. */
  auth: ConnectionAuth | undefined;
  /** The reason the connection ended, for the disconnected event. */
  endReason: { code: number; text: string } = { code: 0, text: 'connection closed' };

  constructor(
    readonly id: number,
    readonly info: ConnectionInfo,
    readonly openedAt: Millis,
  ) {
    this.lastPacketAt = openedAt;
    this.identity = {
      clientId: '',
      protocolLevel: 5,
      remoteAddress: info.remoteAddress,
      listener: info.listener,
    };
    this.inboundAliases = NO_INBOUND_ALIASES;
    this.outboundAliases = NO_OUTBOUND_ALIASES;
  }

  get isV5(): boolean {
    return this.protocolLevel === 5;
  }
}
