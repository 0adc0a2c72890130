import { applyOps, emptyState, type MutableState, toPersisted } from './apply-op';
import type { BrokerStore, PersistedState, StoreOp } from './types';
import { parsePersistedState, parseStoreOps } from './validate';

/**
 * Keeps the state in memory only. Ops are validated and copied on `apply` (a batch with an invalid op
 * rejects and changes nothing) and `load` hands back a copy, so neither side sees the other's later
 * changes. Buffers are shared, not copied: treat payloads as immutable once handed over.
 */
export class MemoryStore implements BrokerStore {
  private closed = false;

  /** `state` is for `sharedMemoryStore`; leave it out for a fresh, private store. */
  constructor(private readonly state: MutableState = emptyState()) {}

  async load(): Promise<PersistedState> {
    if (this.closed) throw new Error('MemoryStore: load after close');
    return parsePersistedState(toPersisted(this.state));
  }

  async apply(ops: readonly StoreOp[]): Promise<void> {
    if (this.closed) throw new Error('MemoryStore: apply after close');
    applyOps(this.state, parseStoreOps(ops));
  }

  /** Ends this handle. The state itself lives on if it is shared (see `sharedMemoryStore`). */
  async close(): Promise<void> {
    this.closed = true;
  }
}

const shared = new Map<string, MutableState>();

/**
 * A memory store whose state outlives the handle: every call with the same `key` (e.g. the broker
 * node's id) in this process gets a new handle over the same state, so sessions, queues and retained
 * messages survive a Node-RED redeploy without a file. Use one open handle per key at a time.
 */
export function sharedMemoryStore(key: string): MemoryStore {
  let state = shared.get(key);
  if (state === undefined) {
    state = emptyState();
    shared.set(key, state);
  }
  return new MemoryStore(state);
}

/** Forgets the state kept under `key` (when the broker node is deleted, not just redeployed). */
export function releaseSharedMemoryStore(key: string): boolean {
  return shared.delete(key);
}
