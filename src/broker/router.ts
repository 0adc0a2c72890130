import type { QoS } from '../protocol/types';
import { SubscriptionTrie } from '../topic/trie';
import { NO_SUBSCRIPTION_IDS } from './session';
import { SharedGroup, sharedGroupKey } from './shared-groups';
import type { RouteTarget, SharedSubscriptionStrategy, SubscriptionEntry } from './types';

/** A session's subscriptions, with the bookkeeping `route` uses to merge them into one target. */
interface ClientRecord {
  /** Filter as sent → subscription. */
  readonly filters: Map<string, Subscription>;
  /** The `route` call that last gave this session a target, and that target's index in its result. */
  routeId: number;
  slot: number;
}

/** A subscription as the router holds it: the entry and the session it belongs to. */
interface Subscription {
  readonly entry: SubscriptionEntry;
  readonly client: ClientRecord;
}

export interface RouterOptions {
  strategy: SharedSubscriptionStrategy;
  /** Source of randomness for the 'random' strategy, in [0, 1); `Math.random` by default. */
  random?: () => number;
}

/**
 * The broker's subscription index and its routing decision, pure and synchronous.
 *
 * Subscriptions are keyed by (client id, filter as sent). Ordinary ones sit in a trie keyed on their
 * Topic Filter; shared ones are grouped per (ShareName, Topic Filter), and each group sits in a second
 * trie. `route` turns one published message into one target per receiving session, plus one per
 * matching shared group.
 *
 * The router keeps its own copy of each subscribed entry; treat the entries `subscriptionsOf` returns
 * as read-only.
 */
export class Router {
  private readonly strategy: SharedSubscriptionStrategy;
  private readonly random: () => number;
  /** Ordinary subscriptions, by Topic Filter. */
  private readonly direct = new SubscriptionTrie<Subscription>();
  /** Shared groups, by Topic Filter. */
  private readonly shared = new SubscriptionTrie<SharedGroup>();
  private readonly groups = new Map<string, SharedGroup>();
  /** Every subscription, by client id. */
  private readonly byClient = new Map<string, ClientRecord>();
  private count = 0;
  /** Numbers `route` calls, so that a session's record tells whether this call already targeted it. */
  private routeCount = 0;
  /** Lent to `SharedGroup.pick`; empty between calls. */
  private readonly scratch: SubscriptionEntry[] = [];

  constructor(options: RouterOptions) {
    this.strategy = options.strategy;
    this.random = options.random ?? Math.random;
  }

  /** Total number of subscriptions, shared ones included. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a subscription, or replaces the session's subscription with the same filter (options, QoS and
   * Subscription Identifier) [MQTT-3.8.4-3]. Throws `MqttError(TopicFilterInvalid)` when
   * `entry.topicFilter` is not a valid Topic Filter, leaving the router unchanged.
   */
  subscribe(entry: SubscriptionEntry): { existed: boolean } {
    const known = this.byClient.get(entry.clientId);
    const client: ClientRecord = known ?? { filters: new Map(), routeId: 0, slot: 0 };
    const previous = client.filters.get(entry.filter);
    const subscription: Subscription = { entry: { ...entry }, client };
    this.index(subscription); // first, so that an invalid filter throws before anything changes
    if (previous !== undefined) this.unindex(previous);
    else this.count++;
    if (known === undefined) this.byClient.set(entry.clientId, client);
    client.filters.set(entry.filter, subscription);
    return { existed: previous !== undefined };
  }

  /**
   * Removes the subscription whose filter is character-for-character `filter`, `$share/<group>/`
   * included [MQTT-3.10.4-1]. Returns false when the session has no such subscription.
   */
  unsubscribe(clientId: string, filter: string): boolean {
    const client = this.byClient.get(clientId);
    const subscription = client?.filters.get(filter);
    if (client === undefined || subscription === undefined) return false;
    this.unindex(subscription);
    client.filters.delete(filter);
    if (client.filters.size === 0) this.byClient.delete(clientId);
    this.count--;
    return true;
  }

  /** Removes every subscription of a session (when the session ends). Returns how many there were. */
  removeClient(clientId: string): number {
    const client = this.byClient.get(clientId);
    if (client === undefined) return 0;
    for (const subscription of client.filters.values()) this.unindex(subscription);
    this.byClient.delete(clientId);
    this.count -= client.filters.size;
    return client.filters.size;
  }

  /** The session's subscriptions, in the order they were first made. */
  subscriptionsOf(clientId: string): SubscriptionEntry[] {
    const client = this.byClient.get(clientId);
    const entries: SubscriptionEntry[] = [];
    if (client === undefined) return entries;
    for (const subscription of client.filters.values()) entries.push(subscription.entry);
    return entries;
  }

  /**
   * Who receives a message published on `topic` at `qos` by `senderId` (empty for wills and $SYS).
   *
   * - Each session with matching ordinary subscriptions gets one target, whatever the number of
   *   matching filters.
   * - Each matching shared group adds one target for the member it picks, even when that session
   *   already has a target of its own or from another group.
   *
   * `isOnline` steers shared groups towards members that are connected.
   */
  route(topic: string, qos: QoS, senderId: string, isOnline: (clientId: string) => boolean): RouteTarget[] {
    const targets: RouteTarget[] = [];
    if (this.direct.size > 0) this.routeDirect(this.direct.match(topic), qos, senderId, targets);
    if (this.shared.size > 0) {
      for (const group of this.shared.match(topic)) {
        const member = group.pick(this.strategy, this.random, isOnline, this.scratch);
        // [MQTT-4.8.2-3] The member's granted QoS applies. No Local does not: it is a Protocol Error on
        // a shared subscription [MQTT-3.8.3-4], which the SUBSCRIBE handler rejects.
        if (member !== undefined) targets.push(newTarget(member, qos));
      }
    }
    return targets;
  }

  /**
   * Merges the matching ordinary subscriptions into one target per session. A session's record notes
   * the call and the index of its target, so that merging needs no map.
   */
  private routeDirect(matches: Subscription[], qos: QoS, senderId: string, targets: RouteTarget[]): void {
    const routeId = ++this.routeCount;
    for (const { entry, client } of matches) {
      if (isOwnMessage(entry, senderId)) continue;
      const target = client.routeId === routeId ? targets[client.slot] : undefined;
      if (target === undefined) {
        client.routeId = routeId;
        client.slot = targets.length;
        targets.push(newTarget(entry, qos));
        continue;
      }
      // [MQTT-3.3.4-2] min(message QoS, highest granted QoS) is the highest of min(message QoS, granted).
      const granted = entry.qos < qos ? entry.qos : qos;
      if (granted > target.qos) target.qos = granted;
      // [MQTT-3.3.4-3] every matching subscription's identifier goes along, each once: two
      // filters of one SUBSCRIBE share its identifier.
      const id = entry.subscriptionIdentifier;
      const ids = target.subscriptionIdentifiers;
      if (id !== undefined && !ids.includes(id)) {
        // The shared empty list is never added to.
        if (ids === NO_SUBSCRIPTION_IDS) target.subscriptionIdentifiers = [id];
        else ids.push(id);
      }
      if (entry.retainAsPublished) target.retainAsPublished = true;
    }
  }

  private index(subscription: Subscription): void {
    const entry = subscription.entry;
    if (entry.group === undefined) {
      this.direct.add(entry.topicFilter, subscription);
      return;
    }
    const key = sharedGroupKey(entry.group, entry.topicFilter);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new SharedGroup(key, entry.topicFilter);
      this.shared.add(entry.topicFilter, group); // validates before the group is kept
      this.groups.set(key, group);
    }
    group.put(entry);
  }

  private unindex(subscription: Subscription): void {
    const entry = subscription.entry;
    if (entry.group === undefined) {
      this.direct.remove(entry.topicFilter, subscription);
      return;
    }
    const group = this.groups.get(sharedGroupKey(entry.group, entry.topicFilter));
    // A replacement within the same group has already taken the entry's place.
    if (group === undefined || !group.remove(entry) || !group.isEmpty) return;
    this.shared.remove(group.topicFilter, group);
    this.groups.delete(group.key);
  }
}

/** No Local: the subscription does not receive its own session's messages [MQTT-3.8.3-3]. */
function isOwnMessage(entry: SubscriptionEntry, senderId: string): boolean {
  return entry.noLocal && entry.clientId === senderId;
}

interface RouteTargetConstructor {
  new (
    clientId: string,
    qos: QoS,
    retainAsPublished: boolean,
    subscriptionIdentifiers: number[],
  ): RouteTarget;
  prototype: object;
}

/** Made with `new`, not as a literal: see `src/protocol/plain-objects.ts`. */
const RouteTargetObject = function RouteTargetObject(
  this: RouteTarget,
  clientId: string,
  qos: QoS,
  retainAsPublished: boolean,
  subscriptionIdentifiers: number[],
): void {
  this.clientId = clientId;
  this.qos = qos;
  this.retainAsPublished = retainAsPublished;
  this.subscriptionIdentifiers = subscriptionIdentifiers;
} as unknown as RouteTargetConstructor;
RouteTargetObject.prototype = Object.prototype;

function newTarget(entry: SubscriptionEntry, qos: QoS): RouteTarget {
  const id = entry.subscriptionIdentifier;
  return new RouteTargetObject(
    entry.clientId,
    entry.qos < qos ? entry.qos : qos, // [MQTT-3.3.4-2]
    entry.retainAsPublished,
    id === undefined ? NO_SUBSCRIPTION_IDS : [id], // [MQTT-3.3.4-3]
  );
}
