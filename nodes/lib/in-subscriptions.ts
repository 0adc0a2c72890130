import { parseSharedSubscription, topicMatches } from '../../src/topic';
import type { ConnectionState, MessageHandler, Mqtt5Connection } from './connection-api';
import { sameOptions, type WantedSubscription } from './in-subscription';
import type { OutputFormat } from './payload';

/** How a subscription ended up. */
export type SubscribeOutcome =
  /** The SUBACK granted it (or the connection already had the filter for another node). */
  | { kind: 'subscribed' }
  /** It waits for the connection to come up. */
  | { kind: 'pending' }
  /** The server (or the client, for what the server does not support) refused it. */
  | { kind: 'refused'; error: unknown }
  /** It was unsubscribed, or the node closed, before the SUBACK. */
  | { kind: 'dropped' };

/**
 * Called when a subscription settles, whether a request started it (`byRequest`: the node's
 * caller also gets the outcome) or the connection coming up did.
 */
export type SettledListener = (topic: string, outcome: SubscribeOutcome, byRequest: boolean) => void;

interface Entry {
  wanted: WantedSubscription;
  /** The filter messages match on: a shared subscription's filter after `$share/<group>/`. */
  matchOn: string;
  state: 'pending' | 'subscribing' | 'active';
}

/**
 * The subscriptions of one `mqtt5 in` node on its connection.
 *
 * A subscription is made while the connection is up, so that the node learns the SUBACK's verdict
 * (a refused filter shows in its status and reaches Catch nodes). One wanted before that waits,
 * and is made the moment the connection reports it is connected: that is during the CONNACK's
 * handling, before any message of the new connection is routed, so a persistent session's
 * queued messages still find the node. After that the connection itself restores the
 * subscriptions on each reconnect; a refusal then reaches the node as one nobody asked for.
 *
 * A refused subscription is kept for the next connection with `keepRefused` (the node's own
 * filter), and forgotten without it (a dynamic one: the msg that asked got the error).
 */
export class InSubscriptions {
  private readonly entries = new Map<string, Entry>();
  /** `datatypeFor`'s last answer; forgotten whenever a subscription comes, goes or changes. */
  private lastDatatype: { topic: string; datatype: OutputFormat | undefined } | undefined;
  private online = false;
  private closed = false;

  constructor(
    private readonly connection: Mqtt5Connection,
    private readonly subscriberId: string,
    private readonly handler: MessageHandler,
    private readonly keepRefused: boolean,
    private readonly settled: SettledListener,
  ) {}

  /** Follows the connection's state: coming up subscribes what waits. */
  connectionState(state: ConnectionState): void {
    if (this.closed) return;
    const online = state.phase === 'connected';
    const cameUp = online && !this.online;
    this.online = online;
    if (!cameUp) return;
    for (const entry of this.entries.values()) {
      if (entry.state === 'pending') void this.start(entry, false);
    }
  }

  /**
   * Subscribes, or changes a subscription's options (by unsubscribing and subscribing again).
   * Resolves once the SUBACK has come, or at once when the connection is down.
   */
  async add(wanted: WantedSubscription): Promise<SubscribeOutcome> {
    const existing = this.entries.get(wanted.topic);
    if (existing !== undefined) {
      if (sameOptions(existing.wanted.options, wanted.options)) {
        existing.wanted = wanted; // the output type may have changed; the server's side has not
        this.lastDatatype = undefined;
        return existing.state === 'active' ? { kind: 'subscribed' } : { kind: 'pending' };
      }
      await this.remove(wanted.topic);
    }
    const entry: Entry = {
      wanted,
      matchOn: parseSharedSubscription(wanted.topic)?.filter ?? wanted.topic,
      state: 'pending',
    };
    this.entries.set(wanted.topic, entry);
    this.lastDatatype = undefined;
    if (!this.online || this.closed) return { kind: 'pending' };
    return this.start(entry, true);
  }

  /** Unsubscribes `topic`; resolves after the UNSUBACK (if one is needed). False: not subscribed. */
  async remove(topic: string): Promise<boolean> {
    if (!this.entries.delete(topic)) return false;
    this.lastDatatype = undefined;
    await this.connection.unsubscribe(this.subscriberId, topic);
    return true;
  }

  /** Every filter, in the order they were subscribed. */
  topics(): string[] {
    return [...this.entries.keys()];
  }

  list(): WantedSubscription[] {
    return [...this.entries.values()].map((e) => e.wanted);
  }

  /**
   * The output type of the first subscription with one of its own that `topic` matches. The
   * answer for the last topic is remembered (until the subscriptions change): a node mostly
   * receives one topic after another.
   */
  datatypeFor(topic: string): OutputFormat | undefined {
    const last = this.lastDatatype;
    if (last !== undefined && last.topic === topic) return last.datatype;
    let datatype: OutputFormat | undefined;
    for (const entry of this.entries.values()) {
      const own = entry.wanted.datatype;
      if (own !== undefined && topicMatches(entry.matchOn, topic)) {
        datatype = own;
        break;
      }
    }
    this.lastDatatype = { topic, datatype };
    return datatype;
  }

  /**
   * Stops every subscription of the node. With `keepOnServer` (a redeploy of a persistent
   * session) the server keeps them for a while, so that messages keep queueing for the node's
   * next instance.
   */
  async close(keepOnServer: boolean): Promise<void> {
    this.closed = true;
    const topics = this.topics();
    this.entries.clear();
    this.lastDatatype = undefined;
    await Promise.all(
      topics.map((topic) =>
        this.connection.unsubscribe(this.subscriberId, topic, keepOnServer).catch(() => undefined),
      ),
    );
  }

  /**
   * The connection subscribed a filter again by itself (after a reconnect) and the server refused
   * it: the node hears it as a refusal nobody asked for. The filter stays wanted; the next
   * connection asks again.
   */
  private readonly refusedLater = (filter: string, error: unknown): void => {
    if (this.closed || !this.entries.has(filter)) return;
    this.settled(filter, { kind: 'refused', error }, false);
  };

  private async start(entry: Entry, byRequest: boolean): Promise<SubscribeOutcome> {
    entry.state = 'subscribing';
    const { topic, options } = entry.wanted;
    let outcome: SubscribeOutcome;
    try {
      await this.connection.subscribe(this.subscriberId, topic, options, this.handler, this.refusedLater);
      outcome = { kind: 'subscribed' };
    } catch (error) {
      // Without a connection nothing was refused: it is subscribed at the next one.
      outcome = this.online ? { kind: 'refused', error } : { kind: 'pending' };
    }
    if (this.closed || this.entries.get(topic) !== entry) return { kind: 'dropped' };
    if (outcome.kind === 'subscribed') entry.state = 'active';
    else if (outcome.kind === 'pending' || this.keepRefused) entry.state = 'pending';
    else if (this.entries.delete(topic)) this.lastDatatype = undefined;
    this.settled(topic, outcome, byRequest);
    return outcome;
  }
}
