import type { AckProperties, ConnackPacket, PublishPacket, PublishProperties, QoS } from '../protocol/types';
import type { ClientError } from './errors';

/** A message the application asks the client to publish. */
export interface OutgoingMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain?: boolean;
  /** Subscription Identifiers are server-to-client only, so they are not accepted here. */
  properties?: Omit<PublishProperties, 'subscriptionIdentifiers'>;
}

/** Where an outgoing QoS 1 or 2 publish stands (spec 4.3.2, 4.3.3). */
export type InFlightStage = 'puback' | 'pubrec' | 'pubcomp';

/**
 * One publish waiting for the wire, or in flight: the message and its request id, and once sent
 * at QoS 1 or 2 its packet id and stage. One object for both states: a burst keeps thousands of
 * these alive until their acknowledgements.
 */
export interface PendingPublish {
  requestId: number;
  message: OutgoingMessage;
  /** Encoded size (without a topic alias), for the byte bound of the queue. */
  bytes: number;
  /** The packet id while in flight; 0 while waiting. */
  packetId: number;
  /** Meaningful while in flight. */
  stage: InFlightStage;
}

/** What the server said it supports (spec 3.2.2.3), with the 5.0 defaults filled in. */
export interface ServerCapabilities {
  receiveMaximum: number;
  maximumQoS: QoS;
  retainAvailable: boolean;
  /** Undefined: no limit beyond the protocol's. */
  maximumPacketSize: number | undefined;
  topicAliasMaximum: number;
  wildcardSubscriptionAvailable: boolean;
  subscriptionIdentifiersAvailable: boolean;
  sharedSubscriptionAvailable: boolean;
  /** Seconds; the Server Keep Alive when sent, else the client's own. */
  keepAlive: number;
}

export interface ConnectedEvent {
  type: 'connected';
  connack: ConnackPacket;
  sessionPresent: boolean;
  /** No session on the server: the owner must subscribe again. */
  mustResubscribe: boolean;
  /** The client id in use (the Assigned Client Identifier when the server chose it). */
  clientId: string;
  capabilities: ServerCapabilities;
}

export type RequestKind = 'publish' | 'subscribe' | 'unsubscribe';

/** What the session decided, for its driver to act on, in order. */
export type ClientEvent =
  | ConnectedEvent
  /** An Application Message from the server, with its topic alias resolved and removed. */
  | { type: 'message'; message: PublishPacket }
  /** A request finished: PUBACK/PUBCOMP (or the write of QoS 0), SUBACK, UNSUBACK. */
  | {
      type: 'completed';
      requestId: number;
      kind: RequestKind;
      reasonCodes: number[];
      properties: AckProperties | undefined;
    }
  /** A request failed, locally or with a failure reason code from the server. */
  | { type: 'failed'; requestId: number; kind: RequestKind; error: ClientError }
  /**
   * The connection must end (any packets already queued, e.g. a DISCONNECT, go out first). `error`
   * carries the reason code and string of the server's DISCONNECT or refusing CONNACK, or the
   * client's own reason (keep alive timeout, protocol error).
   */
  | { type: 'close'; error: ClientError | undefined };
