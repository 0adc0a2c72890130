/**
 * Runs writes one at a time, in the order they were asked for, and groups them: items submitted
 * while a commit is running are committed together by the next one (one write and one fsync for
 * many `apply` calls). Exclusive tasks (open, flush, compaction, close) take their turn in order.
 */

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

type Entry<T> = { kind: 'group'; items: T[]; waiters: Waiter[] } | { kind: 'task'; run: () => Promise<void> };

export class CommitQueue<T> {
  private readonly entries: Entry<T>[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly commit: (items: T[]) => Promise<void>) {}

  /** Resolves once `item` has been committed, with the others of its group. */
  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const last = this.entries[this.entries.length - 1];
      if (last !== undefined && last.kind === 'group') {
        last.items.push(item);
        last.waiters.push({ resolve, reject });
      } else {
        this.entries.push({ kind: 'group', items: [item], waiters: [{ resolve, reject }] });
      }
      this.kick();
    });
  }

  /** Runs `task` alone, after everything queued before it. */
  exclusive<R>(task: () => Promise<R>): Promise<R> {
    return new Promise((resolve, reject) => {
      const run = async (): Promise<void> => {
        try {
          resolve(await task());
        } catch (err) {
          reject(err);
        }
      };
      this.entries.push({ kind: 'task', run });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running !== undefined) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // Entries queued between the end of the drain and this callback would otherwise wait for ever.
      if (this.entries.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let the rest of the current turn queue its items first, so a burst shares the first commit.
    await Promise.resolve();
    for (let entry = this.entries.shift(); entry !== undefined; entry = this.entries.shift()) {
      if (entry.kind === 'task') {
        await entry.run();
        continue;
      }
      const { items, waiters } = entry;
      try {
        await this.commit(items);
        for (const waiter of waiters) waiter.resolve();
      } catch (err) {
        for (const waiter of waiters) waiter.reject(err);
      }
    }
  }
}
