import type { SubscriberOptions } from '../../src/client';
import type { MessageHandler, RefusalHandler } from './connection-api';

/**
 * Who holds which filters on a shared connection, and where their messages and refusals go. The
 * connection keeps this apart from any one client, so that a new client (after `msg.broker`
 * changed the settings) gets every subscription again.
 */
export class ConnectionSubscribers {
  private readonly filters = new Map<string, Map<string, SubscriberOptions>>();
  private readonly handlers = new Map<string, MessageHandler>();
  private readonly refusals = new Map<string, RefusalHandler>();

  add(
    subscriberId: string,
    filter: string,
    options: SubscriberOptions,
    handler: MessageHandler,
    onRefused: RefusalHandler | undefined,
  ): void {
    this.handlers.set(subscriberId, handler);
    if (onRefused !== undefined) this.refusals.set(subscriberId, onRefused);
    let mine = this.filters.get(subscriberId);
    if (mine === undefined) {
      mine = new Map();
      this.filters.set(subscriberId, mine);
    }
    mine.set(filter, options);
  }

  /** False when `subscriberId` did not hold `filter`. */
  remove(subscriberId: string, filter: string): boolean {
    const mine = this.filters.get(subscriberId);
    if (mine === undefined || !mine.delete(filter)) return false;
    if (mine.size === 0) this.filters.delete(subscriberId);
    return true;
  }

  /** Drops a user's handlers (its filters go with its unsubscribes). */
  forget(subscriberId: string): void {
    this.handlers.delete(subscriberId);
    this.refusals.delete(subscriberId);
  }

  of(subscriberId: string): { topic: string; options: SubscriberOptions }[] {
    const mine = this.filters.get(subscriberId);
    return mine === undefined ? [] : [...mine].map(([topic, options]) => ({ topic, options }));
  }

  /** Every held filter, as `[subscriberId, filter, options]`. */
  all(): [string, string, SubscriberOptions][] {
    return [...this.filters].flatMap(([id, mine]) =>
      [...mine].map((entry): [string, string, SubscriberOptions] => [id, ...entry]),
    );
  }

  handler(subscriberId: string): MessageHandler | undefined {
    return this.handlers.get(subscriberId);
  }

  refusal(subscriberId: string): RefusalHandler | undefined {
    return this.refusals.get(subscriberId);
  }
}
