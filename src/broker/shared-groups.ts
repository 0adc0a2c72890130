import type { SharedSubscriptionStrategy, SubscriptionEntry } from './types';

/**
 * The members of one shared subscription: one ShareName and one Topic Filter (spec section 4.8.2).
 * A session is a member at most once, because its subscriptions are keyed by the filter as sent and
 * `$share/<group>/<filter>` names both. Each message goes to exactly one member (section 4.8.2).
 */
export class SharedGroup {
  /** Members in subscription order; rotation walks this list. */
  readonly members: SubscriptionEntry[] = [];
  /** Index of the member round-robin tries first. */
  private next = 0;

  constructor(
    /** The key of the group in the router's map: `<group>\0<topicFilter>`. */
    readonly key: string,
    readonly topicFilter: string,
  ) {}

  /** Adds `entry`, or replaces the same session's membership in place, keeping its turn in the rotation. */
  put(entry: SubscriptionEntry): void {
    const members = this.members;
    for (let i = 0; i < members.length; i++) {
      if (members[i]?.clientId === entry.clientId) {
        members[i] = entry;
        return;
      }
    }
    members.push(entry);
  }

  /** Removes exactly this entry (by identity). Returns false when it is not a member. */
  remove(entry: SubscriptionEntry): boolean {
    const index = this.members.indexOf(entry);
    if (index < 0) return false;
    this.members.splice(index, 1);
    // Keep the rotation on the member that was due next.
    if (index < this.next) this.next--;
    if (this.next >= this.members.length) this.next = 0;
    return true;
  }

  get isEmpty(): boolean {
    return this.members.length === 0;
  }

  /**
   * Picks the member that receives the next message. Members whose session is online come first; when
   * none is, a member is picked anyway so the message queues in its session. `scratch` is an array the
   * caller lends for the random strategy, so that picking allocates nothing.
   */
  pick(
    strategy: SharedSubscriptionStrategy,
    random: () => number,
    isOnline: (clientId: string) => boolean,
    scratch: SubscriptionEntry[],
  ): SubscriptionEntry | undefined {
    return strategy === 'random' ? this.pickRandom(random, isOnline, scratch) : this.pickNext(isOnline);
  }

  private pickNext(isOnline: (clientId: string) => boolean): SubscriptionEntry | undefined {
    const members = this.members;
    const count = members.length;
    for (let step = 0; step < count; step++) {
      let index = this.next + step;
      if (index >= count) index -= count;
      const member = members[index];
      if (member !== undefined && isOnline(member.clientId)) {
        this.next = index + 1 === count ? 0 : index + 1;
        return member;
      }
    }
    // Nobody is online: the next member in turn takes it into its session's queue.
    const member = members[this.next];
    this.next = this.next + 1 >= count ? 0 : this.next + 1;
    return member;
  }

  private pickRandom(
    random: () => number,
    isOnline: (clientId: string) => boolean,
    scratch: SubscriptionEntry[],
  ): SubscriptionEntry | undefined {
    scratch.length = 0;
    for (const member of this.members) if (isOnline(member.clientId)) scratch.push(member);
    const pool = scratch.length > 0 ? scratch : this.members;
    const chosen = pool[randomIndex(random, pool.length)];
    scratch.length = 0;
    return chosen;
  }
}

/** A uniform index in [0, count), safe against a `random` that returns 1. */
function randomIndex(random: () => number, count: number): number {
  const index = Math.floor(random() * count);
  return index < count ? index : count - 1;
}

/** The key of a shared subscription in the router's map. A ShareName cannot contain U+0000 [MQTT-4.7.3-2]. */
export function sharedGroupKey(group: string, topicFilter: string): string {
  return `${group}\u0000${topicFilter}`;
}
