import type { QoS, RetainHandling } from '../protocol/types';

/**
 * What the broker persists, as plain data: the store never routes or interprets it. The broker
 * describes every change as a `StoreOp`; a store applies ops durably and hands the whole state
 * back at start-up. Buffers stay Buffers here; a backend encodes them as it likes.
 */

export interface StoredMessageProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: [string, string][];
}

export interface StoredMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: StoredMessageProperties;
  /** Absolute expiry, in milliseconds since the Unix epoch. */
  expiresAt?: number;
  senderId: string;
}

/** A message waiting for, or in, a session's in-flight window. */
export interface StoredDelivery {
  message: StoredMessage;
  qos: QoS;
  retain: boolean;
  subscriptionIdentifiers: number[];
}

export interface StoredInflight extends StoredDelivery {
  packetId: number;
  state: 'publish' | 'pubrel';
}

export interface StoredSubscription {
  filter: string;
  topicFilter: string;
  group?: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: RetainHandling;
  subscriptionIdentifier?: number;
}

export interface StoredWill {
  message: StoredMessage;
  delay: number;
}

export interface StoredSession {
  clientId: string;
  expiryInterval: number;
  /** Absolute time (ms since the epoch) the session ends if the client stays away. */
  expiresAt?: number;
  will?: StoredWill;
  willDueAt?: number;
  subscriptions: StoredSubscription[];
  /** In send order. */
  inflight: StoredInflight[];
  /** In delivery order. */
  queue: StoredDelivery[];
  /** Incoming QoS 2 packet ids between PUBREC and PUBREL. */
  incomingQoS2: number[];
}

export interface PersistedState {
  sessions: StoredSession[];
  retained: StoredMessage[];
}

/** One change to the persisted state. Applying ops in order to a state gives the new state. */
export type StoreOp =
  /** Creates the session, or replaces its scalar fields (expiry, will), keeping its contents. */
  | {
      op: 'session';
      clientId: string;
      expiryInterval: number;
      expiresAt?: number;
      will?: StoredWill;
      willDueAt?: number;
    }
  | { op: 'session-delete'; clientId: string }
  | { op: 'subscribe'; clientId: string; subscription: StoredSubscription }
  | { op: 'unsubscribe'; clientId: string; filter: string }
  /** Appends to the session's queue. */
  | { op: 'enqueue'; clientId: string; delivery: StoredDelivery }
  /** Removes the first queued message (it moved into the window, or expired). */
  | { op: 'dequeue'; clientId: string }
  /** Adds or replaces an in-flight message (keeping its place in send order if it exists). */
  | { op: 'inflight'; clientId: string; inflight: StoredInflight }
  | { op: 'inflight-delete'; clientId: string; packetId: number }
  | { op: 'qos2-in'; clientId: string; packetId: number }
  | { op: 'qos2-in-delete'; clientId: string; packetId: number }
  | { op: 'retain'; message: StoredMessage }
  | { op: 'retain-delete'; topic: string };

/**
 * A persistence backend. `apply` resolves once the ops are as durable as the backend promises
 * (on disk, with fsync, for the file store in sync mode).
 */
export interface BrokerStore {
  /** The state as of the last applied op; called once, before the broker starts. */
  load(): Promise<PersistedState>;
  apply(ops: readonly StoreOp[]): Promise<void>;
  close(): Promise<void>;
}
