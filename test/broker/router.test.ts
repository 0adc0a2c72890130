import assert from 'node:assert/strict';
import { Router } from '../../src/broker/router';
import type { RouteTarget, SubscriptionEntry } from '../../src/broker/types';
import { MqttError } from '../../src/protocol/errors';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { parseSharedSubscription } from '../../src/topic/shared';
import { seededRandom } from '../topic/random-topics';

/** A subscription entry with default options; `$share/...` filters are split as the engine does. */
function sub(clientId: string, filter: string, options: Partial<SubscriptionEntry> = {}): SubscriptionEntry {
  const shared = parseSharedSubscription(filter);
  return {
    clientId,
    filter,
    topicFilter: shared?.filter ?? filter,
    ...(shared === undefined ? {} : { group: shared.group }),
    qos: 2,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    ...options,
  };
}

const everyoneOnline = (): boolean => true;
const nobodyOnline = (): boolean => false;

function routeTo(
  router: Router,
  topic: string,
  sender = 'publisher',
  isOnline: (clientId: string) => boolean = everyoneOnline,
): RouteTarget[] {
  return router
    .route(topic, 2, sender, isOnline)
    .map((target) => ({ ...target, subscriptionIdentifiers: [...target.subscriptionIdentifiers].sort() }))
    .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
}

function receivers(
  router: Router,
  topic: string,
  sender = 'publisher',
  isOnline: (clientId: string) => boolean = everyoneOnline,
): string[] {
  return router
    .route(topic, 2, sender, isOnline)
    .map((target) => target.clientId)
    .sort();
}

function target(clientId: string, fields: Partial<RouteTarget> = {}): RouteTarget {
  return { clientId, qos: 2, retainAsPublished: false, subscriptionIdentifiers: [], ...fields };
}

describe('Router', () => {
  describe('subscriptions', () => {
    it('starts empty and routes nowhere', () => {
      const router = new Router({ strategy: 'round-robin' });
      assert.equal(router.size, 0);
      assert.deepEqual(router.route('a', 1, 'x', everyoneOnline), []);
      assert.deepEqual(router.subscriptionsOf('c1'), []);
    });

    it('replaces a subscription with the same filter instead of adding one [MQTT-3.8.4-3]', () => {
      const router = new Router({ strategy: 'round-robin' });
      assert.deepEqual(router.subscribe(sub('c1', 'a/+', { qos: 0, subscriptionIdentifier: 1 })), {
        existed: false,
      });
      assert.deepEqual(router.subscribe(sub('c1', 'a/+', { qos: 1, subscriptionIdentifier: 2 })), {
        existed: true,
      });
      assert.equal(router.size, 1);
      assert.deepEqual(routeTo(router, 'a/b'), [target('c1', { qos: 1, subscriptionIdentifiers: [2] })]);
      assert.equal(router.subscriptionsOf('c1').length, 1);
      assert.equal(router.subscriptionsOf('c1')[0]?.subscriptionIdentifier, 2);
    });

    it('keeps its own copy of a subscribed entry', () => {
      const router = new Router({ strategy: 'round-robin' });
      const entry = sub('c1', 'a', { qos: 0 });
      router.subscribe(entry);
      entry.qos = 2;
      assert.deepEqual(routeTo(router, 'a'), [target('c1', { qos: 0 })]);
    });

    it('rejects an invalid topic filter and leaves the existing subscription in place', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a', { qos: 1 }));
      const isInvalid = (error: unknown): boolean =>
        error instanceof MqttError && error.reasonCode === ReasonCode.TopicFilterInvalid;
      assert.throws(() => router.subscribe(sub('c1', 'a', { topicFilter: 'a/#/b' })), isInvalid);
      assert.throws(() => router.subscribe({ ...sub('c1', 'x'), group: 'g', topicFilter: 'a#' }), isInvalid);
      assert.equal(router.size, 1);
      assert.deepEqual(routeTo(router, 'a'), [target('c1', { qos: 1 })]);
    });

    it('unsubscribes only on an exact character match of the filter as sent [MQTT-3.10.4-1]', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a/+'));
      router.subscribe(sub('c1', '$share/g/a/+'));
      assert.equal(router.unsubscribe('c1', 'a/b'), false);
      assert.equal(router.unsubscribe('c1', 'a/#'), false);
      assert.equal(router.unsubscribe('c2', 'a/+'), false);
      assert.equal(router.unsubscribe('c1', '$share/h/a/+'), false);
      assert.equal(router.size, 2);
      assert.equal(router.unsubscribe('c1', 'a/+'), true);
      assert.deepEqual(
        router.subscriptionsOf('c1').map((entry) => entry.filter),
        ['$share/g/a/+'],
      );
      assert.equal(router.unsubscribe('c1', '$share/g/a/+'), true);
      assert.equal(router.unsubscribe('c1', '$share/g/a/+'), false);
      assert.equal(router.size, 0);
      assert.deepEqual(routeTo(router, 'a/b'), []);
    });

    it('removes every subscription of a client and reports how many', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a'));
      router.subscribe(sub('c1', 'b/#'));
      router.subscribe(sub('c1', '$share/g/a'));
      router.subscribe(sub('c2', 'a'));
      router.subscribe(sub('c2', '$share/g/a'));
      assert.equal(router.removeClient('c1'), 3);
      assert.equal(router.removeClient('c1'), 0);
      assert.equal(router.size, 2);
      assert.deepEqual(router.subscriptionsOf('c1'), []);
      assert.deepEqual(receivers(router, 'a'), ['c2', 'c2']);
      assert.deepEqual(receivers(router, 'b/c'), []);
      assert.equal(router.removeClient('c2'), 2);
      assert.deepEqual(receivers(router, 'a'), []);
    });

    it('lists a client’s subscriptions in the order they were made', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'x'));
      router.subscribe(sub('c1', '$share/g/y'));
      router.subscribe(sub('c1', 'z', { qos: 1 }));
      router.subscribe(sub('c1', 'x', { qos: 0 }));
      assert.deepEqual(
        router.subscriptionsOf('c1').map((entry) => [entry.filter, entry.qos]),
        [
          ['x', 0],
          ['$share/g/y', 2],
          ['z', 1],
        ],
      );
    });
  });

  describe('ordinary subscriptions', () => {
    it('gives a target that had no identifier its own list when a later match adds one', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a/b', { qos: 0 }));
      router.subscribe(sub('c1', 'a/+', { qos: 0, subscriptionIdentifier: 4 }));
      router.subscribe(sub('c2', 'a/b', { qos: 0 }));
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(routeTo(router, 'a/b'), [
          target('c1', { qos: 0, subscriptionIdentifiers: [4] }),
          target('c2', { qos: 0 }),
        ]);
      }
      // Targets without identifiers share one empty list, which nothing may change.
      const c2 = router.route('a/b', 0, 'p', everyoneOnline).find((t) => t.clientId === 'c2');
      assert.deepEqual(c2?.subscriptionIdentifiers, []);
      assert.equal(Object.isFrozen(c2?.subscriptionIdentifiers), true);
    });

    it('delivers once per client with the highest granted QoS and every subscription identifier', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a/b', { qos: 0, subscriptionIdentifier: 1 }));
      router.subscribe(sub('c1', 'a/+', { qos: 1, subscriptionIdentifier: 2 }));
      router.subscribe(sub('c1', '#', { qos: 0 }));
      router.subscribe(sub('c1', 'a/#', { qos: 0, subscriptionIdentifier: 3 }));
      router.subscribe(sub('c2', 'a/b', { qos: 0 }));
      assert.deepEqual(routeTo(router, 'a/b'), [
        target('c1', { qos: 1, subscriptionIdentifiers: [1, 2, 3] }),
        target('c2', { qos: 0 }),
      ]);
    });

    it('delivers at the lower of the message QoS and the granted QoS [MQTT-3.3.4-2]', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a', { qos: 2 }));
      router.subscribe(sub('c1', '+', { qos: 1 }));
      router.subscribe(sub('c2', 'a', { qos: 2 }));
      router.subscribe(sub('c3', 'a', { qos: 1 }));
      const byClient = (qos: 0 | 1 | 2): Array<[string, number]> =>
        router
          .route('a', qos, 'p', everyoneOnline)
          .map((t): [string, number] => [t.clientId, t.qos])
          .sort();
      assert.deepEqual(byClient(0), [
        ['c1', 0],
        ['c2', 0],
        ['c3', 0],
      ]);
      assert.deepEqual(byClient(1), [
        ['c1', 1],
        ['c2', 1],
        ['c3', 1],
      ]);
      assert.deepEqual(byClient(2), [
        ['c1', 2],
        ['c2', 2],
        ['c3', 1],
      ]);
    });

    it('sets Retain As Published when any matching subscription has it', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a'));
      router.subscribe(sub('c1', '+', { retainAsPublished: true }));
      router.subscribe(sub('c1', '#'));
      router.subscribe(sub('c2', 'a'));
      router.subscribe(sub('c3', 'a', { retainAsPublished: true }));
      assert.deepEqual(
        routeTo(router, 'a').map((t) => [t.clientId, t.retainAsPublished]),
        [
          ['c1', true],
          ['c2', false],
          ['c3', true],
        ],
      );
    });

    it('does not send a No Local subscription its own messages [MQTT-3.8.3-3]', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('me', 'a', { noLocal: true }));
      router.subscribe(sub('other', 'a', { noLocal: true }));
      assert.deepEqual(receivers(router, 'a', 'me'), ['other']);
      assert.deepEqual(receivers(router, 'a', 'other'), ['me']);
      assert.deepEqual(receivers(router, 'a', ''), ['me', 'other']);
    });

    it('skips a lone No Local match from the sender', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('me', 'a', { noLocal: true }));
      assert.deepEqual(receivers(router, 'a', 'me'), []);
      assert.deepEqual(receivers(router, 'a', 'you'), ['me']);
    });

    it('still delivers the sender’s message through an overlapping subscription without No Local', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('me', 'a/+', { noLocal: true, qos: 2, subscriptionIdentifier: 1 }));
      router.subscribe(sub('me', 'a/#', { qos: 1, subscriptionIdentifier: 2 }));
      assert.deepEqual(routeTo(router, 'a/b', 'me'), [
        target('me', { qos: 1, subscriptionIdentifiers: [2] }),
      ]);
      assert.deepEqual(routeTo(router, 'a/b', 'you'), [
        target('me', { qos: 2, subscriptionIdentifiers: [1, 2] }),
      ]);
    });

    it('fans out to many subscribers, one target each', () => {
      const router = new Router({ strategy: 'round-robin' });
      const clients = Array.from({ length: 50 }, (_, i) => `c${String(i).padStart(2, '0')}`);
      for (const client of clients) router.subscribe(sub(client, 'fan/out'));
      assert.deepEqual(receivers(router, 'fan/out'), clients);
      assert.deepEqual(receivers(router, 'fan/in'), []);
    });

    it('does not match $SYS topics with filters that start with a wildcard [MQTT-4.7.2-1]', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('all', '#'));
      router.subscribe(sub('plus', '+/broker/uptime'));
      router.subscribe(sub('sys', '$SYS/#'));
      router.subscribe(sub('shared', '$share/g/#'));
      assert.deepEqual(receivers(router, '$SYS/broker/uptime'), ['sys']);
      assert.deepEqual(receivers(router, 'x/broker/uptime'), ['all', 'plus', 'shared']);
    });
  });

  describe('shared subscriptions', () => {
    it('rotates round-robin through the members, one message each in turn', () => {
      const router = new Router({ strategy: 'round-robin' });
      for (const client of ['m1', 'm2', 'm3']) router.subscribe(sub(client, '$share/g/jobs/+'));
      const picked = Array.from({ length: 9 }, () => receivers(router, 'jobs/x'));
      assert.deepEqual(picked, [['m1'], ['m2'], ['m3'], ['m1'], ['m2'], ['m3'], ['m1'], ['m2'], ['m3']]);
    });

    it('prefers online members and skips offline ones', () => {
      const router = new Router({ strategy: 'round-robin' });
      for (const client of ['m1', 'm2', 'm3']) router.subscribe(sub(client, '$share/g/t'));
      const online = new Set(['m1', 'm3']);
      const isOnline = (clientId: string): boolean => online.has(clientId);
      const picked = Array.from({ length: 4 }, () => receivers(router, 't', 'p', isOnline));
      assert.deepEqual(picked, [['m1'], ['m3'], ['m1'], ['m3']]);
    });

    it('still picks a member, in turn, when none is online so the message queues in its session', () => {
      const router = new Router({ strategy: 'round-robin' });
      for (const client of ['m1', 'm2']) router.subscribe(sub(client, '$share/g/t'));
      const picked = Array.from({ length: 3 }, () => receivers(router, 't', 'p', nobodyOnline));
      assert.deepEqual(picked, [['m1'], ['m2'], ['m1']]);
    });

    it('keeps the rotation going when members leave and join', () => {
      const router = new Router({ strategy: 'round-robin' });
      for (const client of ['m1', 'm2', 'm3']) router.subscribe(sub(client, '$share/g/t'));
      assert.deepEqual(receivers(router, 't'), ['m1']);
      assert.deepEqual(receivers(router, 't'), ['m2']);
      router.unsubscribe('m3', '$share/g/t'); // the member due next, at the end: wrap to the start
      assert.deepEqual(receivers(router, 't'), ['m1']);
      router.unsubscribe('m1', '$share/g/t'); // a member before the cursor: m2 is still due next
      assert.deepEqual(receivers(router, 't'), ['m2']);
      router.subscribe(sub('m4', '$share/g/t'));
      assert.deepEqual(receivers(router, 't'), ['m2']);
      assert.deepEqual(receivers(router, 't'), ['m4']);
    });

    it('replaces a member’s options in place without losing its turn', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('m1', '$share/g/t', { qos: 2 }));
      router.subscribe(sub('m2', '$share/g/t', { qos: 2 }));
      assert.deepEqual(router.subscribe(sub('m1', '$share/g/t', { qos: 0, subscriptionIdentifier: 7 })), {
        existed: true,
      });
      assert.equal(router.size, 2);
      assert.deepEqual(routeTo(router, 't'), [target('m1', { qos: 0, subscriptionIdentifiers: [7] })]);
      assert.deepEqual(routeTo(router, 't'), [target('m2')]);
    });

    it('picks uniformly among online members with the random strategy', () => {
      const router = new Router({ strategy: 'random', random: seededRandom(42) });
      for (const client of ['m1', 'm2', 'm3', 'm4']) router.subscribe(sub(client, '$share/g/t'));
      const online = new Set(['m1', 'm2', 'm3']);
      const counts = new Map<string, number>();
      for (let i = 0; i < 3000; i++) {
        const picked = router.route('t', 1, 'p', (clientId) => online.has(clientId));
        assert.equal(picked.length, 1);
        const clientId = picked[0]?.clientId ?? '';
        counts.set(clientId, (counts.get(clientId) ?? 0) + 1);
      }
      assert.deepEqual([...counts.keys()].sort(), ['m1', 'm2', 'm3']);
      for (const count of counts.values()) assert.ok(count > 900 && count < 1100, `count ${count}`);
    });

    it('picks among all members with the random strategy when none is online', () => {
      const values = [0, 0.5, 0.999, 1];
      const router = new Router({ strategy: 'random', random: () => values.shift() ?? 0 });
      for (const client of ['m1', 'm2', 'm3']) router.subscribe(sub(client, '$share/g/t'));
      const picked = Array.from({ length: 4 }, () => receivers(router, 't', 'p', nobodyOnline));
      assert.deepEqual(picked, [['m1'], ['m2'], ['m3'], ['m3']]);
    });

    it('uses Math.random when no source is given', () => {
      const router = new Router({ strategy: 'random' });
      router.subscribe(sub('m1', '$share/g/t'));
      assert.deepEqual(receivers(router, 't'), ['m1']);
    });

    it('gives a client one copy from its own subscription and one from its group', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', 'a/b', { qos: 1, subscriptionIdentifier: 1 }));
      router.subscribe(sub('c1', '$share/g/a/+', { qos: 2, subscriptionIdentifier: 2 }));
      const targets = router.route('a/b', 2, 'p', everyoneOnline);
      assert.deepEqual(targets, [
        target('c1', { qos: 1, subscriptionIdentifiers: [1] }),
        target('c1', { qos: 2, subscriptionIdentifiers: [2] }),
      ]);
    });

    it('gives one copy per group, even when two groups pick the same client', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('c1', '$share/g1/a', { retainAsPublished: true }));
      router.subscribe(sub('c1', '$share/g2/a'));
      router.subscribe(sub('c1', '$share/g1/+'));
      assert.equal(router.size, 3);
      const targets = router.route('a', 2, 'p', everyoneOnline);
      assert.equal(targets.length, 3);
      assert.ok(targets.every((t) => t.clientId === 'c1'));
      assert.equal(targets.filter((t) => t.retainAsPublished).length, 1);
    });

    it('delivers to a member even when it published the message itself', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('m1', '$share/g/t', { noLocal: true }));
      assert.deepEqual(receivers(router, 't', 'm1'), ['m1']);
    });

    it('drops an emptied group so the filter no longer matches', () => {
      const router = new Router({ strategy: 'round-robin' });
      router.subscribe(sub('m1', '$share/g/t'));
      router.subscribe(sub('m2', '$share/g/t'));
      router.removeClient('m1');
      assert.deepEqual(receivers(router, 't'), ['m2']);
      router.removeClient('m2');
      assert.deepEqual(receivers(router, 't'), []);
      router.subscribe(sub('m3', '$share/g/t'));
      assert.deepEqual(receivers(router, 't'), ['m3']);
    });
  });
});
