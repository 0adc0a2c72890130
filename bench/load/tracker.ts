import type { ProgressBoard } from './board';

/**
 * Receive-side accounting. A group (one subscriber, or the members of one shared subscription)
 * keeps a bit per sequence number per publisher, so a message seen twice is a duplicate and a
 * message never seen is lost, whatever order the group's members see them in.
 */
export class GroupTracker {
  readonly index: number;
  private readonly bits: Uint8Array[];
  /** One past the highest sequence number seen, per publisher. */
  private readonly next: Int32Array;
  readonly distinct: number[];
  duplicates = 0;
  /** A payload naming a publisher that does not exist: a corrupted message. */
  corrupt = 0;

  constructor(index: number, publishers: number) {
    this.index = index;
    this.bits = Array.from({ length: publishers }, () => new Uint8Array(1 << 14));
    this.next = new Int32Array(publishers);
    this.distinct = new Array<number>(publishers).fill(0);
  }

  record(publisher: number, seq: number): void {
    const bits = this.bits[publisher];
    if (bits === undefined) {
      this.corrupt++;
      return;
    }
    const byte = seq >>> 3;
    const mask = 1 << (seq & 7);
    let map = bits;
    if (byte >= map.length) map = this.grow(publisher, byte);
    const old = map[byte] ?? 0;
    if ((old & mask) !== 0) {
      this.duplicates++;
      return;
    }
    map[byte] = old | mask;
    this.distinct[publisher] = (this.distinct[publisher] ?? 0) + 1;
    if (seq >= (this.next[publisher] ?? 0)) this.next[publisher] = seq + 1;
  }

  private grow(publisher: number, byte: number): Uint8Array {
    const old = this.bits[publisher] ?? new Uint8Array(0);
    let size = Math.max(old.length, 1024);
    while (size <= byte) size *= 2;
    const map = new Uint8Array(size);
    map.set(old);
    this.bits[publisher] = map;
    return map;
  }

  post(board: ProgressBoard): void {
    for (let p = 0; p < this.next.length; p++) board.setSeen(this.index, p, this.next[p] ?? 0);
  }

  /** Messages publisher `p` sent (`sent[p]`) that this group never saw. */
  lost(sent: readonly number[]): number {
    let lost = 0;
    for (let p = 0; p < this.distinct.length; p++)
      lost += Math.max(0, (sent[p] ?? 0) - (this.distinct[p] ?? 0));
    return lost;
  }

  complete(sent: readonly number[]): boolean {
    return this.distinct.every((d, p) => d >= (sent[p] ?? 0));
  }
}

/** Buckets per factor e in the latency histogram: 1% resolution. */
const SCALE = 100;
const BUCKETS = 2000;

/** Latency histogram in microseconds, logarithmic buckets. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  private lastMs = Number.NaN;
  private lastBucket = 0;

  add(latencyMs: number): void {
    if (latencyMs !== this.lastMs) {
      this.lastMs = latencyMs;
      const us = latencyMs * 1000;
      this.lastBucket = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(us) * SCALE));
    }
    this.counts[this.lastBucket] = (this.counts[this.lastBucket] ?? 0) + 1;
    this.count++;
  }

  /** The latency in ms at quantile q (0..1), or undefined with no samples. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const target = q * this.count;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b] ?? 0;
      if (seen >= target) return Math.exp((b + 0.5) / SCALE) / 1000;
    }
    return Math.exp(BUCKETS / SCALE) / 1000;
  }
}
