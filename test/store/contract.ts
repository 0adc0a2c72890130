import assert from 'node:assert/strict';
import type {
  BrokerStore,
  PersistedState,
  StoredMessageProperties,
  StoredSession,
  StoreOp,
} from '../../src/store/types';
import {
  delivery,
  enqueueOp,
  inflight,
  makeTempDir,
  message,
  queuePayloads,
  removeDir,
  sessionOp,
  subscription,
} from './helpers';

export type MakeStore = (dir: string) => Promise<BrokerStore>;
/** Closes `store` and opens the same state again, as a restart (or a redeploy) would. */
export type ReopenStore = (dir: string, store: BrokerStore) => Promise<BrokerStore>;

function sessionOf(state: PersistedState, clientId: string): StoredSession {
  const session = state.sessions.find((s) => s.clientId === clientId);
  if (session === undefined) return assert.fail(`no session ${clientId}`);
  return session;
}

const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const MARKER_TEXT = Buffer.from('{"$b":"AAAA"}');

/** The behaviour every BrokerStore backend must show; run once per backend. */
export function runStoreContract(name: string, makeStore: MakeStore, reopen?: ReopenStore): void {
  describe(`BrokerStore contract: ${name}`, () => {
    let dir = '';
    let store: BrokerStore | undefined;

    async function open(): Promise<BrokerStore> {
      store = await makeStore(dir);
      return store;
    }

    async function applied(ops: StoreOp[]): Promise<PersistedState> {
      const s = store ?? (await open());
      await s.apply(ops);
      return s.load();
    }

    beforeEach(async () => {
      dir = await makeTempDir();
    });

    afterEach(async () => {
      await store?.close();
      store = undefined;
      await removeDir(dir);
    });

    it('loads an empty state when nothing was stored', async () => {
      const s = await open();
      assert.deepEqual(await s.load(), { sessions: [], retained: [] });
    });

    it('creates a session with empty contents and keeps its scalar fields', async () => {
      const will = { message: message('will/t', 'bye', { retain: true }), delay: 5 };
      const state = await applied([
        { op: 'session', clientId: 'c1', expiryInterval: 300, expiresAt: 1700000000000, will, willDueAt: 17 },
      ]);
      assert.deepEqual(state.sessions, [
        {
          clientId: 'c1',
          expiryInterval: 300,
          expiresAt: 1700000000000,
          will,
          willDueAt: 17,
          subscriptions: [],
          inflight: [],
          queue: [],
          incomingQoS2: [],
        },
      ]);
    });

    it("replaces a session's scalar fields and keeps its subscriptions, queue, in-flight and QoS 2 ids", async () => {
      const will = { message: message('will/t', 'bye'), delay: 0 };
      const state = await applied([
        { op: 'session', clientId: 'c1', expiryInterval: 10, expiresAt: 5, will, willDueAt: 6 },
        { op: 'subscribe', clientId: 'c1', subscription: subscription('a/#') },
        enqueueOp('c1', 'q1'),
        { op: 'inflight', clientId: 'c1', inflight: inflight(1) },
        { op: 'qos2-in', clientId: 'c1', packetId: 9 },
        { op: 'session', clientId: 'c1', expiryInterval: 20 },
      ]);
      const session = sessionOf(state, 'c1');
      assert.equal(session.expiryInterval, 20);
      assert.equal('expiresAt' in session, false, 'an absent expiresAt clears it');
      assert.equal('will' in session, false, 'an absent will clears it');
      assert.equal('willDueAt' in session, false);
      assert.deepEqual(session.subscriptions, [subscription('a/#')]);
      assert.deepEqual(queuePayloads(session), ['q1']);
      assert.deepEqual(session.inflight, [inflight(1)]);
      assert.deepEqual(session.incomingQoS2, [9]);
    });

    it('deletes a session with everything in it, and a new session with that id starts empty', async () => {
      await applied([
        sessionOp('c1'),
        sessionOp('c2'),
        { op: 'subscribe', clientId: 'c1', subscription: subscription('x') },
        enqueueOp('c1', 'q'),
        { op: 'inflight', clientId: 'c1', inflight: inflight(3) },
        { op: 'qos2-in', clientId: 'c1', packetId: 4 },
        { op: 'session-delete', clientId: 'c1' },
      ]);
      const state = await applied([sessionOp('c1', 7)]);
      assert.deepEqual(
        state.sessions.map((s) => s.clientId),
        ['c2', 'c1'],
      );
      assert.deepEqual(sessionOf(state, 'c1'), {
        clientId: 'c1',
        expiryInterval: 7,
        subscriptions: [],
        inflight: [],
        queue: [],
        incomingQoS2: [],
      });
    });

    it('ignores ops on an unknown session and creates nothing', async () => {
      const state = await applied([
        { op: 'subscribe', clientId: 'ghost', subscription: subscription('a') },
        { op: 'unsubscribe', clientId: 'ghost', filter: 'a' },
        enqueueOp('ghost', 'q'),
        { op: 'dequeue', clientId: 'ghost' },
        { op: 'inflight', clientId: 'ghost', inflight: inflight(1) },
        { op: 'inflight-delete', clientId: 'ghost', packetId: 1 },
        { op: 'qos2-in', clientId: 'ghost', packetId: 1 },
        { op: 'qos2-in-delete', clientId: 'ghost', packetId: 1 },
        { op: 'session-delete', clientId: 'ghost' },
        { op: 'retain-delete', topic: 'nothing/here' },
      ]);
      assert.deepEqual(state, { sessions: [], retained: [] });
    });

    it('replaces a subscription by filter in place and removes it on unsubscribe', async () => {
      const state = await applied([
        sessionOp('c1'),
        { op: 'subscribe', clientId: 'c1', subscription: subscription('a', 0) },
        { op: 'subscribe', clientId: 'c1', subscription: subscription('b', 1) },
        { op: 'subscribe', clientId: 'c1', subscription: subscription('c', 1) },
        {
          op: 'subscribe',
          clientId: 'c1',
          subscription: { ...subscription('a', 2), subscriptionIdentifier: 5 },
        },
        { op: 'unsubscribe', clientId: 'c1', filter: 'b' },
        { op: 'unsubscribe', clientId: 'c1', filter: 'never-subscribed' },
      ]);
      assert.deepEqual(sessionOf(state, 'c1').subscriptions, [
        { ...subscription('a', 2), subscriptionIdentifier: 5 },
        subscription('c', 1),
      ]);
    });

    it('keeps shared subscriptions with their group and options', async () => {
      const shared = {
        filter: '$share/g1/s/+',
        topicFilter: 's/+',
        group: 'g1',
        qos: 2 as const,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2 as const,
        subscriptionIdentifier: 268435455,
      };
      const state = await applied([
        sessionOp('c1'),
        { op: 'subscribe', clientId: 'c1', subscription: shared },
      ]);
      assert.deepEqual(sessionOf(state, 'c1').subscriptions, [shared]);
    });

    it('dequeues in FIFO order and treats a dequeue of an empty queue as a no-op', async () => {
      const ops: StoreOp[] = [sessionOp('c1'), { op: 'dequeue', clientId: 'c1' }];
      for (let i = 0; i < 3000; i++) ops.push(enqueueOp('c1', `m${i}`));
      for (let i = 0; i < 2990; i++) ops.push({ op: 'dequeue', clientId: 'c1' });
      ops.push(enqueueOp('c1', 'last'));
      const state = await applied(ops);
      const expected = Array.from({ length: 10 }, (_, i) => `m${2990 + i}`).concat('last');
      assert.deepEqual(queuePayloads(sessionOf(state, 'c1')), expected);
      const drained = await applied(
        Array.from({ length: 20 }, () => ({ op: 'dequeue', clientId: 'c1' }) as const),
      );
      assert.deepEqual(sessionOf(drained, 'c1').queue, []);
      const again = await applied([enqueueOp('c1', 'fresh')]);
      assert.deepEqual(queuePayloads(sessionOf(again, 'c1')), ['fresh']);
    });

    it('keeps in-flight messages in send order, replacing by packet id in place', async () => {
      const state = await applied([
        sessionOp('c1'),
        { op: 'inflight', clientId: 'c1', inflight: inflight(5) },
        { op: 'inflight', clientId: 'c1', inflight: inflight(2) },
        { op: 'inflight', clientId: 'c1', inflight: inflight(9) },
        { op: 'inflight', clientId: 'c1', inflight: inflight(5, 'pubrel') },
        { op: 'inflight-delete', clientId: 'c1', packetId: 2 },
        { op: 'inflight-delete', clientId: 'c1', packetId: 77 },
        { op: 'inflight', clientId: 'c1', inflight: inflight(2) },
      ]);
      assert.deepEqual(sessionOf(state, 'c1').inflight, [inflight(5, 'pubrel'), inflight(9), inflight(2)]);
    });

    it('records incoming QoS 2 packet ids once each and forgets them on delete', async () => {
      const state = await applied([
        sessionOp('c1'),
        { op: 'qos2-in', clientId: 'c1', packetId: 3 },
        { op: 'qos2-in', clientId: 'c1', packetId: 1 },
        { op: 'qos2-in', clientId: 'c1', packetId: 3 },
        { op: 'qos2-in', clientId: 'c1', packetId: 65535 },
        { op: 'qos2-in-delete', clientId: 'c1', packetId: 1 },
        { op: 'qos2-in-delete', clientId: 'c1', packetId: 2 },
      ]);
      assert.deepEqual(sessionOf(state, 'c1').incomingQoS2, [3, 65535]);
    });

    it('sets, replaces and deletes retained messages by topic', async () => {
      const state = await applied([
        { op: 'retain', message: message('r/1', 'one', { retain: true }) },
        { op: 'retain', message: message('r/2', 'two', { retain: true, expiresAt: 99 }) },
        { op: 'retain', message: message('r/1', 'uno', { retain: true, qos: 0 }) },
        { op: 'retain', message: message('r/3', 'three', { retain: true }) },
        { op: 'retain-delete', topic: 'r/3' },
      ]);
      assert.deepEqual(state.retained, [
        message('r/1', 'uno', { retain: true, qos: 0 }),
        message('r/2', 'two', { retain: true, expiresAt: 99 }),
      ]);
      assert.deepEqual(state.sessions, []);
    });

    it('round-trips Buffers byte-exact: empty, binary, marker-like text and correlation data', async () => {
      const props: StoredMessageProperties = {
        payloadFormatIndicator: false,
        messageExpiryInterval: 30,
        contentType: '{"$b":"AAAA"}',
        responseTopic: 'reply/$b',
        correlationData: Buffer.from([0, 255, 0x24, 0x62, 0]),
        userProperties: [
          ['$b', 'AAAA'],
          ['k', 'v'],
          ['k', 'v2'],
        ],
      };
      const messages = [
        message('b/empty', Buffer.alloc(0)),
        message('b/binary', BINARY, { properties: props }),
        message('b/marker', MARKER_TEXT),
        message('{"$b":"AAAA"}', Buffer.from('$$b')),
        message('b/empty-corr', 'x', { properties: { correlationData: Buffer.alloc(0) } }),
      ];
      const state = await applied([
        sessionOp('c1'),
        ...messages.map((m) => ({ op: 'retain', message: { ...m, retain: true } }) as const),
        ...messages.map(
          (m) => ({ op: 'enqueue', clientId: 'c1', delivery: { ...delivery(''), message: m } }) as const,
        ),
      ]);
      assert.deepEqual(
        state.retained,
        messages.map((m) => ({ ...m, retain: true })),
      );
      const queued = sessionOf(state, 'c1').queue.map((d) => d.message);
      assert.deepEqual(queued, messages);
      for (const m of queued) assert.ok(Buffer.isBuffer(m.payload));
      assert.ok(Buffer.isBuffer(queued[1]?.properties?.correlationData));
      assert.ok(BINARY.equals(queued[1]?.payload ?? Buffer.alloc(0)));
    });

    it('applies the ops of a batch in order, and batches in call order when not awaited', async () => {
      const s = await open();
      const calls = [s.apply([sessionOp('c1'), enqueueOp('c1', '0')])];
      for (let i = 1; i < 60; i++) calls.push(s.apply([enqueueOp('c1', String(i))]));
      await Promise.all(calls);
      const state = await s.load();
      assert.deepEqual(
        queuePayloads(sessionOf(state, 'c1')),
        Array.from({ length: 60 }, (_, i) => String(i)),
      );
    });

    it('resolves an empty batch', async () => {
      const s = await open();
      await s.apply([]);
      assert.deepEqual(await s.load(), { sessions: [], retained: [] });
    });

    it('rejects a batch holding an invalid op and applies none of it', async () => {
      const s = await open();
      await s.apply([sessionOp('c1')]);
      // Untyped input, as JavaScript callers could hand over.
      const bad: StoreOp = JSON.parse('{"op":"qos2-in","clientId":"c1","packetId":0}');
      await assert.rejects(s.apply([enqueueOp('c1', 'a'), bad]), /packetId/);
      const unknown: StoreOp = JSON.parse('{"op":"teleport","clientId":"c1"}');
      await assert.rejects(s.apply([unknown]), /unknown op/);
      assert.deepEqual(sessionOf(await s.load(), 'c1').queue, []);
    });

    it('hands out copies: changing loaded state or applied objects does not change the store', async () => {
      const s = await open();
      const sub = subscription('a');
      const entry = inflight(1);
      await s.apply([sessionOp('c1'), { op: 'subscribe', clientId: 'c1', subscription: sub }]);
      await s.apply([{ op: 'inflight', clientId: 'c1', inflight: entry }]);
      sub.qos = 2;
      entry.state = 'pubrel';
      const first = await s.load();
      sessionOf(first, 'c1').subscriptions.length = 0;
      sessionOf(first, 'c1').queue.push(delivery('intruder'));
      first.sessions.length = 0;
      const second = await s.load();
      assert.deepEqual(sessionOf(second, 'c1').subscriptions, [subscription('a')]);
      assert.deepEqual(sessionOf(second, 'c1').inflight, [inflight(1)]);
      assert.deepEqual(sessionOf(second, 'c1').queue, []);
    });

    it('rejects apply after close', async () => {
      const s = await open();
      await s.apply([sessionOp('c1')]);
      await s.close();
      await assert.rejects(s.apply([sessionOp('c2')]), /after close/);
      await s.close();
    });

    if (reopen !== undefined) {
      it('hands back the same state after close and reopen', async () => {
        const s = await open();
        const ops: StoreOp[] = [
          { op: 'session', clientId: 'c1', expiryInterval: 3600, expiresAt: 123456789 },
          sessionOp('c2'),
          { op: 'subscribe', clientId: 'c1', subscription: subscription('a/+') },
          { op: 'subscribe', clientId: 'c1', subscription: subscription('b/#', 2) },
          { op: 'inflight', clientId: 'c1', inflight: inflight(10) },
          { op: 'inflight', clientId: 'c1', inflight: inflight(11, 'pubrel') },
          { op: 'qos2-in', clientId: 'c2', packetId: 42 },
          { op: 'retain', message: message('r', BINARY, { retain: true }) },
        ];
        for (let i = 0; i < 50; i++) ops.push(enqueueOp('c1', `q${i}`));
        for (let i = 0; i < 20; i++) ops.push({ op: 'dequeue', clientId: 'c1' });
        await s.apply(ops);
        await s.apply([enqueueOp('c2', 'later')]);
        const before = await s.load();
        store = await reopen(dir, s);
        const after = await store.load();
        assert.deepEqual(after, before);
        assert.equal(sessionOf(after, 'c1').queue.length, 30);
        await store.apply([{ op: 'dequeue', clientId: 'c1' }]);
        const reopenedAgain = await reopen(dir, store);
        store = reopenedAgain;
        assert.deepEqual(queuePayloads(sessionOf(await reopenedAgain.load(), 'c1'))[0], 'q21');
      });
    }
  });
}
