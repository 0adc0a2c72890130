import type { ClientError, RequestListener, RequestResult, SubscriberOptions } from '../../src/client';
import type { OutgoingMessage, ServerCapabilities } from '../../src/client/types';
import type { PublishPacket } from '../../src/protocol/types';
import { isRecord } from './fields';
import type { NodeMessage, NodeStatus } from './node-red-types';
import type { Problem } from './problems';

/**
 * What the `mqtt5-connection` config node offers the `mqtt5 in`, `mqtt5 out` and `mqtt5 request`
 * nodes that use it. They find it with `RED.nodes.getNode(config.connection)` and check it with
 * `isConnectionNode`. The connection is shared: it opens with the first registered user and
 * closes (with its close message) when the last one deregisters.
 */

export type ConnectionPhase = 'idle' | 'connecting' | 'connected' | 'disconnected';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** The client id in use once connected (the server's Assigned Client Identifier included). */
  clientId?: string;
  /** Of the last refusing CONNACK or DISCONNECT, or the local reason the connection ended. */
  reasonCode?: number;
  reasonString?: string;
}

/** A node using the connection. */
export interface ConnectionUser {
  readonly id: string;
  /** Called with the connection's state at registration and on each change. */
  onState(state: ConnectionState, status: NodeStatus): void;
}

/** Receives each message for a subscriber, once, even when its filters overlap. */
export type MessageHandler = (message: PublishPacket) => void;

/**
 * Hears that a subscription the connection made again by itself (after a reconnect) was refused;
 * the error carries the SUBACK's reason code.
 */
export type RefusalHandler = (filter: string, error: ClientError) => void;

export interface Mqtt5Connection {
  readonly state: ConnectionState;
  /** 5 or 4 (MQTT 3.1.1), as configured. */
  readonly protocolLevel: 4 | 5;
  /** What the server said in its last CONNACK; undefined before the first. */
  readonly capabilities: ServerCapabilities | undefined;
  /** The CONNACK's Response Information, when the connection asked for it and got it. */
  readonly responseInformation: string | undefined;
  /** The client id in use (configured, or assigned by the server once connected). */
  readonly clientId: string;
  /** The server keeps the session across connections (no Clean Start, and an expiry on 5.0). */
  readonly persistentSession: boolean;

  /**
   * A problem found by the shared msg mapping (`outgoingMessage`, `receivedFields`, ...), in the
   * user's language: its key is under `mqtt5-connection.errors` in the connection's catalog.
   */
  describe(problem: Problem): string;

  /** Opens the connection with the first user (unless auto-connect is off). */
  register(user: ConnectionUser): void;
  /** Drops a user; the last one closes the connection. Resolves once it is closed. */
  deregister(user: ConnectionUser): Promise<void>;

  /**
   * Subscribes `subscriberId` to `filter`, its messages going to `handler`. Resolves with the
   * SUBACK when connected, undefined when the subscription waits for the next connection.
   * Rejects with a `ClientError` for a refused filter (its reason code). `onRefused` hears of
   * the refusals of later subscriptions the connection makes by itself, after a reconnect.
   */
  subscribe(
    subscriberId: string,
    filter: string,
    options: SubscriberOptions,
    handler: MessageHandler,
    onRefused?: RefusalHandler,
  ): Promise<RequestResult | undefined>;
  /**
   * Stops delivering `filter` to `subscriberId`. With `keepOnServer` (a redeploy of a persistent
   * session), the server keeps the subscription for a while, so that messages keep queueing for
   * the node's next instance.
   */
  unsubscribe(subscriberId: string, filter: string, keepOnServer?: boolean): Promise<void>;
  /** The filters `subscriberId` holds, with their options. */
  subscriptionsOf(subscriberId: string): { topic: string; options: SubscriberOptions }[];

  /** Publishes; see `MqttClient.publish` for when it settles. */
  publish(message: OutgoingMessage): Promise<RequestResult>;
  /** `publish` with a listener instead of a Promise (see `MqttClient.publishWith`). */
  publishWith(message: OutgoingMessage, listener: RequestListener): void;

  /**
   * `msg.action` `connect` (with optional `msg.broker` overrides) and `disconnect`, as the core
   * MQTT nodes have them. Rejects with an Error for bad overrides.
   */
  control(action: 'connect' | 'disconnect', msg: NodeMessage): Promise<void>;
}

export function isConnectionNode(node: unknown): node is Mqtt5Connection {
  return (
    isRecord(node) &&
    typeof node['register'] === 'function' &&
    typeof node['subscribe'] === 'function' &&
    typeof node['publish'] === 'function' &&
    typeof node['publishWith'] === 'function' &&
    typeof node['control'] === 'function'
  );
}
