import type { PublishPacket } from '../../src/protocol/types';
import { parseSharedSubscription, topicMatches } from '../../src/topic';

/**
 * Messages that arrived for no local subscriber, kept for a short while. A persistent session
 * hands over its queued messages right after CONNACK, which can come before every `mqtt5 in`
 * node of a starting flow has subscribed; a node that subscribes a matching filter within
 * `maxAgeMs` still gets them. The list is bounded by count; the oldest go first.
 */
export class HeldMessages {
  private items: { packet: PublishPacket; at: number }[] = [];
  /** Messages dropped unclaimed (too old, or past the bound). */
  dropped = 0;

  constructor(
    private readonly maxMessages = 1000,
    private readonly maxAgeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.items.length;
  }

  hold(packet: PublishPacket): void {
    this.expire();
    this.items.push({ packet, at: this.now() });
    if (this.items.length > this.maxMessages) {
      this.items.shift();
      this.dropped++;
    }
  }

  /** Takes, in arrival order, the held messages `filter` matches (a shared filter on its topic filter). */
  claim(filter: string): PublishPacket[] {
    this.expire();
    if (this.items.length === 0) return [];
    const on = parseSharedSubscription(filter)?.filter ?? filter;
    const claimed: PublishPacket[] = [];
    this.items = this.items.filter((item) => {
      if (!topicMatches(on, item.packet.topic)) return true;
      claimed.push(item.packet);
      return false;
    });
    return claimed;
  }

  clear(): void {
    this.items = [];
  }

  private expire(): void {
    const oldest = this.now() - this.maxAgeMs;
    let n = 0;
    while (n < this.items.length && (this.items[n]?.at ?? 0) < oldest) n++;
    if (n > 0) {
      this.items.splice(0, n);
      this.dropped += n;
    }
  }
}
