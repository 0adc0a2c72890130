import assert from 'node:assert/strict';
import { ClientDispatcher } from '../../src/client/dispatcher';
import { KeepAlive } from '../../src/client/keepalive';
import { PacketIdAllocator } from '../../src/client/packet-ids';
import { PublishQueue } from '../../src/client/publish-queue';
import { ReconnectPolicy } from '../../src/client/reconnect-policy';
import { ClientTopicAliases } from '../../src/client/topic-aliases';
import { isMqttError, ReasonCode } from '../../src/protocol';
import type { PublishPacket } from '../../src/protocol/types';

const opts = { qos: 1 as const, noLocal: false, retainAsPublished: false, retainHandling: 0 as const };

function pub(topic: string, ids?: number[]): PublishPacket {
  return {
    type: 'publish',
    topic,
    payload: Buffer.alloc(0),
    qos: 0,
    retain: false,
    dup: false,
    properties: ids === undefined ? {} : { subscriptionIdentifiers: ids },
  };
}

describe('client pieces', () => {
  describe('PacketIdAllocator', () => {
    it('hands out ids in order, skips ids in use and wraps after 65535', () => {
      const ids = new PacketIdAllocator();
      assert.deepEqual([ids.allocate(), ids.allocate(), ids.allocate()], [1, 2, 3]);
      ids.release(2);
      assert.equal(ids.allocate(), 4, 'a released id is not reused at once');
      for (let i = 5; i <= 65535; i++) ids.allocate();
      assert.equal(ids.allocate(), 2, 'wraps and skips 1 and 3, still in use');
    });

    it('refuses with 0x91 when all ids are in use', () => {
      const ids = new PacketIdAllocator();
      for (let i = 0; i < 65535; i++) ids.allocate();
      assert.throws(
        () => ids.allocate(),
        (e: unknown) => isMqttError(e) && e.reasonCode === 0x91,
      );
    });
  });

  describe('PublishQueue', () => {
    const item = (requestId: number, bytes: number) => ({
      requestId,
      bytes,
      message: { topic: 't', payload: Buffer.alloc(0), qos: 1 as const },
      packetId: 0,
      stage: 'puback' as const,
    });

    it('refuses an offline publish past the message bound with 0x97 Quota exceeded', () => {
      const q = new PublishQueue({ maxMessages: 2 });
      q.push(item(1, 10), true);
      q.push(item(2, 10), true);
      assert.throws(
        () => q.push(item(3, 10), true),
        (e: unknown) => isMqttError(e) && e.reasonCode === ReasonCode.QuotaExceeded,
      );
      assert.equal(q.length, 2);
    });

    it('takes an online publish past the message bound, within the byte bound', () => {
      const q = new PublishQueue({ maxMessages: 2, maxBytes: 45 });
      for (let i = 1; i <= 4; i++) q.push(item(i, 10), false);
      assert.equal(q.length, 4);
      assert.throws(() => q.push(item(5, 10), false), /publish queue full/);
      assert.throws(() => q.push(item(5, 1), true), /publish queue full/, 'offline, the count bound holds');
    });

    it('refuses past the byte bound, and frees bytes as items leave', () => {
      const q = new PublishQueue({ maxBytes: 100 });
      q.push(item(1, 60), true);
      assert.throws(() => q.push(item(2, 50), false), /publish queue full/);
      assert.equal(q.shift()?.requestId, 1);
      q.push(item(2, 50), true);
      q.unshift([item(0, 5)]);
      assert.deepEqual(
        q.drain().map((i) => i.requestId),
        [0, 2],
      );
      assert.equal(q.bytes, 0);
    });
  });

  describe('KeepAlive', () => {
    it('pings after the interval of silence and times out without PINGRESP', () => {
      const k = new KeepAlive(10, 3000);
      k.reset(10, 0);
      assert.equal(k.check(9999), undefined);
      k.sent(5000);
      assert.equal(k.check(14_999), undefined, 'sending anything postpones the ping');
      assert.equal(k.check(15_000), 'ping');
      assert.equal(k.deadline(), 18_000);
      assert.equal(k.check(17_999), undefined);
      assert.equal(k.check(18_000), 'timeout');
    });

    it('is off with a keep alive of 0', () => {
      const k = new KeepAlive(0, 1000);
      k.reset(0, 0);
      assert.equal(k.deadline(), undefined);
      assert.equal(k.check(1e9), undefined);
    });
  });

  describe('ReconnectPolicy', () => {
    it('backs off exponentially up to the maximum, with jitter from the injected random', () => {
      let r = 0.999;
      const policy = new ReconnectPolicy({ minDelayMs: 100, maxDelayMs: 1000, random: () => r });
      const delays = [1, 2, 3, 4, 5, 6].map(() => policy.disconnected(0));
      assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
      r = 0;
      assert.equal(policy.disconnected(0), 500, 'jitter picks between half and all of the backoff');
    });

    it('starts over after a stable connection, not after a short one', () => {
      const policy = new ReconnectPolicy({
        minDelayMs: 100,
        maxDelayMs: 10_000,
        stableAfterMs: 5000,
        random: () => 0.999,
      });
      policy.disconnected(0);
      policy.disconnected(0);
      policy.connected(1000);
      assert.equal(policy.disconnected(2000), 400, 'up for 1 s: not stable');
      policy.connected(10_000);
      assert.equal(policy.disconnected(20_000), 100, 'up for 10 s: backoff reset');
    });
  });

  describe('ClientTopicAliases', () => {
    it('assigns LRU aliases within the maximum, sending an empty topic once known', () => {
      const a = new ClientTopicAliases(2, true);
      assert.deepEqual(a.assign('a', undefined), { topic: 'a', alias: 1 });
      assert.deepEqual(a.assign('b', undefined), { topic: 'b', alias: 2 });
      assert.deepEqual(a.assign('a', undefined), { topic: '', alias: 1 });
      assert.deepEqual(a.assign('c', undefined), { topic: 'c', alias: 2 }, 'b was least recently used');
    });

    it('checks explicit aliases against the maximum and refuses them in automatic mode (0x94)', () => {
      const a = new ClientTopicAliases(3, false);
      assert.deepEqual(a.assign('x', 3), { topic: 'x', alias: 3 });
      assert.deepEqual(a.assign('x', 3), { topic: '', alias: 3 });
      assert.deepEqual(a.assign('y', 3), { topic: 'y', alias: 3 }, 'remapping sends the topic');
      const code = (f: () => unknown) =>
        assert.throws(f, (e: unknown) => isMqttError(e) && e.reasonCode === 0x94);
      code(() => a.assign('x', 4));
      code(() => a.assign('x', 0));
      code(() => new ClientTopicAliases(3, true).check(1));
      assert.deepEqual(new ClientTopicAliases(0, true).assign('t', undefined), {
        topic: 't',
        alias: undefined,
      });
    });
  });

  describe('ClientDispatcher', () => {
    it('delivers one copy per subscriber with overlapping filters, by subscription identifier', () => {
      const d = new ClientDispatcher();
      const a1 = d.add('A', 'sensors/#', opts).entry.subscriptionIdentifier;
      const a2 = d.add('A', 'sensors/+/temp', opts).entry.subscriptionIdentifier;
      const b = d.add('B', 'sensors/1/temp', opts).entry.subscriptionIdentifier;
      assert.deepEqual(d.route(pub('sensors/1/temp', [a1, a2, b])).sort(), ['A', 'B'], 'one merged copy');
      // A server that sends one copy per subscription (mosquitto): each subscriber takes one.
      const copies = [[a1], [a2], [b]].map((ids) => d.route(pub('sensors/1/temp', ids)));
      assert.deepEqual(copies.flat().sort(), ['A', 'B']);
    });

    it('lets a subscriber with only shared filters take a copy naming one of them', () => {
      const d = new ClientDispatcher();
      const shared = d.add('S', '$share/g/t', opts).entry.subscriptionIdentifier;
      const plain = d.add('P', 't', opts).entry.subscriptionIdentifier;
      assert.deepEqual(d.route(pub('t', [shared])), ['S']);
      assert.deepEqual(d.route(pub('t', [plain])), ['P']);
    });

    it('falls back to trie matching without identifiers, still one copy each', () => {
      const d = new ClientDispatcher();
      d.add('A', 'sensors/#', opts);
      d.add('A', 'sensors/+/temp', opts);
      d.add('B', '$share/g/sensors/+/temp', opts);
      d.add('C', 'other', opts);
      assert.deepEqual(d.route(pub('sensors/1/temp')).sort(), ['A', 'B']);
      assert.deepEqual(d.route(pub('other')), ['C']);
    });

    it('lets the local subscribers of one shared filter take turns, one copy per message', () => {
      const d = new ClientDispatcher();
      const id = d.add('A', '$share/g/jobs/+', opts).entry.subscriptionIdentifier;
      d.add('B', '$share/g/jobs/+', opts);
      d.add('C', '$share/g/jobs/+', opts);
      const withIds = Array.from({ length: 6 }, () => d.route(pub('jobs/1', [id])));
      const withoutIds = Array.from({ length: 6 }, () => d.route(pub('jobs/1')));
      for (const routed of [withIds, withoutIds]) {
        assert.ok(
          routed.every((r) => r.length === 1),
          'one subscriber per message',
        );
        assert.deepEqual([...new Set(routed.flat())].sort(), ['A', 'B', 'C'], 'each takes a turn');
      }
    });

    it('matches by topic a message whose identifiers it never gave (queued before a restart)', () => {
      const d = new ClientDispatcher();
      const a = d.add('A', 'sensors/#', opts).entry.subscriptionIdentifier;
      d.add('B', 'other', opts);
      assert.deepEqual(d.route(pub('sensors/1', [a + 100])), ['A']);
      assert.deepEqual(d.route(pub('other', [a + 100, a + 101])), ['B']);
      assert.deepEqual(d.route(pub('sensors/1', [a])), ['A'], 'a known identifier still routes');
    });

    it('shares one subscription per filter and unsubscribes with the last subscriber', () => {
      const d = new ClientDispatcher();
      const first = d.add('A', 't/#', opts);
      const second = d.add('B', 't/#', opts);
      assert.equal(first.subscribe, true);
      assert.equal(second.subscribe, false);
      assert.equal(second.entry.subscriptionIdentifier, first.entry.subscriptionIdentifier);
      assert.equal(d.add('C', 't/#', { ...opts, qos: 2 }).subscribe, true, 'a higher QoS subscribes again');
      assert.equal(d.remove('A', 't/#'), false);
      assert.equal(d.remove('B', 't/#'), false);
      assert.equal(d.remove('C', 't/#'), true);
      assert.deepEqual(d.route(pub('t/x')), []);
      assert.deepEqual(d.entries(), []);
    });

    it('routes a message only one filter matches by that filter and its identifier', () => {
      const d = new ClientDispatcher();
      const a = d.add('A', 'bench/q1', opts).entry.subscriptionIdentifier;
      const b = d.add('B', 'bench/q0', opts).entry.subscriptionIdentifier;
      d.add('A2', 'bench/q1', opts);
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(d.route(pub('bench/q1', [a])).sort(), ['A', 'A2'], 'its identifier');
        assert.deepEqual(d.route(pub('bench/q1')).sort(), ['A', 'A2'], 'no identifiers');
        assert.deepEqual(d.route(pub('bench/q1', [b])), [], 'a copy for another filter of ours');
        assert.deepEqual(d.route(pub('bench/q1', [a + 100])).sort(), ['A', 'A2'], 'no identifier of ours');
        assert.deepEqual(d.route(pub('bench/none', [a])), [], 'no filter matches');
      }
    });

    it('routes by the filters of the moment after a filter comes or goes', () => {
      const d = new ClientDispatcher();
      d.add('A', 'x/+', opts);
      assert.deepEqual(d.route(pub('x/1')), ['A']);
      d.add('B', 'x/#', opts);
      assert.deepEqual(d.route(pub('x/1')).sort(), ['A', 'B']);
      assert.equal(d.remove('A', 'x/+'), true);
      assert.deepEqual(d.route(pub('x/1')), ['B']);
      d.remove('B', 'x/#');
      assert.deepEqual(d.route(pub('x/1')), []);
    });
  });
});
