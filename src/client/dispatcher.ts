import type { PublishPacket, Subscription } from '../protocol/types';
import { isSharedSubscription, parseSharedSubscription, SubscriptionTrie } from '../topic';

/** Options a local subscriber asks for; the filter comes separately. */
export type SubscriberOptions = Omit<Subscription, 'topicFilter'>;

/** One filter subscribed on the connection, shared by every local subscriber that named it. */
export interface FilterEntry {
  readonly filter: string;
  /** The Subscription Identifier the client gives this filter (used when the server has them). */
  readonly subscriptionIdentifier: number;
  options: SubscriberOptions;
  readonly subscribers: Set<string>;
  /** Shared filters: which subscriber takes the next message (they take turns). */
  turn: number;
}

export interface AddResult {
  entry: FilterEntry;
  /** False when the filter was already subscribed for another subscriber: no SUBSCRIBE needed. */
  subscribe: boolean;
}

const MAX_SUBSCRIPTION_ID = 268_435_455;
/** Topics whose matching filters `route` remembers; past this the memory starts over. */
const MATCH_CACHE_SIZE = 1024;

/**
 * Routes each incoming PUBLISH to the local subscribers (e.g. Node-RED `mqtt5 in` nodes) it is
 * for, exactly once each, even when their filters overlap on one connection.
 *
 * Each distinct filter gets its own Subscription Identifier, which a server that supports them
 * returns in each PUBLISH for that subscription [MQTT-3.3.4-3]; see `route` for how they pick the
 * subscribers. Matching is local, with a `SubscriptionTrie` where a shared subscription
 * `$share/g/f` matches on `f`. Either way the result is a set: one copy each.
 *
 * Subscribers that name the same filter share one server subscription, since a second SUBSCRIBE
 * of a filter replaces the first on the server [MQTT-3.8.4-3]; the later one therefore does not
 * get the retained messages again.
 */
export class ClientDispatcher {
  private readonly byFilter = new Map<string, FilterEntry>();
  private readonly byIdentifier = new Map<number, FilterEntry>();
  private readonly trie = new SubscriptionTrie<FilterEntry>();
  /** The filters each recently routed topic matches; emptied whenever a filter comes or goes. */
  private readonly matchCache = new Map<string, readonly FilterEntry[]>();
  private nextIdentifier = 1;

  /** Registers `subscriberId` for `filter`. Throws `MqttError` 0x8F for an invalid filter. */
  add(subscriberId: string, filter: string, options: SubscriberOptions): AddResult {
    const existing = this.byFilter.get(filter);
    if (existing !== undefined) {
      existing.subscribers.add(subscriberId);
      // A higher QoS than the shared subscription has needs a new SUBSCRIBE (which replaces it).
      const higher = options.qos > existing.options.qos;
      if (higher) existing.options = { ...existing.options, qos: options.qos };
      return { entry: existing, subscribe: higher };
    }
    const matchOn = parseSharedSubscription(filter)?.filter ?? filter;
    const entry: FilterEntry = {
      filter,
      subscriptionIdentifier: this.allocateIdentifier(),
      options,
      subscribers: new Set([subscriberId]),
      turn: 0,
    };
    this.trie.add(matchOn, entry);
    this.matchCache.clear();
    this.byFilter.set(filter, entry);
    this.byIdentifier.set(entry.subscriptionIdentifier, entry);
    return { entry, subscribe: true };
  }

  /**
   * Removes `subscriberId` from `filter`. Returns true when it was the last one, so the caller
   * should UNSUBSCRIBE the filter.
   */
  remove(subscriberId: string, filter: string): boolean {
    const entry = this.byFilter.get(filter);
    if (entry === undefined || !entry.subscribers.delete(subscriberId)) return false;
    if (entry.subscribers.size > 0) return false;
    this.byFilter.delete(filter);
    this.byIdentifier.delete(entry.subscriptionIdentifier);
    this.trie.remove(parseSharedSubscription(filter)?.filter ?? filter, entry);
    this.matchCache.clear();
    return true;
  }

  /** Every filter with at least one subscriber (to subscribe again on a new session). */
  entries(): FilterEntry[] {
    return [...this.byFilter.values()];
  }

  /** The filters `subscriberId` holds. */
  filtersOf(subscriberId: string): string[] {
    return this.entries()
      .filter((e) => e.subscribers.has(subscriberId))
      .map((e) => e.filter);
  }

  /**
   * The subscribers `publish` is for, each once.
   *
   * A server may merge overlapping subscriptions into one PUBLISH carrying every matching
   * identifier (our broker), or send one copy per subscription, each with its own identifier
   * (mosquitto; spec 3.3.4 allows both). So each subscriber takes the message only from the copy
   * that carries its designated identifier: the lowest of its matching non-shared filters, which
   * every server sends. (A subscriber with only shared filters matching takes any copy that
   * names one of them, as a share group may or may not pick this client.) Without identifiers
   * there is no way to tell copies apart, and each PUBLISH goes to every matching subscriber once.
   * The same holds when none of the identifiers is one this dispatcher gave: a persistent
   * session's messages queued before a restart carry the previous process's identifiers.
   */
  route(publish: PublishPacket): string[] {
    const matching = this.matching(publish.topic);
    const ids = publish.properties?.subscriptionIdentifiers;
    const only = matching.length === 1 ? matching[0] : undefined;
    if (only !== undefined && (only.subscribers.size <= 1 || !isSharedSubscription(only.filter))) {
      // One filter matches and its subscribers all take the message (the usual case): they do
      // when the message carries the filter's identifier, or none of ours (see above).
      const takes =
        ids === undefined ||
        ids.includes(only.subscriptionIdentifier) ||
        !ids.some((id) => this.byIdentifier.has(id));
      return takes ? [...only.subscribers] : [];
    }
    if (matching.length === 0) return [];
    const out = new Set<string>();
    if (ids === undefined || !ids.some((id) => this.byIdentifier.has(id))) {
      for (const entry of matching) for (const s of this.takers(entry)) out.add(s);
      return [...out];
    }
    const carried = new Set(ids);
    /** Per subscriber: the designated identifier, or 0 for "only shared filters match". */
    const designated = new Map<string, number>();
    for (const entry of matching) {
      if (isSharedSubscription(entry.filter)) {
        for (const s of this.takers(entry)) if (!designated.has(s)) designated.set(s, 0);
        continue;
      }
      for (const s of entry.subscribers) {
        const current = designated.get(s);
        if (current === undefined || current === 0 || entry.subscriptionIdentifier < current) {
          designated.set(s, entry.subscriptionIdentifier);
        }
      }
    }
    for (const [subscriber, id] of designated) {
      if (id !== 0 ? carried.has(id) : this.carriesSharedOf(subscriber, matching, carried))
        out.add(subscriber);
    }
    return [...out];
  }

  /** The filters `topic` matches, from the trie or, for a topic seen lately, from memory. */
  private matching(topic: string): readonly FilterEntry[] {
    const known = this.matchCache.get(topic);
    if (known !== undefined) return known;
    const found = this.trie.match(topic);
    if (this.matchCache.size >= MATCH_CACHE_SIZE) this.matchCache.clear();
    this.matchCache.set(topic, found);
    return found;
  }

  /**
   * The subscribers of `entry` a message goes to: all of them, except for a shared filter, whose
   * subscribers on this connection take turns, as the group's members do across connections.
   */
  private takers(entry: FilterEntry): Iterable<string> {
    if (entry.subscribers.size <= 1 || !isSharedSubscription(entry.filter)) return entry.subscribers;
    const all = [...entry.subscribers];
    const pick = all[entry.turn % all.length];
    entry.turn = (entry.turn + 1) % all.length;
    return pick === undefined ? [] : [pick];
  }

  private carriesSharedOf(
    subscriber: string,
    matching: readonly FilterEntry[],
    carried: Set<number>,
  ): boolean {
    return matching.some((e) => e.subscribers.has(subscriber) && carried.has(e.subscriptionIdentifier));
  }

  private allocateIdentifier(): number {
    let id = this.nextIdentifier;
    while (this.byIdentifier.has(id)) id = id >= MAX_SUBSCRIPTION_ID ? 1 : id + 1;
    this.nextIdentifier = id >= MAX_SUBSCRIPTION_ID ? 1 : id + 1;
    return id;
  }
}
