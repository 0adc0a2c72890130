import assert from 'node:assert/strict';
import { encodePacket } from '../../../src/protocol/encode';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, payloads } from './harness';

function sorted(ids: readonly number[] | undefined): number[] {
  return [...(ids ?? [])].sort((a, b) => a - b);
}

describe('broker engine: subscriptions', () => {
  describe('overlapping subscriptions', () => {
    it('delivers one copy at the highest granted QoS with every subscription id [MQTT-3.3.4-2/3]', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe('a/+', { qos: 1, subscriptionIdentifier: 1 });
      s.subscribe('a/#', { qos: 2, subscriptionIdentifier: 2 });
      s.subscribe('#', { qos: 0 });
      connected(h, 'p').publish('a/b', 'x', { qos: 2 });
      const got = s.takePublishes();
      assert.equal(got.length, 1);
      assert.equal(got[0]?.qos, 2);
      assert.deepEqual(sorted(got[0]?.properties?.subscriptionIdentifiers), [1, 2]);
    });

    it('limits the merged QoS to the published QoS', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe('a/+', { qos: 2 });
      s.subscribe('a/#', { qos: 1 });
      connected(h, 'p').publish('a/b', 'x', { qos: 1 });
      const got = s.takePublishes();
      assert.deepEqual(
        got.map((p) => p.qos),
        [1],
      );
    });

    it('sends each subscription identifier once when two filters of one SUBSCRIBE share it', () => {
      const h = new Harness();
      const s = connected(h, 's');
      assert.deepEqual(
        s.subscribe(['a/+', 'a/#'], { qos: 1, subscriptionIdentifier: 7 }).reasonCodes,
        [1, 1],
      );
      connected(h, 'p').publish('a/b', 'x');
      const got = s.takePublishes();
      assert.equal(got.length, 1);
      assert.deepEqual(got[0]?.properties?.subscriptionIdentifiers, [7]);
    });

    it('sends only the identifiers that were given', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe('a/+', { subscriptionIdentifier: 3 });
      s.subscribe('a/#');
      connected(h, 'p').publish('a/b', 'x');
      assert.deepEqual(s.takePublishes()[0]?.properties?.subscriptionIdentifiers, [3]);
    });

    it('disconnects with 0xA1 a SUBSCRIBE with an identifier when identifiers are not available', () => {
      const h = new Harness({ config: { subscriptionIdentifiersAvailable: false } });
      const s = connected(h, 's');
      s.send({
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 't', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
        properties: { subscriptionIdentifier: 1 },
      });
      assert.equal(s.takeOne('disconnect').reasonCode, ReasonCode.SubscriptionIdentifiersNotSupported);
    });
  });

  describe('subscription options', () => {
    it('does not send a client its own messages with No Local [MQTT-3.8.3-3]', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe('t', { noLocal: true });
      s.publish('t', 'own');
      assert.deepEqual(s.take(), []);
      connected(h, 'p').publish('t', 'other');
      assert.deepEqual(payloads(s.takePublishes()), ['other']);
    });

    it('sends a client its own messages without No Local', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe('t');
      s.publish('t', 'own');
      assert.deepEqual(payloads(s.takePublishes()), ['own']);
    });

    it('keeps the RETAIN flag of a live message only with Retain As Published [MQTT-3.3.1-12/13]', () => {
      const h = new Harness();
      const rap = connected(h, 'rap');
      rap.subscribe('t', { retainAsPublished: true });
      const plain = connected(h, 'plain');
      plain.subscribe('t');
      const pub = connected(h, 'p');
      pub.publish('t', 'kept', { retain: true });
      pub.publish('t', 'live');
      assert.deepEqual(
        rap.takePublishes().map((p) => p.retain),
        [true, false],
      );
      assert.deepEqual(
        plain.takePublishes().map((p) => p.retain),
        [false, false],
      );
    });

    it('sends retained messages on every subscribe with Retain Handling 0 [MQTT-3.3.1-9]', () => {
      const h = new Harness();
      connected(h, 'p').publish('t', 'r', { retain: true });
      const s = connected(h, 's');
      s.subscribe('t', { retainHandling: 0 });
      assert.deepEqual(payloads(s.takePublishes()), ['r']);
      s.subscribe('t', { retainHandling: 0 });
      assert.deepEqual(payloads(s.takePublishes()), ['r']);
    });

    it('sends retained messages only for a new subscription with Retain Handling 1 [MQTT-3.3.1-10]', () => {
      const h = new Harness();
      connected(h, 'p').publish('t', 'r', { retain: true });
      const s = connected(h, 's');
      s.subscribe('t', { retainHandling: 1 });
      assert.deepEqual(payloads(s.takePublishes()), ['r']);
      s.subscribe('t', { retainHandling: 1 });
      assert.deepEqual(s.take(), []);
    });

    it('sends no retained messages with Retain Handling 2 [MQTT-3.3.1-11]', () => {
      const h = new Harness();
      connected(h, 'p').publish('t', 'r', { retain: true });
      const s = connected(h, 's');
      s.subscribe('t', { retainHandling: 2 });
      assert.deepEqual(s.take(), []);
    });

    it('replaces a subscription to the same filter [MQTT-3.8.4-3]', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe('t', { qos: 0, subscriptionIdentifier: 1 });
      s.subscribe('t', { qos: 1, subscriptionIdentifier: 2 });
      assert.equal(h.broker.counters.subscriptions, 1);
      connected(h, 'p').publish('t', 'x', { qos: 2 });
      const got = s.takePublishes();
      assert.deepEqual(
        got.map((p) => [p.qos, p.properties?.subscriptionIdentifiers]),
        [[1, [2]]],
      );
    });
  });

  describe('refusals', () => {
    it('answers an invalid filter with 0x8F and serves the others in the same SUBSCRIBE', () => {
      const h = new Harness();
      const s = connected(h, 's');
      assert.deepEqual(s.subscribe(['a/#/b', 'ok', 'x+'], { qos: 1 }).reasonCodes, [0x8f, 1, 0x8f]);
      assert.equal(h.broker.counters.subscriptions, 1);
    });

    it('answers an invalid filter of a 3.1.1 client with 0x80 on the wire', () => {
      const h = new Harness();
      const s = connected(h, 's', { level: 4 });
      const suback = s.subscribe(['a/#/b', 'ok'], { qos: 1 });
      assert.equal(suback.reasonCodes[0] !== undefined && suback.reasonCodes[0] >= 0x80, true);
      const bytes = encodePacket(suback, 4);
      assert.deepEqual([...bytes.subarray(-2)], [0x80, 0x01]);
    });

    it('answers an invalid shared subscription with 0x8F', () => {
      const h = new Harness();
      const s = connected(h, 's');
      assert.deepEqual(s.subscribe(['$share/g', '$share//t', '$share/g+/t']).reasonCodes, [0x8f, 0x8f, 0x8f]);
    });

    it('answers a filter with more levels than maxTopicLevels with 0x8F', () => {
      const h = new Harness({ config: { maxTopicLevels: 2 } });
      const s = connected(h, 's');
      assert.deepEqual(s.subscribe(['a/b/c', 'a/b']).reasonCodes, [0x8f, 0]);
    });

    it('answers a shared subscription with 0x9E when they are not available', () => {
      const h = new Harness({ config: { sharedSubscriptionAvailable: false } });
      const s = connected(h, 's');
      assert.deepEqual(s.subscribe(['$share/g/t', 't']).reasonCodes, [0x9e, 0]);
    });

    it('answers a wildcard filter with 0xA2 when wildcards are not available', () => {
      const h = new Harness({ config: { wildcardSubscriptionAvailable: false } });
      const s = connected(h, 's');
      assert.deepEqual(s.subscribe(['a/+', '#', 'a/b']).reasonCodes, [0xa2, 0xa2, 0]);
    });

    it('reports each filter in a subscribed event, refusals included', () => {
      const h = new Harness();
      connected(h, 's').subscribe(['ok', 'a/#/b'], { qos: 2 });
      assert.deepEqual(
        h.eventsOf('subscribed').map((e) => [e.filter, e.reasonCode]),
        [
          ['ok', 2],
          ['a/#/b', 0x8f],
        ],
      );
    });
  });

  describe('shared subscriptions', () => {
    it('hands messages round robin across the members of a group', () => {
      const h = new Harness();
      const members = ['a', 'b', 'c'].map((id) => {
        const c = connected(h, id);
        assert.deepEqual(c.subscribe('$share/g/t/+', { qos: 1 }).reasonCodes, [1]);
        return c;
      });
      const pub = connected(h, 'p');
      for (let i = 0; i < 6; i++) pub.publish('t/x', String(i));
      assert.deepEqual(
        members.map((m) => payloads(m.takePublishes())),
        [
          ['0', '3'],
          ['1', '4'],
          ['2', '5'],
        ],
      );
    });

    it('sends one copy per group and one to each ordinary subscriber', () => {
      const h = new Harness();
      const a = connected(h, 'a');
      a.subscribe('$share/g1/t');
      const b = connected(h, 'b');
      b.subscribe('$share/g2/t');
      const c = connected(h, 'c');
      c.subscribe('t');
      connected(h, 'p').publish('t', 'x');
      assert.deepEqual(
        [a, b, c].map((m) => m.takePublishes().length),
        [1, 1, 1],
      );
    });

    it('prefers members that are online', () => {
      const h = new Harness();
      const away = connected(h, 'away', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
      away.subscribe('$share/g/t', { qos: 1 });
      const here = connected(h, 'here');
      here.subscribe('$share/g/t', { qos: 1 });
      away.drop();
      const pub = connected(h, 'p');
      for (let i = 0; i < 3; i++) pub.publish('t', String(i), { qos: 1 });
      assert.deepEqual(payloads(here.takePublishes()), ['0', '1', '2']);
    });

    it('sends no retained messages to a new shared subscription', () => {
      const h = new Harness();
      connected(h, 'p').publish('t', 'r', { retain: true });
      const s = connected(h, 's');
      s.subscribe('$share/g/t');
      assert.deepEqual(s.take(), []);
    });

    it('disconnects a client that sets No Local on a shared subscription with 0x82 [MQTT-3.8.3-4]', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.send({
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: '$share/g/t', qos: 0, noLocal: true, retainAsPublished: false, retainHandling: 0 },
        ],
      });
      assert.equal(s.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
      assert.equal(s.closed, true);
      assert.equal(h.broker.counters.subscriptions, 0);
    });

    it('uses the random strategy deterministically with a seeded source', () => {
      const run = (): string[][] => {
        const h = new Harness({ seed: 7, config: { sharedSubscriptionStrategy: 'random' } });
        const members = ['a', 'b', 'c'].map((id) => {
          const c = connected(h, id);
          c.subscribe('$share/g/t');
          return c;
        });
        const pub = connected(h, 'p');
        for (let i = 0; i < 12; i++) pub.publish('t', String(i));
        return members.map((m) => payloads(m.takePublishes()));
      };
      const first = run();
      assert.deepEqual(run(), first);
      assert.equal(first.flat().length, 12);
    });
  });

  describe('unsubscribe', () => {
    it('answers 0x00 for a removed subscription and 0x11 for none [MQTT-3.10.4-1]', () => {
      const h = new Harness();
      const s = connected(h, 's');
      s.subscribe(['t', '$share/g/u']);
      s.send({ type: 'unsubscribe', packetId: 9, topicFilters: ['t', 'nope', '$share/g/u'] });
      assert.deepEqual(s.take(), [{ type: 'unsuback', packetId: 9, reasonCodes: [0, 0x11, 0] }]);
      assert.equal(h.broker.counters.subscriptions, 0);
      connected(h, 'p').publish('t', 'x');
      assert.deepEqual(s.take(), []);
      assert.deepEqual(
        h.eventsOf('unsubscribed').map((e) => e.filter),
        ['t', '$share/g/u'],
      );
    });

    it('sends a 3.1.1 client an UNSUBACK it can encode', () => {
      const h = new Harness();
      const s = connected(h, 's', { level: 4 });
      s.subscribe('t');
      s.send({ type: 'unsubscribe', packetId: 3, topicFilters: ['t'] });
      const unsuback = s.takeOne('unsuback');
      assert.deepEqual([...encodePacket(unsuback, 4)], [0xb0, 0x02, 0x00, 0x03]);
    });
  });
});
