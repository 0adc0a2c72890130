import { ReasonCode } from '../protocol/reason-codes';
import { ClientError } from './errors';
import type { PendingPublish } from './types';

export interface PublishQueueLimits {
  /** Most messages waiting when a publish is made while offline; 1000 by default. */
  maxMessages?: number;
  /** Most payload-and-header bytes waiting, online or not; 16 MiB by default. */
  maxBytes?: number;
}

/**
 * Publishes waiting for the wire: made while offline, or beyond the server's Receive Maximum. A
 * publish made while offline may join only within both bounds, count and bytes; one made while
 * online waits only for the window (a stock mosquitto grants 20), so a burst of any count is
 * taken, within the byte bound. Past a bound `push` throws 0x97 Quota exceeded, so a publish is
 * refused at once and never silently dropped.
 */
export class PublishQueue {
  private readonly items: PendingPublish[] = [];
  private head = 0;
  private bytesHeld = 0;
  readonly maxMessages: number;
  readonly maxBytes: number;

  constructor(limits: PublishQueueLimits = {}) {
    this.maxMessages = limits.maxMessages ?? 1000;
    this.maxBytes = limits.maxBytes ?? 16 * 1024 * 1024;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /**
   * Adds at the end; throws `ClientError` 0x97 when that would pass the byte bound, or, for a
   * publish made `offline`, the message bound.
   */
  push(item: PendingPublish, offline: boolean): void {
    if ((offline && this.length + 1 > this.maxMessages) || this.bytesHeld + item.bytes > this.maxBytes) {
      throw new ClientError(
        ReasonCode.QuotaExceeded,
        `publish queue full (${this.length} of ${this.maxMessages} messages, ` +
          `${this.bytesHeld} of ${this.maxBytes} bytes): publish to ${item.message.topic} refused`,
      );
    }
    this.items.push(item);
    this.bytesHeld += item.bytes;
  }

  /** Puts back at the front (e.g. in-flight messages of a session the server no longer has). */
  unshift(items: readonly PendingPublish[]): void {
    const rest = this.items.slice(this.head);
    this.items.length = 0;
    this.head = 0;
    this.items.push(...items, ...rest);
    for (const item of items) this.bytesHeld += item.bytes;
  }

  peek(): PendingPublish | undefined {
    return this.items[this.head];
  }

  shift(): PendingPublish | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    this.bytesHeld -= item.bytes;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  /** Empties the queue, returning what it held. */
  drain(): PendingPublish[] {
    const out = this.items.slice(this.head);
    this.items.length = 0;
    this.head = 0;
    this.bytesHeld = 0;
    return out;
  }
}
