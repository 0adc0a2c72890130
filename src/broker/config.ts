import type { QoS } from '../protocol/types';
import type { SharedSubscriptionStrategy } from './types';

/** Broker limits and capabilities. Every field has a default (see `DEFAULT_CONFIG`). */
export interface BrokerConfig {
  /** Largest packet accepted from a client, fixed header included; advertised in CONNACK. */
  maximumPacketSize: number;
  /** QoS 1 and 2 publishes a client may have unacknowledged towards the broker. */
  receiveMaximum: number;
  /** Topic aliases a client may use towards the broker (0 disables them). */
  topicAliasMaximum: number;
  /** The highest QoS the broker accepts and grants. */
  maximumQoS: QoS;
  retainAvailable: boolean;
  wildcardSubscriptionAvailable: boolean;
  subscriptionIdentifiersAvailable: boolean;
  sharedSubscriptionAvailable: boolean;
  sharedSubscriptionStrategy: SharedSubscriptionStrategy;
  /** Upper bound on a client's keep alive, in seconds; 0 for no bound. */
  maxKeepAlive: number;
  /** Connections at once; 0 for no limit. */
  maxConnections: number;
  /** Messages queued for one session beyond its in-flight window; 0 for no limit. */
  maxQueuedMessages: number;
  /** Payload bytes queued for one session; 0 for no limit. */
  maxQueuedBytes: number;
  /** Levels in a topic name or filter; 0 for no limit. */
  maxTopicLevels: number;
  /** Milliseconds a new connection may take to send CONNECT. */
  connectTimeout: number;
  /** Longest Session Expiry Interval granted, in seconds (0xFFFFFFFF: never expires). */
  maxSessionExpiryInterval: number;
  /**
   * Clients without a username: 'auto' lets them in only when no users are configured (the
   * mosquitto 2.x rule). Used by the default authenticator, when the host passes none.
   */
  allowAnonymous: 'auto' | boolean;
  /** When a client asks for Response Information, the prefix of its response topics. */
  responseTopicPrefix: string;
  /** Seconds between $SYS updates; 0 turns $SYS off. */
  sysInterval: number;
  /** Broker version shown in $SYS/broker/version. */
  version: string;
  /** Report every accepted PUBLISH as a 'published' event (the broker node's optional output). */
  publishEvents: boolean;
}

export const DEFAULT_CONFIG: Readonly<BrokerConfig> = {
  maximumPacketSize: 268435460,
  receiveMaximum: 65535,
  topicAliasMaximum: 65535,
  maximumQoS: 2,
  retainAvailable: true,
  wildcardSubscriptionAvailable: true,
  subscriptionIdentifiersAvailable: true,
  sharedSubscriptionAvailable: true,
  sharedSubscriptionStrategy: 'round-robin',
  maxKeepAlive: 0,
  maxConnections: 0,
  maxQueuedMessages: 1000,
  maxQueuedBytes: 0,
  maxTopicLevels: 0,
  connectTimeout: 10000,
  maxSessionExpiryInterval: 0xffffffff,
  allowAnonymous: 'auto',
  responseTopicPrefix: 'response/',
  sysInterval: 10,
  version: 'node-red-mqtt5',
  publishEvents: false,
};

export function withDefaults(config: Partial<BrokerConfig> = {}): BrokerConfig {
  return { ...DEFAULT_CONFIG, ...config };
}
