/**
 * The requests an `mqtt5 request` node is waiting on, by correlation data: bounded, each with
 * its own deadline. An entry leaves the table exactly once: by `take` (its reply came, or its
 * publish failed), by its timeout, or by `drain` (the node is closing).
 */

export type AddOutcome = 'added' | 'full' | 'duplicate';

export interface PendingOptions<T> {
  /** Most entries at once. */
  limit: number;
  timeoutMs: number;
  /** Called with an entry whose time ran out, after it has left the table. */
  onTimeout(entry: T, key: string): void;
}

interface Slot<T> {
  entry: T;
  timer: NodeJS.Timeout;
}

/** The table key of correlation data: its bytes as hex. */
export function correlationKey(data: Buffer): string {
  return data.toString('hex');
}

export class PendingRequests<T> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(private readonly options: PendingOptions<T>) {}

  get size(): number {
    return this.slots.size;
  }

  get full(): boolean {
    return this.slots.size >= this.options.limit;
  }

  /** Adds an entry and starts its clock; refused when the table is full or the key is in use. */
  add(key: string, entry: T): AddOutcome {
    if (this.slots.has(key)) return 'duplicate';
    if (this.full) return 'full';
    const timer = setTimeout(() => {
      if (this.slots.get(key)?.entry !== entry) return;
      this.slots.delete(key);
      this.options.onTimeout(entry, key);
    }, this.options.timeoutMs);
    this.slots.set(key, { entry, timer });
    return 'added';
  }

  /** Removes the entry and stops its clock; undefined when there is none (unknown or settled). */
  take(key: string): T | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    clearTimeout(slot.timer);
    this.slots.delete(key);
    return slot.entry;
  }

  /** Removes `entry` if it is still the one under `key`; false when it has left already. */
  remove(key: string, entry: T): boolean {
    if (this.slots.get(key)?.entry !== entry) return false;
    return this.take(key) !== undefined;
  }

  /** Removes every entry, stopping their clocks. */
  drain(): T[] {
    const entries: T[] = [];
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      entries.push(slot.entry);
    }
    this.slots.clear();
    return entries;
  }

  /** How many entries `matches` holds for. */
  count(matches: (entry: T) => boolean): number {
    let n = 0;
    for (const slot of this.slots.values()) if (matches(slot.entry)) n++;
    return n;
  }
}
