/**
 * The progress board publishers and subscribers share, in a SharedArrayBuffer so that it works the
 * same whether the publishers run on this thread or in a worker. Subscribers post, per receiving
 * group and publisher, one past the highest sequence number seen; publishers read it to bound the
 * messages they have in flight end to end (flow control that holds even at QoS 0, so a slow broker
 * shows as lower throughput rather than as growing socket buffers).
 */

declare global {
  /** ES2024 (Node.js 16+); the project's `lib` is ES2022. */
  interface Atomics {
    waitAsync(
      typedArray: Int32Array,
      index: number,
      value: number,
      timeout?: number,
    ):
      | { async: false; value: 'not-equal' | 'timed-out' }
      | { async: true; value: Promise<'ok' | 'timed-out'> };
  }
}

const EPOCH = 0;
const HEADER = 1;

export interface BoardShape {
  /** Receiving groups: one per subscriber, or one for a shared-subscription group. */
  groups: number;
  publishers: number;
}

export class ProgressBoard {
  readonly cells: Int32Array;
  readonly shape: BoardShape;

  constructor(shape: BoardShape, buffer?: SharedArrayBuffer) {
    this.shape = shape;
    const length = HEADER + shape.groups * shape.publishers + 2 * shape.publishers;
    this.cells = new Int32Array(buffer ?? new SharedArrayBuffer(length * 4));
    if (this.cells.length !== length) throw new Error('progress board has the wrong size');
  }

  get buffer(): SharedArrayBuffer {
    const buffer = this.cells.buffer;
    if (!(buffer instanceof SharedArrayBuffer)) throw new Error('progress board is not shared');
    return buffer;
  }

  /** Subscriber side: one past the highest sequence number group `g` has seen from publisher `p`. */
  setSeen(g: number, p: number, next: number): void {
    Atomics.store(this.cells, HEADER + g * this.shape.publishers + p, next);
  }

  /** Wakes publishers waiting for progress. */
  bump(): void {
    Atomics.add(this.cells, EPOCH, 1);
    Atomics.notify(this.cells, EPOCH);
  }

  /** The least progress any group has made on publisher `p`'s messages. */
  minSeen(p: number): number {
    const { groups, publishers } = this.shape;
    let min = Atomics.load(this.cells, HEADER + p);
    for (let g = 1; g < groups; g++) {
      const v = Atomics.load(this.cells, HEADER + g * publishers + p);
      if (v < min) min = v;
    }
    return min;
  }

  private sentIndex(p: number): number {
    return HEADER + this.shape.groups * this.shape.publishers + p;
  }

  setSent(p: number, sent: number): void {
    Atomics.store(this.cells, this.sentIndex(p), sent);
  }

  sent(p: number): number {
    return Atomics.load(this.cells, this.sentIndex(p));
  }

  /** Publisher side: stopped sending and every message it sent is acknowledged. */
  setDone(p: number): void {
    Atomics.store(this.cells, this.sentIndex(p) + this.shape.publishers, 1);
  }

  allDone(): boolean {
    for (let p = 0; p < this.shape.publishers; p++) {
      if (Atomics.load(this.cells, this.sentIndex(p) + this.shape.publishers) === 0) return false;
    }
    return true;
  }

  /** Resolves on the next `bump`, or after `timeoutMs`. */
  async waitForProgress(timeoutMs: number): Promise<void> {
    const epoch = Atomics.load(this.cells, EPOCH);
    const wait = Atomics.waitAsync(this.cells, EPOCH, epoch, timeoutMs);
    if (wait.async) await wait.value;
  }
}
