import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/memory-store';
import type { PersistedState } from '../../../src/store/types';
import { connected, Harness, payloads, will } from './harness';

/**
 * Persistence from the engine's side: a broker with `persistent: true` records every change to
 * durable state as store ops; a new broker restored from the store carries on where it stopped.
 */

const DURABLE = { cleanStart: false, properties: { sessionExpiryInterval: 3600 } };

/** Applies what the broker recorded to the store, as the driver does after each flush. */
async function save(h: Harness, store: MemoryStore): Promise<void> {
  h.flush();
  await store.apply(h.broker.takeStoreOps());
}

async function restart(store: MemoryStore, h: Harness): Promise<{ h: Harness; state: PersistedState }> {
  const state = await store.load();
  const next = new Harness({ persistent: true });
  next.clock.advance(h.clock.now() - next.clock.now());
  next.broker.restore(state);
  return { h: next, state };
}

describe('broker persistence', () => {
  it('records nothing without a store', () => {
    const h = new Harness();
    const c = connected(h, 'c', DURABLE);
    c.subscribe('a', { qos: 1 });
    assert.deepEqual(h.broker.takeStoreOps(), []);
  });

  it('keeps no state for a session that ends with its connection', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const c = connected(h, 'clean');
    c.subscribe('a', { qos: 1 });
    await save(h, store);
    assert.deepEqual((await store.load()).sessions, []);
  });

  it('records no store op for QoS 1 traffic between sessions that end with their connections', () => {
    // What keeps a memory or file store idle under the benchmark's load (clean 3.1.1 sessions).
    const h = new Harness({ persistent: true });
    const sub = connected(h, 'sub', { level: 4 });
    sub.subscribe('#', { qos: 1 });
    const pub = connected(h, 'pub', { level: 4 });
    h.broker.takeStoreOps();
    for (let i = 0; i < 10; i++) assert.equal(pub.publishQos1(`t/${i}`, 'x'), 0);
    const delivered = sub.takePublishes();
    assert.equal(delivered.length, 10);
    for (const p of delivered) sub.send({ type: 'puback', packetId: p.packetId ?? 0, reasonCode: 0 });
    h.flush();
    assert.deepEqual(h.broker.takeStoreOps(), []);
  });

  it('restores a persistent session with its subscriptions and queued messages, in order', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const sub = connected(h, 'sub', DURABLE);
    sub.subscribe('t/#', { qos: 1, subscriptionIdentifier: 9 });
    sub.drop();
    const pub = connected(h, 'pub');
    for (let i = 0; i < 5; i++) pub.publishQos1('t/x', `m${i}`);
    await save(h, store);

    const { h: h2, state } = await restart(store, h);
    assert.equal(state.sessions.length, 1);
    assert.equal(state.sessions[0]?.queue.length, 5);
    const again = h2.client('test:sub');
    const connack = again.connect({ clientId: 'sub', ...DURABLE });
    assert.equal(connack.sessionPresent, true);
    const got = again.takePublishes();
    assert.deepEqual(payloads(got), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.deepEqual(got[0]?.properties?.subscriptionIdentifiers, [9]);
  });

  it('resends in-flight messages with DUP and their packet ids after a restart', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const sub = connected(h, 'sub', DURABLE);
    sub.subscribe('t', { qos: 2 });
    const pub = connected(h, 'pub');
    pub.publishQos1('t', 'one');
    const first = sub.takePublishes();
    assert.equal(first.length, 1);
    const id = first[0]?.packetId;
    sub.drop();
    await save(h, store);

    const { h: h2 } = await restart(store, h);
    const again = h2.client('test:sub');
    again.connect({ clientId: 'sub', ...DURABLE });
    const resent = again.takePublishes();
    assert.equal(resent.length, 1);
    assert.equal(resent[0]?.dup, true);
    assert.equal(resent[0]?.packetId, id);
  });

  it('resends PUBREL for a QoS 2 message past PUBREC after a restart', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const sub = connected(h, 'sub', DURABLE);
    sub.subscribe('t', { qos: 2 });
    const pub = connected(h, 'pub');
    pub.publish('t', 'two', { qos: 2 });
    pub.take();
    const [publish] = sub.takePublishes();
    assert.ok(publish?.packetId !== undefined);
    sub.send({ type: 'pubrec', packetId: publish.packetId, reasonCode: 0 });
    sub.take();
    sub.drop();
    await save(h, store);

    const { h: h2 } = await restart(store, h);
    const again = h2.client('test:sub');
    again.connect({ clientId: 'sub', ...DURABLE });
    const pubrel = again.takeOne('pubrel');
    assert.equal(pubrel.packetId, publish.packetId);
  });

  it('remembers incoming QoS 2 packet ids across a restart, so a resent PUBLISH is not delivered twice', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const watcher = connected(h, 'watcher', DURABLE);
    watcher.subscribe('q2', { qos: 0 });
    const pub = connected(h, 'pub', DURABLE);
    pub.publish('q2', 'once', { qos: 2, packetId: 77 });
    assert.equal(pub.takeOne('pubrec').packetId, 77);
    assert.equal(watcher.takePublishes().length, 1);
    pub.drop();
    watcher.drop();
    await save(h, store);

    const { h: h2 } = await restart(store, h);
    const w2 = h2.client('test:watcher');
    w2.connect({ clientId: 'watcher', ...DURABLE });
    const p2 = h2.client('test:pub');
    p2.connect({ clientId: 'pub', ...DURABLE });
    p2.publish('q2', 'once', { qos: 2, packetId: 77, dup: true });
    assert.equal(p2.takeOne('pubrec').packetId, 77);
    assert.equal(w2.takePublishes().length, 0, '[MQTT-4.3.3-10] not delivered again');
    p2.send({ type: 'pubrel', packetId: 77, reasonCode: 0 });
    assert.equal(p2.takeOne('pubcomp').reasonCode, 0);
  });

  it('restores retained messages but not the broker’s own $SYS values', async () => {
    const h = new Harness({ persistent: true, config: { sysInterval: 1 } });
    const store = new MemoryStore();
    const pub = connected(h, 'pub');
    pub.publish('keep/me', 'kept', { qos: 1, retain: true });
    pub.publish('gone/soon', 'x', { qos: 1, retain: true });
    pub.publish('gone/soon', '', { qos: 1, retain: true });
    h.advance(2000);
    await save(h, store);
    const { state, h: h2 } = await restart(store, h);
    assert.deepEqual(
      state.retained.map((m) => m.topic),
      ['keep/me'],
    );
    const late = connected(h2, 'late');
    late.subscribe('#', { qos: 1 });
    assert.deepEqual(payloads(late.takePublishes()), ['kept']);
  });

  it('publishes the will of a client that was connected when the broker stopped', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    connected(h, 'doomed', { ...DURABLE, will: will('wills/doomed', 'gone', { qos: 1 }) });
    await save(h, store);
    const { h: h2 } = await restart(store, h);
    const watcher = connected(h2, 'watcher');
    watcher.subscribe('wills/#', { qos: 1 });
    h2.advance(1000);
    assert.deepEqual(payloads(watcher.takePublishes()), ['gone']);
  });

  it('ends a restored session when its expiry passes', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const c = connected(h, 'short', { cleanStart: false, properties: { sessionExpiryInterval: 10 } });
    c.subscribe('a', { qos: 1 });
    c.drop();
    await save(h, store);
    const { h: h2 } = await restart(store, h);
    h2.advance(11000);
    await store.apply(h2.broker.takeStoreOps());
    assert.deepEqual((await store.load()).sessions, []);
    const again = h2.client('test:short');
    assert.equal(again.connect({ clientId: 'short', cleanStart: false }).sessionPresent, false);
  });

  it('forgets acknowledged messages: nothing is resent after PUBACK', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const sub = connected(h, 'sub', DURABLE);
    sub.subscribe('t', { qos: 1 });
    const pub = connected(h, 'pub');
    pub.publishQos1('t', 'acked');
    const [p] = sub.takePublishes();
    assert.ok(p?.packetId !== undefined);
    sub.send({ type: 'puback', packetId: p.packetId, reasonCode: 0 });
    sub.drop();
    await save(h, store);
    const state = await store.load();
    assert.deepEqual(state.sessions[0]?.inflight, []);
    assert.deepEqual(state.sessions[0]?.queue, []);
  });

  it('drops the stored session when a client unsubscribes and reconnects with a clean start', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const c = connected(h, 'c', DURABLE);
    c.subscribe(['a', 'b'], { qos: 1 });
    c.send({ type: 'unsubscribe', packetId: 50, topicFilters: ['a'] });
    c.take();
    await save(h, store);
    assert.deepEqual(
      (await store.load()).sessions[0]?.subscriptions.map((s) => s.filter),
      ['b'],
    );
    c.drop();
    const fresh = h.client('test:c');
    fresh.connect({ clientId: 'c', cleanStart: true });
    await save(h, store);
    assert.deepEqual((await store.load()).sessions, []);
  });
});
