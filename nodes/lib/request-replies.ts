import { randomBytes } from 'node:crypto';
import type { SubscriberOptions } from '../../src/client';
import type { MessageHandler, Mqtt5Connection } from './connection-api';

/**
 * The topic an `mqtt5 request` node asks its replies to be sent to, and its one subscription to
 * it. The topic is, in order of preference:
 * - the node's own response topic setting;
 * - `<Response Information>/<node id>`, when the server gave Response Information in CONNACK
 *   (the connection must request it), since the server sets that prefix aside for this client;
 * - `node-red-mqtt5/replies/<client id, or a random id>/<node id>`, unique per connection.
 *
 * A reconnection with different Response Information moves the node to the new topic; the old
 * one stays subscribed until no request waits on it any more.
 */

/** Exact topic, QoS 1, and no retained messages at subscribe time: a reply is never retained. */
export const REPLY_SUBSCRIPTION: SubscriberOptions = {
  qos: 1,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 2,
};

export const FALLBACK_PREFIX = 'node-red-mqtt5/replies';

/** Text as one topic level: no level separator, wildcards or NUL [MQTT-4.7.3-2]. */
export function topicLevel(text: string): string {
  return text.replace(/[/+#]/g, '_').replaceAll('\u0000', '_');
}

/** `<info>/<unique>`, whether or not the server's prefix ends with a `/`. */
export function underResponseInformation(info: string, unique: string): string {
  return info.endsWith('/') ? `${info}${unique}` : `${info}/${unique}`;
}

export interface ReplyTopicsOptions {
  connection: Mqtt5Connection;
  /** The node's id: its subscriber id on the connection, and the last level of its topic. */
  subscriberId: string;
  /** The node's response topic setting; blank for automatic. */
  configured: string;
  handler: MessageHandler;
  /** Whether a pending request still waits for a reply on `topic`. */
  inUse(topic: string): boolean;
  /** The subscription to `topic` was refused; the next request subscribes again. */
  onError(topic: string, error: unknown): void;
  random?: () => string;
}

export class ReplyTopics {
  private current: string | undefined;
  private fallback: string | undefined;
  private readonly subscribed = new Set<string>();

  constructor(private readonly options: ReplyTopicsOptions) {}

  /** The topic replies come to now, subscribing to it when it is new. */
  topic(): string {
    const wanted = this.wanted();
    if (wanted !== this.current) this.switchTo(wanted);
    return wanted;
  }

  /** A request on `topic` has settled: a former topic nobody waits on is unsubscribed. */
  settled(topic: string): void {
    if (topic !== this.current && this.subscribed.has(topic) && !this.options.inUse(topic)) this.drop(topic);
  }

  /** Unsubscribes from everything (the node is closing). */
  async close(): Promise<void> {
    const topics = [...this.subscribed];
    this.subscribed.clear();
    this.current = undefined;
    const { connection, subscriberId } = this.options;
    await Promise.all(
      topics.map((topic) => connection.unsubscribe(subscriberId, topic).catch(() => undefined)),
    );
  }

  private wanted(): string {
    const { configured, connection, subscriberId } = this.options;
    if (configured !== '') return configured;
    const unique = topicLevel(subscriberId);
    const info = connection.responseInformation;
    if (info !== undefined && info !== '') return underResponseInformation(info, unique);
    if (this.fallback === undefined) {
      const client = topicLevel(connection.clientId);
      const id = client !== '' ? client : (this.options.random ?? randomId)();
      this.fallback = `${FALLBACK_PREFIX}/${id}/${unique}`;
    }
    return this.fallback;
  }

  private switchTo(topic: string): void {
    const old = this.current;
    this.current = topic;
    if (!this.subscribed.has(topic)) {
      this.subscribed.add(topic);
      const { connection, subscriberId, handler } = this.options;
      connection.subscribe(subscriberId, topic, REPLY_SUBSCRIPTION, handler).catch((error: unknown) => {
        this.subscribed.delete(topic);
        if (this.current === topic) this.current = undefined;
        this.options.onError(topic, error);
      });
    }
    if (old !== undefined) this.settled(old);
  }

  private drop(topic: string): void {
    this.subscribed.delete(topic);
    const { connection, subscriberId } = this.options;
    connection.unsubscribe(subscriberId, topic).catch(() => undefined);
  }
}

function randomId(): string {
  return randomBytes(8).toString('hex');
}
