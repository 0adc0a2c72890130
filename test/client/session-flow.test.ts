import assert from 'node:assert/strict';
import { ReasonCode } from '../../src/protocol';
import type { PublishPacket } from '../../src/protocol/types';
import { completedCodes, disconnectCode, failedCode, msg, SessionHarness } from './harness';

describe('ClientSession flows', () => {
  describe('outgoing flow', () => {
    it('keeps at most Receive Maximum publishes in flight and queues the rest', () => {
      const h = new SessionHarness();
      h.connect({ receiveMaximum: 2 });
      for (const t of ['a', 'b', 'c']) h.session.publish(msg(t, 1));
      const first = h.publishes();
      assert.deepEqual(
        first.map((p) => p.topic),
        ['a', 'b'],
      );
      assert.equal(h.session.queued, 1);
      h.receive({ type: 'puback', packetId: first[0]?.packetId ?? 0, reasonCode: 0 });
      assert.deepEqual(
        h.publishes().map((p) => p.topic),
        ['c'],
      );
    });

    it('takes an online burst past the offline bound: a small window delays it, never fails it', () => {
      // A stock mosquitto grants Receive Maximum 20; a flow may publish thousands in one go.
      const h = new SessionHarness({ queue: { maxMessages: 5 } });
      h.connect({ receiveMaximum: 2 });
      const ids = Array.from({ length: 12 }, (_, i) => h.session.publish(msg(`t${i}`, 1)));
      assert.equal(h.session.queued, 10);
      const seen: string[] = [];
      for (let round = 0; round < 12 && seen.length < 12; round++) {
        const sent = h.publishes();
        seen.push(...sent.map((p) => p.topic));
        for (const p of sent) h.receive({ type: 'puback', packetId: p.packetId ?? 0, reasonCode: 0 });
      }
      assert.deepEqual(
        seen,
        ids.map((_, i) => `t${i}`),
      );
      const events = h.takeEvents();
      for (const id of ids) assert.deepEqual(completedCodes(events, id), [0]);
    });

    it('runs the QoS 2 flow and rejects a failing PUBACK with its reason code and string', () => {
      const h = new SessionHarness();
      h.connect();
      const q2 = h.session.publish(msg('t', 2));
      const [p] = h.publishes();
      h.receive({ type: 'pubrec', packetId: p?.packetId ?? 0, reasonCode: 0 });
      const [rel] = h.take();
      assert.ok(rel?.type === 'pubrel');
      h.receive({ type: 'pubcomp', packetId: rel.packetId, reasonCode: 0 });
      const q1 = h.session.publish(msg('t', 1));
      const [p1] = h.publishes();
      h.receive({
        type: 'puback',
        packetId: p1?.packetId ?? 0,
        reasonCode: 0x87,
        properties: { reasonString: 'denied' },
      });
      const events = h.takeEvents();
      assert.deepEqual(completedCodes(events, q2), [0]);
      const failure = events.find((e) => e.type === 'failed' && e.requestId === q1);
      assert.ok(failure?.type === 'failed');
      assert.equal(failure.error.reasonCode, 0x87);
      assert.equal(failure.error.reasonString, 'denied');
    });

    it('gives automatic topic aliases within the server maximum', () => {
      const h = new SessionHarness({ autoTopicAlias: true });
      h.connect({ topicAliasMaximum: 1 });
      h.session.publish(msg('a/b', 0));
      h.session.publish(msg('a/b', 0));
      const [p1, p2] = h.publishes();
      assert.equal(p1?.topic, 'a/b');
      assert.equal(p1?.properties?.topicAlias, 1);
      assert.equal(p2?.topic, '');
      assert.equal(p2?.properties?.topicAlias, 1);
    });
  });

  describe('offline queue', () => {
    it('queues while offline, QoS 0 included, and sends in order on connect', () => {
      const h = new SessionHarness();
      const ids = [
        h.session.publish(msg('a', 1)),
        h.session.publish(msg('b', 0)),
        h.session.publish(msg('c', 2)),
      ];
      assert.equal(h.session.queued, 3);
      h.connect();
      assert.deepEqual(
        h.publishes().map((p) => p.topic),
        ['a', 'b', 'c'],
      );
      assert.deepEqual(completedCodes(h.takeEvents(), ids[1] ?? 0), [0], 'QoS 0 completes when written');
    });

    it('fails a publish past the bound at once with 0x97, never dropping it silently', () => {
      const h = new SessionHarness({ queue: { maxMessages: 1 } });
      h.session.publish(msg('a', 1));
      const over = h.session.publish(msg('b', 1));
      const events = h.takeEvents();
      assert.equal(failedCode(events, over), ReasonCode.QuotaExceeded);
      const f = events.find((e) => e.type === 'failed');
      assert.match(f?.type === 'failed' ? f.error.message : '', /publish queue full/);
    });

    it('refuses QoS 0 while offline when configured not to queue it', () => {
      const h = new SessionHarness({ queueQoS0WhileOffline: false });
      const id = h.session.publish(msg('a', 0));
      assert.equal(failedCode(h.takeEvents(), id), ReasonCode.ImplementationSpecificError);
      assert.equal(h.session.queued, 0);
    });
  });

  describe('session resume', () => {
    function inFlightAfterLoss(): { h: SessionHarness; q1: PublishPacket; q2: PublishPacket } {
      const h = new SessionHarness({ clientId: 'c', properties: { sessionExpiryInterval: 60 } });
      h.connect();
      h.session.publish(msg('one', 1));
      h.session.publish(msg('two', 2));
      const [q1, q2] = h.publishes();
      assert.ok(q1 !== undefined && q2 !== undefined);
      h.receive({ type: 'pubrec', packetId: q2.packetId ?? 0, reasonCode: 0 });
      h.take();
      h.lose();
      return { h, q1, q2 };
    }

    it('resends unacknowledged publishes with DUP and PUBREL when the session is present', () => {
      const { h, q1, q2 } = inFlightAfterLoss();
      h.connect({}, true);
      const sent = h.take();
      assert.deepEqual(
        sent.map((p) => p.type),
        ['publish', 'pubrel'],
      );
      const [again, rel] = sent;
      assert.ok(again?.type === 'publish' && rel?.type === 'pubrel');
      assert.equal(again.dup, true);
      assert.equal(again.packetId, q1.packetId);
      assert.equal(rel.packetId, q2.packetId);
      assert.equal(h.takeEvents().find((e) => e.type === 'connected')?.type, 'connected');
    });

    it('sends again as new publishes when the session is gone, and asks to resubscribe', () => {
      const { h } = inFlightAfterLoss();
      h.connect({}, false);
      const [again, ...rest] = h.take();
      assert.equal(rest.length, 0, 'no PUBREL: the server had the QoS 2 message');
      assert.ok(again?.type === 'publish');
      assert.equal(again.dup, false);
      const connected = h.takeEvents().find((e) => e.type === 'connected');
      assert.ok(connected?.type === 'connected');
      assert.equal(connected.mustResubscribe, true);
    });
  });

  describe('incoming flow', () => {
    const incoming = (packetId: number, qos: 1 | 2 = 2): PublishPacket => ({
      type: 'publish',
      topic: 't',
      payload: Buffer.from('m'),
      qos,
      retain: false,
      dup: false,
      packetId,
    });

    it('delivers a QoS 2 message once even when the server sends it again before PUBREL', () => {
      const h = new SessionHarness();
      h.connect();
      h.takeEvents();
      h.receive(incoming(7));
      h.receive({ ...incoming(7), dup: true });
      assert.equal(h.takeEvents().filter((e) => e.type === 'message').length, 1);
      assert.deepEqual(
        h.take().map((p) => p.type),
        ['pubrec', 'pubrec'],
      );
      h.receive({ type: 'pubrel', packetId: 7, reasonCode: 0 });
      const [comp] = h.take();
      assert.ok(comp?.type === 'pubcomp');
      assert.equal(comp.reasonCode, 0);
    });

    it('disconnects with 0x93 when the server passes our Receive Maximum', () => {
      const h = new SessionHarness({ properties: { receiveMaximum: 2 } });
      h.connect();
      h.receive(incoming(1));
      h.receive(incoming(2));
      h.take();
      h.receive(incoming(3));
      assert.equal(disconnectCode(h), ReasonCode.ReceiveMaximumExceeded);
    });

    it('resolves inbound topic aliases and disconnects with 0x94 for one out of range', () => {
      const h = new SessionHarness({ properties: { topicAliasMaximum: 2 } });
      h.connect();
      h.takeEvents();
      h.receive({ ...incoming(1, 1), topic: 'x/y', properties: { topicAlias: 2 } });
      h.receive({ ...incoming(2, 1), topic: '', properties: { topicAlias: 2 } });
      const topics = h.takeEvents().flatMap((e) => (e.type === 'message' ? [e.message.topic] : []));
      assert.deepEqual(topics, ['x/y', 'x/y']);
      h.take();
      h.receive({ ...incoming(3, 1), topic: 'z', properties: { topicAlias: 3 } });
      assert.equal(disconnectCode(h), ReasonCode.TopicAliasInvalid);
    });
  });

  describe('keep alive', () => {
    it('sends PINGREQ after keepAlive of silence and closes with 0x8D without PINGRESP', () => {
      const h = new SessionHarness({ keepAlive: 10, pingTimeoutMs: 2000 });
      h.connect();
      h.tick(9999);
      assert.equal(h.take().length, 0);
      h.tick(1);
      assert.deepEqual(
        h.take().map((p) => p.type),
        ['pingreq'],
      );
      h.receive({ type: 'pingresp' });
      h.tick(10_000);
      assert.deepEqual(
        h.take().map((p) => p.type),
        ['pingreq'],
      );
      h.tick(2000);
      const close = h.takeEvents().find((e) => e.type === 'close');
      assert.ok(close?.type === 'close');
      assert.equal(close.error?.reasonCode, ReasonCode.KeepAliveTimeout);
    });

    it('uses the Server Keep Alive from CONNACK', () => {
      const h = new SessionHarness({ keepAlive: 60 });
      h.connect({ serverKeepAlive: 5 });
      assert.equal(h.session.nextDeadline(), h.clock.now() + 5000);
    });
  });
});
