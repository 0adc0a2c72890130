import type { ConnectProperties, Will } from '../protocol/types';
import type { ClientAuthenticator } from './authenticator';
import type { PublishQueueLimits } from './publish-queue';

export interface ClientSessionOptions {
  /** 5 (MQTT 5.0, the default) or 4 (MQTT 3.1.1). */
  protocolLevel?: 4 | 5;
  /** Empty: the server assigns one (5.0), or must accept an empty id with a clean session (3.1.1). */
  clientId?: string;
  /** Clean Start of the first connection; 5.0 reconnects resume the session when it can expire later. */
  cleanStart?: boolean;
  /** Seconds; 60 by default, 0 turns Keep Alive off. */
  keepAlive?: number;
  username?: string;
  password?: Buffer;
  will?: Will;
  /** CONNECT properties (5.0): session expiry, our Receive Maximum, Maximum Packet Size, ... */
  properties?: ConnectProperties;
  /** Enhanced authentication (5.0): sets the Authentication Method and Data of the CONNECT. */
  authenticator?: ClientAuthenticator;
  /** Give topic aliases to the most recently used topics, within the server's maximum. */
  autoTopicAlias?: boolean;
  /** How long to wait for a PINGRESP; 10 s by default. */
  pingTimeoutMs?: number;
  /** How long to wait for CONNACK after the connection opens; 30 s by default. */
  connectTimeoutMs?: number;
  /** Bounds of the queue of publishes waiting for a connection or for the server's window. */
  queue?: PublishQueueLimits;
  /** Queue QoS 0 publishes while offline (true, the default), or refuse them at once. */
  queueQoS0WhileOffline?: boolean;
}

export interface ResolvedSessionOptions {
  protocolLevel: 4 | 5;
  clientId: string;
  cleanStart: boolean;
  keepAlive: number;
  username: string | undefined;
  password: Buffer | undefined;
  will: Will | undefined;
  properties: ConnectProperties;
  authenticator: ClientAuthenticator | undefined;
  autoTopicAlias: boolean;
  pingTimeoutMs: number;
  connectTimeoutMs: number;
  queue: PublishQueueLimits;
  queueQoS0WhileOffline: boolean;
}

export function resolveSessionOptions(o: ClientSessionOptions): ResolvedSessionOptions {
  const protocolLevel = o.protocolLevel ?? 5;
  if (protocolLevel !== 4 && protocolLevel !== 5)
    throw new Error(`unsupported protocol level ${protocolLevel}`);
  if (protocolLevel === 4 && o.authenticator !== undefined) {
    throw new Error('enhanced authentication needs MQTT 5.0');
  }
  return {
    protocolLevel,
    clientId: o.clientId ?? '',
    cleanStart: o.cleanStart ?? true,
    keepAlive: o.keepAlive ?? 60,
    username: o.username,
    password: o.password,
    will: o.will,
    properties: o.properties ?? {},
    authenticator: o.authenticator,
    autoTopicAlias: o.autoTopicAlias ?? false,
    pingTimeoutMs: o.pingTimeoutMs ?? 10_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 30_000,
    queue: o.queue ?? {},
    queueQoS0WhileOffline: o.queueQoS0WhileOffline ?? true,
  };
}
