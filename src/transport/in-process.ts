import type { Transport } from './transport';

/** Bytes in flight towards one end beyond which `write` reports backpressure. */
const HIGH_WATER_MARK = 64 * 1024;

/** The state the two ends of a pair share. */
interface Link {
  closed: boolean;
}

/**
 * One end of an in-memory connection. What it writes reaches the other end as one chunk, in
 * order, on a later microtask, so a reply never runs inside the writer's call stack.
 */
class InProcessEnd implements Transport {
  readonly remoteAddress: string;
  peer: InProcessEnd | undefined;
  private readonly link: Link;
  private dataCallbacks: ((chunk: Buffer) => void)[] = [];
  private closeCallbacks: ((error: Error | undefined) => void)[] = [];
  private drainCallbacks: (() => void)[] = [];
  /** Chunks written by the peer, not yet delivered here. */
  private inbox: Buffer[] = [];
  private inboxBytes = 0;
  /** Run once the inbox has been delivered: a graceful close of the peer waits for it. */
  private inboxWaiters: (() => void)[] = [];
  private delivering = false;
  /** The peer wrote while this end's inbox was full, and waits for a drain. */
  private peerNeedsDrain = false;
  private ending = false;
  private ended = false;

  constructor(link: Link, remoteAddress: string) {
    this.link = link;
    this.remoteAddress = remoteAddress;
  }

  write(chunk: Buffer): boolean {
    const peer = this.peer;
    if (this.link.closed || this.ending || peer === undefined) return false;
    return peer.enqueue(chunk);
  }

  close(): void {
    if (this.link.closed || this.ending) return;
    this.ending = true;
    // Close after what is already on its way has arrived.
    const peer = this.peer;
    if (peer === undefined) this.shut();
    else peer.afterInbox(() => this.shut());
  }

  destroy(): void {
    this.shut();
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.dataCallbacks.push(cb);
    this.schedule();
  }

  onClose(cb: (error: Error | undefined) => void): void {
    if (this.ended) queueMicrotask(() => cb(undefined));
    else this.closeCallbacks.push(cb);
  }

  onDrain(cb: () => void): void {
    this.drainCallbacks.push(cb);
  }

  private enqueue(chunk: Buffer): boolean {
    this.inbox.push(chunk);
    this.inboxBytes += chunk.length;
    this.schedule();
    if (this.inboxBytes < HIGH_WATER_MARK) return true;
    this.peerNeedsDrain = true;
    return false;
  }

  private schedule(): void {
    if (this.delivering || this.inbox.length === 0 || this.dataCallbacks.length === 0) return;
    this.delivering = true;
    queueMicrotask(() => this.deliver());
  }

  /** Hands over one chunk per microtask, so writes from both ends interleave fairly. */
  private deliver(): void {
    this.delivering = false;
    if (this.link.closed) return;
    const chunk = this.inbox.shift();
    if (chunk === undefined) return;
    this.inboxBytes -= chunk.length;
    for (const cb of this.dataCallbacks) cb(chunk);
    if (this.inbox.length > 0) this.schedule();
    else this.drained();
  }

  private drained(): void {
    if (this.peerNeedsDrain) {
      this.peerNeedsDrain = false;
      this.peer?.notifyDrain();
    }
    const waiting = this.inboxWaiters;
    this.inboxWaiters = [];
    for (const cb of waiting) cb();
  }

  /** Runs `cb` once the inbox is empty (now, if it already is). */
  private afterInbox(cb: () => void): void {
    if (this.inbox.length === 0 || this.dataCallbacks.length === 0) queueMicrotask(cb);
    else this.inboxWaiters.push(cb);
  }

  private notifyDrain(): void {
    for (const cb of this.drainCallbacks) cb();
  }

  /** Ends both sides: the link is shared, so closing one end closes the other. */
  private shut(): void {
    if (this.link.closed) return;
    this.link.closed = true;
    this.finish();
    this.peer?.finish();
  }

  private finish(): void {
    this.ended = true;
    this.inbox = [];
    this.inboxBytes = 0;
    this.inboxWaiters = [];
    const callbacks = this.closeCallbacks;
    this.closeCallbacks = [];
    queueMicrotask(() => {
      for (const cb of callbacks) cb(undefined);
    });
  }
}

/**
 * Two connected `Transport` ends with no socket between them: a Node-RED node reaches a broker
 * node in the same process through one, the broker attaches the other. Closing either end
 * closes both; a graceful `close` first lets what was written arrive.
 */
export function createTransportPair(names: { a?: string; b?: string } = {}): [Transport, Transport] {
  const link: Link = { closed: false };
  const a = new InProcessEnd(link, names.a ?? 'in-process');
  const b = new InProcessEnd(link, names.b ?? 'in-process');
  a.peer = b;
  b.peer = a;
  return [a, b];
}
