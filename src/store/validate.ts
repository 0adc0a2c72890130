import type { QoS, RetainHandling } from '../protocol/types';
import type {
  PersistedState,
  StoredDelivery,
  StoredInflight,
  StoredMessage,
  StoredMessageProperties,
  StoredSession,
  StoredSubscription,
  StoredWill,
  StoreOp,
} from './types';

/**
 * Validators that turn `unknown` (JSON read back from disk, or ops handed to `apply`) into the
 * store's types. Each builds a fresh object holding only the known fields, so they double as a copy:
 * Buffers are shared, everything else is new, and keys whose value is `undefined` are left out.
 */

export class StoreFormatError extends Error {
  override readonly name = 'StoreFormatError';
}

type Fields = Record<string, unknown>;

function fail(path: string, what: string): never {
  throw new StoreFormatError(`${path}: ${what}`);
}

function fields(value: unknown, path: string): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    fail(path, 'expected an object');
  }
  // Validated just above: a non-null, non-array object, read through its own string keys.
  return value as Fields;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'expected an array');
  return value;
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'expected a string');
  return value;
}

function num(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'expected a finite number');
  return value;
}

function int(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'expected a boolean');
  return value;
}

function bytes(value: unknown, path: string): Buffer {
  if (!Buffer.isBuffer(value)) fail(path, 'expected a Buffer');
  return value;
}

function qos(value: unknown, path: string): QoS {
  if (value !== 0 && value !== 1 && value !== 2) fail(path, 'expected QoS 0, 1 or 2');
  return value;
}

function retainHandling(value: unknown, path: string): RetainHandling {
  if (value !== 0 && value !== 1 && value !== 2) fail(path, 'expected retain handling 0, 1 or 2');
  return value;
}

function packetId(value: unknown, path: string): number {
  return int(value, path, 1, 0xffff);
}

/** `{ key: parse(value) }` when the field is present, `{}` when it is absent or undefined. */
function optional<K extends string, T>(
  from: Fields,
  key: K,
  path: string,
  parse: (value: unknown, path: string) => T,
): { [P in K]?: T } {
  const value = from[key];
  if (value === undefined) return {};
  // A computed key widens to an index signature; the object has exactly the one key K.
  return { [key]: parse(value, `${path}.${key}`) } as { [P in K]?: T };
}

function userProperties(value: unknown, path: string): [string, string][] {
  return list(value, path).map((pair, i) => {
    const items = list(pair, `${path}[${i}]`);
    if (items.length !== 2) fail(`${path}[${i}]`, 'expected a [name, value] pair');
    return [str(items[0], `${path}[${i}][0]`), str(items[1], `${path}[${i}][1]`)];
  });
}

function properties(value: unknown, path: string): StoredMessageProperties {
  const f = fields(value, path);
  return {
    ...optional(f, 'payloadFormatIndicator', path, bool),
    ...optional(f, 'messageExpiryInterval', path, num),
    ...optional(f, 'contentType', path, str),
    ...optional(f, 'responseTopic', path, str),
    ...optional(f, 'correlationData', path, bytes),
    ...optional(f, 'userProperties', path, userProperties),
  };
}

export function parseMessage(value: unknown, path: string): StoredMessage {
  const f = fields(value, path);
  return {
    topic: str(f['topic'], `${path}.topic`),
    payload: bytes(f['payload'], `${path}.payload`),
    qos: qos(f['qos'], `${path}.qos`),
    retain: bool(f['retain'], `${path}.retain`),
    ...optional(f, 'properties', path, properties),
    ...optional(f, 'expiresAt', path, num),
    senderId: str(f['senderId'], `${path}.senderId`),
  };
}

function delivery(value: unknown, path: string): StoredDelivery {
  const f = fields(value, path);
  return {
    message: parseMessage(f['message'], `${path}.message`),
    qos: qos(f['qos'], `${path}.qos`),
    retain: bool(f['retain'], `${path}.retain`),
    subscriptionIdentifiers: list(f['subscriptionIdentifiers'], `${path}.subscriptionIdentifiers`).map(
      (id, i) => int(id, `${path}.subscriptionIdentifiers[${i}]`, 1, 0xfffffff),
    ),
  };
}

function inflight(value: unknown, path: string): StoredInflight {
  const f = fields(value, path);
  const state = f['state'];
  if (state !== 'publish' && state !== 'pubrel') fail(`${path}.state`, "expected 'publish' or 'pubrel'");
  return { ...delivery(value, path), packetId: packetId(f['packetId'], `${path}.packetId`), state };
}

function subscription(value: unknown, path: string): StoredSubscription {
  const f = fields(value, path);
  return {
    filter: str(f['filter'], `${path}.filter`),
    topicFilter: str(f['topicFilter'], `${path}.topicFilter`),
    ...optional(f, 'group', path, str),
    qos: qos(f['qos'], `${path}.qos`),
    noLocal: bool(f['noLocal'], `${path}.noLocal`),
    retainAsPublished: bool(f['retainAsPublished'], `${path}.retainAsPublished`),
    retainHandling: retainHandling(f['retainHandling'], `${path}.retainHandling`),
    ...optional(f, 'subscriptionIdentifier', path, (v, p) => int(v, p, 1, 0xfffffff)),
  };
}

function will(value: unknown, path: string): StoredWill {
  const f = fields(value, path);
  return { message: parseMessage(f['message'], `${path}.message`), delay: num(f['delay'], `${path}.delay`) };
}

/** The scalar fields of a session, as both the 'session' op and a stored session carry them. */
function sessionScalars(f: Fields, path: string) {
  return {
    clientId: str(f['clientId'], `${path}.clientId`),
    expiryInterval: num(f['expiryInterval'], `${path}.expiryInterval`),
    ...optional(f, 'expiresAt', path, num),
    ...optional(f, 'will', path, will),
    ...optional(f, 'willDueAt', path, num),
  };
}

/** Validates and copies one op. Throws `StoreFormatError` naming the first bad field. */
export function parseStoreOp(value: unknown, path = 'op'): StoreOp {
  const f = fields(value, path);
  const clientId = (): string => str(f['clientId'], `${path}.clientId`);
  const op = f['op'];
  switch (op) {
    case 'session':
      return { op, ...sessionScalars(f, path) };
    case 'session-delete':
    case 'dequeue':
      return { op, clientId: clientId() };
    case 'subscribe':
      return {
        op,
        clientId: clientId(),
        subscription: subscription(f['subscription'], `${path}.subscription`),
      };
    case 'unsubscribe':
      return { op, clientId: clientId(), filter: str(f['filter'], `${path}.filter`) };
    case 'enqueue':
      return { op, clientId: clientId(), delivery: delivery(f['delivery'], `${path}.delivery`) };
    case 'inflight':
      return { op, clientId: clientId(), inflight: inflight(f['inflight'], `${path}.inflight`) };
    case 'inflight-delete':
    case 'qos2-in':
    case 'qos2-in-delete':
      return { op, clientId: clientId(), packetId: packetId(f['packetId'], `${path}.packetId`) };
    case 'retain':
      return { op, message: parseMessage(f['message'], `${path}.message`) };
    case 'retain-delete':
      return { op, topic: str(f['topic'], `${path}.topic`) };
    default:
      return fail(`${path}.op`, `unknown op ${JSON.stringify(op)}`);
  }
}

export function parseStoreOps(value: unknown, path = 'ops'): StoreOp[] {
  return list(value, path).map((op, i) => parseStoreOp(op, `${path}[${i}]`));
}

function session(value: unknown, path: string): StoredSession {
  const f = fields(value, path);
  return {
    ...sessionScalars(f, path),
    subscriptions: list(f['subscriptions'], `${path}.subscriptions`).map((s, i) =>
      subscription(s, `${path}.subscriptions[${i}]`),
    ),
    inflight: list(f['inflight'], `${path}.inflight`).map((e, i) => inflight(e, `${path}.inflight[${i}]`)),
    queue: list(f['queue'], `${path}.queue`).map((d, i) => delivery(d, `${path}.queue[${i}]`)),
    incomingQoS2: list(f['incomingQoS2'], `${path}.incomingQoS2`).map((id, i) =>
      packetId(id, `${path}.incomingQoS2[${i}]`),
    ),
  };
}

/** Validates and copies a whole state. Throws `StoreFormatError` naming the first bad field. */
export function parsePersistedState(value: unknown, path = 'state'): PersistedState {
  const f = fields(value, path);
  return {
    sessions: list(f['sessions'], `${path}.sessions`).map((s, i) => session(s, `${path}.sessions[${i}]`)),
    retained: list(f['retained'], `${path}.retained`).map((m, i) =>
      parseMessage(m, `${path}.retained[${i}]`),
    ),
  };
}
