/**
 * Server subscriptions a shared connection keeps after their last node left with `keepOnServer`
 * (a redeploy of a persistent session): the server keeps queueing for the node's next instance.
 * A filter no node claims within `ms` is dropped through the `drop` given when it was parked.
 */
export class ParkedFilters {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ms: number) {}

  park(filter: string, drop: () => void): void {
    this.claim(filter);
    const timer = setTimeout(() => {
      this.timers.delete(filter);
      drop();
    }, this.ms);
    timer.unref();
    this.timers.set(filter, timer);
  }

  /** A node subscribed the filter again: it stays. */
  claim(filter: string): void {
    clearTimeout(this.timers.get(filter));
    this.timers.delete(filter);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
