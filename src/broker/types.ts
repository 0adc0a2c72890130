import type { ProtocolLevel, PublishProperties, QoS, RetainHandling, UserProperty } from '../protocol/types';

/**
 * Shared data shapes of the broker engine. The engine does no I/O: it takes packets, time and
 * connection events, and leaves packets to send, connections to close and events to report for
 * the driver to carry out.
 */

/** Milliseconds since an arbitrary origin; the engine only compares and subtracts them. */
export type Millis = number;

export interface Clock {
  now(): Millis;
}

/** The properties an Application Message keeps from broker to subscriber. */
export type MessageProperties = Omit<PublishProperties, 'topicAlias' | 'subscriptionIdentifiers'>;

/** An Application Message as the broker holds it between receipt and delivery. */
export interface Message {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: MessageProperties;
  /** Absolute expiry time from the Message Expiry Interval at receipt; absent when none. */
  expiresAt?: Millis;
  /** Client id of the publisher (a will counts as its client's), for No Local; empty for $SYS. */
  senderId: string;
}

export interface SubscriptionOptions {
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: RetainHandling;
  subscriptionIdentifier?: number;
}

/** One subscription of one session, as the router stores it. */
export interface SubscriptionEntry extends SubscriptionOptions {
  clientId: string;
  /** The filter as the client sent it, `$share/<group>/...` included: the key for replacement. */
  filter: string;
  /** The filter that is matched against topics (the part after `$share/<group>/`). */
  topicFilter: string;
  /** The share name of a shared subscription. */
  group?: string;
}

/** What the router decides for one session and one message. */
export interface RouteTarget {
  clientId: string;
  /** The QoS to deliver at: the lower of the message's QoS and the highest granted QoS. */
  qos: QoS;
  /** True when any matching subscription had Retain As Published. */
  retainAsPublished: boolean;
  /** Every Subscription Identifier of the matching subscriptions [MQTT-3.3.4-3]. */
  subscriptionIdentifiers: number[];
}

export type SharedSubscriptionStrategy = 'round-robin' | 'random';

/** Who is asking, for authentication and authorization. */
export interface ClientIdentity {
  clientId: string;
  username?: string;
  protocolLevel: ProtocolLevel;
  /** Free text from the transport: remote address and port, or `in-process`. */
  remoteAddress: string;
  /** Name of the listener the connection came in on. */
  listener: string;
}

export type AccessKind = 'publish' | 'subscribe';

/** An event the broker reports to its host (the Node-RED node shows these in the flow). */
export type BrokerEvent =
  | {
      type: 'client-connected';
      clientId: string;
      username?: string;
      protocolLevel: ProtocolLevel;
      remoteAddress: string;
      sessionPresent: boolean;
    }
  | { type: 'client-disconnected'; clientId: string; reasonCode: number; reason: string }
  | { type: 'connect-refused'; clientId: string; reasonCode: number; reason: string; remoteAddress: string }
  | { type: 'subscribed'; clientId: string; filter: string; qos: QoS; reasonCode: number }
  | { type: 'unsubscribed'; clientId: string; filter: string }
  | {
      type: 'published';
      clientId: string;
      topic: string;
      qos: QoS;
      retain: boolean;
      payload: Buffer;
      userProperties?: UserProperty[];
    }
  | { type: 'protocol-error'; clientId: string; reasonCode: number; reason: string; remoteAddress: string }
  | {
      type: 'message-dropped';
      clientId: string;
      topic: string;
      reason: 'queue-full' | 'too-large' | 'expired';
    };
