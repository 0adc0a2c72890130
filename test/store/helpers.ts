import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  StoredDelivery,
  StoredInflight,
  StoredMessage,
  StoredSubscription,
  StoreOp,
} from '../../src/store/types';

export async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mqtt5-store-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export function message(topic: string, payload: Buffer | string = 'x', extra: Partial<StoredMessage> = {}) {
  const result: StoredMessage = {
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos: 1,
    retain: false,
    senderId: 'sender',
    ...extra,
  };
  return result;
}

export function delivery(payload: Buffer | string, topic = 't/q'): StoredDelivery {
  return { message: message(topic, payload), qos: 1, retain: false, subscriptionIdentifiers: [] };
}

export function inflight(
  packetId: number,
  state: 'publish' | 'pubrel' = 'publish',
  payload = `p${packetId}`,
) {
  const result: StoredInflight = { ...delivery(payload, 't/in'), packetId, state, qos: 2 };
  return result;
}

export function subscription(filter: string, qos: 0 | 1 | 2 = 1): StoredSubscription {
  return { filter, topicFilter: filter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 };
}

export function sessionOp(clientId: string, expiryInterval = 60): StoreOp {
  return { op: 'session', clientId, expiryInterval };
}

export function enqueueOp(clientId: string, payload: string): StoreOp {
  return { op: 'enqueue', clientId, delivery: delivery(payload) };
}

/** The payloads of a loaded session's queue, as strings. */
export function queuePayloads(session: { queue: StoredDelivery[] } | undefined): string[] {
  return session === undefined ? [] : session.queue.map((entry) => entry.message.payload.toString());
}

/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
