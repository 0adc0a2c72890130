import type {
  PersistedState,
  StoredDelivery,
  StoredInflight,
  StoredMessage,
  StoredSession,
  StoredSubscription,
  StoredWill,
  StoreOp,
} from './types';

/**
 * The persisted state in an indexed, mutable form: what a store keeps in memory and applies ops to.
 * Maps keep insertion order, so replacing an entry (`Map.set` on an existing key) keeps its place,
 * which is what 'subscribe' and 'inflight' need. The queue is an array read from `queueHead`, so
 * 'dequeue' is O(1) amortized.
 */
export interface MutableSession {
  clientId: string;
  expiryInterval: number;
  expiresAt?: number;
  will?: StoredWill;
  willDueAt?: number;
  subscriptions: Map<string, StoredSubscription>;
  inflight: Map<number, StoredInflight>;
  queue: StoredDelivery[];
  queueHead: number;
  incomingQoS2: Set<number>;
}

export interface MutableState {
  sessions: Map<string, MutableSession>;
  retained: Map<string, StoredMessage>;
}

/** A dequeue compacts the queue array once this many consumed slots make up half of it. */
const QUEUE_COMPACT_MIN = 1024;

export function emptyState(): MutableState {
  return { sessions: new Map(), retained: new Map() };
}

function assertNever(value: never): never {
  throw new Error(`unknown store op ${JSON.stringify(value)}`);
}

type SessionOp = Extract<StoreOp, { op: 'session' }>;

function setScalars(session: MutableSession, op: SessionOp): void {
  session.expiryInterval = op.expiryInterval;
  // Absent optional fields are deleted, not set to undefined, so every backend hands back the same shape.
  if (op.expiresAt === undefined) delete session.expiresAt;
  else session.expiresAt = op.expiresAt;
  if (op.will === undefined) delete session.will;
  else session.will = op.will;
  if (op.willDueAt === undefined) delete session.willDueAt;
  else session.willDueAt = op.willDueAt;
}

function upsertSession(state: MutableState, op: SessionOp): void {
  let session = state.sessions.get(op.clientId);
  if (session === undefined) {
    session = {
      clientId: op.clientId,
      expiryInterval: op.expiryInterval,
      subscriptions: new Map(),
      inflight: new Map(),
      queue: [],
      queueHead: 0,
      incomingQoS2: new Set(),
    };
    state.sessions.set(op.clientId, session);
  }
  setScalars(session, op);
}

function dequeue(session: MutableSession): void {
  if (session.queueHead >= session.queue.length) return;
  session.queueHead += 1;
  if (session.queueHead === session.queue.length) {
    session.queue = [];
    session.queueHead = 0;
  } else if (session.queueHead >= QUEUE_COMPACT_MIN && session.queueHead * 2 >= session.queue.length) {
    session.queue = session.queue.slice(session.queueHead);
    session.queueHead = 0;
  }
}

/** The ops on one session's contents. */
type ContentOp = Exclude<StoreOp, { op: 'session' | 'session-delete' | 'retain' | 'retain-delete' }>;

function applyContentOp(session: MutableSession, op: ContentOp): void {
  switch (op.op) {
    case 'subscribe':
      session.subscriptions.set(op.subscription.filter, op.subscription);
      return;
    case 'unsubscribe':
      session.subscriptions.delete(op.filter);
      return;
    case 'enqueue':
      session.queue.push(op.delivery);
      return;
    case 'dequeue':
      dequeue(session);
      return;
    case 'inflight':
      session.inflight.set(op.inflight.packetId, op.inflight);
      return;
    case 'inflight-delete':
      session.inflight.delete(op.packetId);
      return;
    case 'qos2-in':
      session.incomingQoS2.add(op.packetId);
      return;
    case 'qos2-in-delete':
      session.incomingQoS2.delete(op.packetId);
      return;
    default:
      assertNever(op);
  }
}

/**
 * Applies one op to `state` in place. The op's objects are stored as they are (not copied): a store
 * that hands state out, or receives objects the caller may still change, copies at its boundary.
 */
export function applyOp(state: MutableState, op: StoreOp): void {
  switch (op.op) {
    case 'session':
      upsertSession(state, op);
      return;
    case 'session-delete':
      state.sessions.delete(op.clientId);
      return;
    case 'retain':
      state.retained.set(op.message.topic, op.message);
      return;
    case 'retain-delete':
      state.retained.delete(op.topic);
      return;
    default: {
      // Ops on an unknown session create nothing: only 'session' creates one.
      const session = state.sessions.get(op.clientId);
      if (session !== undefined) applyContentOp(session, op);
    }
  }
}

export function applyOps(state: MutableState, ops: readonly StoreOp[]): void {
  for (const op of ops) applyOp(state, op);
}

function sessionToPersisted(session: MutableSession): StoredSession {
  return {
    clientId: session.clientId,
    expiryInterval: session.expiryInterval,
    ...(session.expiresAt === undefined ? {} : { expiresAt: session.expiresAt }),
    ...(session.will === undefined ? {} : { will: session.will }),
    ...(session.willDueAt === undefined ? {} : { willDueAt: session.willDueAt }),
    subscriptions: [...session.subscriptions.values()],
    inflight: [...session.inflight.values()],
    queue: session.queue.slice(session.queueHead),
    incomingQoS2: [...session.incomingQoS2],
  };
}

/** The plain form of `state`. Fresh arrays, but the messages inside are shared, not copied. */
export function toPersisted(state: MutableState): PersistedState {
  return {
    sessions: [...state.sessions.values()].map(sessionToPersisted),
    retained: [...state.retained.values()],
  };
}

function sessionFromPersisted(stored: StoredSession): MutableSession {
  const session: MutableSession = {
    clientId: stored.clientId,
    expiryInterval: stored.expiryInterval,
    subscriptions: new Map(stored.subscriptions.map((sub) => [sub.filter, sub])),
    inflight: new Map(stored.inflight.map((entry) => [entry.packetId, entry])),
    queue: stored.queue.slice(),
    queueHead: 0,
    incomingQoS2: new Set(stored.incomingQoS2),
  };
  if (stored.expiresAt !== undefined) session.expiresAt = stored.expiresAt;
  if (stored.will !== undefined) session.will = stored.will;
  if (stored.willDueAt !== undefined) session.willDueAt = stored.willDueAt;
  return session;
}

/** The indexed form of `persisted`. Later duplicates (same client id, topic, filter, packet id) win. */
export function fromPersisted(persisted: PersistedState): MutableState {
  return {
    sessions: new Map(persisted.sessions.map((stored) => [stored.clientId, sessionFromPersisted(stored)])),
    retained: new Map(persisted.retained.map((message) => [message.topic, message])),
  };
}
