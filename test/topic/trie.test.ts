import assert from 'node:assert/strict';
import { MqttError } from '../../src/protocol/errors';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { topicMatches } from '../../src/topic/match';
import { SubscriptionTrie } from '../../src/topic/trie';
import { randomFilter, randomTopic, referenceMatches, seededRandom } from './random-topics';

/** A trie holding each filter with itself as the value, so a match lists the matching filters. */
function trieOf(filters: readonly string[]): SubscriptionTrie<string> {
  const trie = new SubscriptionTrie<string>();
  for (const filter of filters) trie.add(filter, filter);
  return trie;
}

function matched(trie: SubscriptionTrie<string>, topic: string): string[] {
  return trie.match(topic).sort();
}

function entries<T>(trie: SubscriptionTrie<T>): Array<[string, T]> {
  const out: Array<[string, T]> = [];
  trie.forEach((value, filter) => {
    out.push([filter, value]);
  });
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('SubscriptionTrie', () => {
  it('starts empty and matches nothing', () => {
    const trie = new SubscriptionTrie<number>();
    assert.equal(trie.size, 0);
    assert.deepEqual(trie.match('a/b'), []);
    assert.equal(trie.countNodes(), 1);
  });

  it('adds a (filter, value) pair once and reports duplicates', () => {
    const trie = new SubscriptionTrie<string>();
    assert.equal(trie.add('a/b', 'x'), true);
    assert.equal(trie.add('a/b', 'x'), false);
    assert.equal(trie.add('a/b', 'y'), true);
    assert.equal(trie.add('a/+', 'x'), true);
    assert.equal(trie.size, 3);
    assert.equal(trie.has('a/b', 'x'), true);
    assert.equal(trie.has('a/b', 'z'), false);
    assert.equal(trie.has('a', 'x'), false);
    assert.equal(trie.has('a/b/c', 'x'), false);
  });

  it('keeps values by identity', () => {
    const trie = new SubscriptionTrie<{ id: number }>();
    const first = { id: 1 };
    assert.equal(trie.add('t', first), true);
    assert.equal(trie.add('t', { id: 1 }), true);
    assert.equal(trie.add('t', first), false);
    assert.equal(trie.match('t').length, 2);
  });

  it('rejects invalid filters with TopicFilterInvalid', () => {
    const trie = new SubscriptionTrie<number>();
    for (const filter of ['', 'a/#/b', 'a+', 'a#']) {
      assert.throws(
        () => trie.add(filter, 1),
        (error: unknown) => error instanceof MqttError && error.reasonCode === ReasonCode.TopicFilterInvalid,
      );
    }
    assert.equal(trie.size, 0);
  });

  it('matches exact filters, + and # like topicMatches', () => {
    const trie = trieOf(['sport/tennis/player1', 'sport/tennis/+', 'sport/#', '#', '+/tennis/#', 'golf']);
    assert.deepEqual(matched(trie, 'sport/tennis/player1'), [
      '#',
      '+/tennis/#',
      'sport/#',
      'sport/tennis/+',
      'sport/tennis/player1',
    ]);
    assert.deepEqual(matched(trie, 'sport/tennis/player1/ranking'), ['#', '+/tennis/#', 'sport/#']);
    assert.deepEqual(matched(trie, 'golf'), ['#', 'golf']);
    assert.deepEqual(matched(trie, 'golfing'), ['#']);
  });

  it('lets # match its parent level', () => {
    const trie = trieOf(['a/#', 'a/b/#', 'a/+/#']);
    assert.deepEqual(matched(trie, 'a'), ['a/#']);
    assert.deepEqual(matched(trie, 'a/b'), ['a/#', 'a/+/#', 'a/b/#']);
    assert.deepEqual(matched(trie, 'a/'), ['a/#', 'a/+/#']);
  });

  it('lets + match empty levels', () => {
    const trie = trieOf(['+/+', '/+', '+', 'a/+/b', '+/#']);
    assert.deepEqual(matched(trie, '/finance'), ['+/#', '+/+', '/+']);
    assert.deepEqual(matched(trie, '/'), ['+/#', '+/+', '/+']);
    assert.deepEqual(matched(trie, 'a//b'), ['+/#', 'a/+/b']);
    assert.deepEqual(matched(trie, 'finance'), ['+', '+/#']);
  });

  it('treats empty levels and leading or trailing slashes as significant', () => {
    const trie = trieOf(['a//b', 'a/b', '/a/b', 'a/b/', '/', 'a/']);
    assert.deepEqual(matched(trie, 'a//b'), ['a//b']);
    assert.deepEqual(matched(trie, 'a/b'), ['a/b']);
    assert.deepEqual(matched(trie, '/a/b'), ['/a/b']);
    assert.deepEqual(matched(trie, 'a/b/'), ['a/b/']);
    assert.deepEqual(matched(trie, '/'), ['/']);
    assert.deepEqual(matched(trie, 'a/'), ['a/']);
    assert.deepEqual(matched(trie, 'a'), []);
  });

  it('does not match filters starting with a wildcard against $ topics', () => {
    const trie = trieOf(['#', '+/monitor/Clients', '+/#', '$SYS/#', '$SYS/monitor/+', '$SYS/+/Clients']);
    assert.deepEqual(matched(trie, '$SYS/monitor/Clients'), ['$SYS/#', '$SYS/+/Clients', '$SYS/monitor/+']);
    assert.deepEqual(matched(trie, '$SYS'), ['$SYS/#']);
    assert.deepEqual(matched(trie, 'SYS/monitor/Clients'), ['#', '+/#', '+/monitor/Clients']);
    assert.deepEqual(matched(trie, '$other'), []);
  });

  it('returns a value once for each matching filter it is subscribed with', () => {
    const trie = new SubscriptionTrie<string>();
    trie.add('a/+', 'client1');
    trie.add('a/#', 'client1');
    trie.add('a/b', 'client2');
    assert.deepEqual(trie.match('a/b').sort(), ['client1', 'client1', 'client2']);
    assert.deepEqual(trie.match('a/c'), ['client1', 'client1']);
  });

  it('removes pairs and reports whether they were present', () => {
    const trie = new SubscriptionTrie<string>();
    trie.add('a/b', 'x');
    trie.add('a/b', 'y');
    assert.equal(trie.remove('a/b', 'z'), false);
    assert.equal(trie.remove('a/c', 'x'), false);
    assert.equal(trie.remove('a', 'x'), false); // an inner level holding no values
    assert.equal(trie.remove('a/b/c', 'x'), false);
    assert.equal(trie.remove('a/b', 'x'), true);
    assert.equal(trie.remove('a/b', 'x'), false);
    assert.deepEqual(trie.match('a/b'), ['y']);
    assert.equal(trie.size, 1);
  });

  it('prunes levels left empty by a removal', () => {
    const trie = new SubscriptionTrie<number>();
    const filters = ['a/b/c/d', 'a/+/#', '+/+', '#', 'x//y', '$SYS/#'];
    for (const filter of filters) trie.add(filter, 1);
    for (const filter of filters) assert.equal(trie.remove(filter, 1), true, filter);
    assert.equal(trie.size, 0);
    assert.equal(trie.countNodes(), 1);
    assert.deepEqual(trie.match('a/b/c/d'), []);
  });

  it('keeps the levels that other filters still use', () => {
    const trie = new SubscriptionTrie<number>();
    trie.add('a/b', 1);
    trie.add('a/b/c/d', 1);
    trie.add('a/+', 2);
    const before = trie.countNodes(); // root, a, b, c, d, +
    assert.equal(before, 6);
    trie.remove('a/b/c/d', 1);
    assert.equal(trie.countNodes(), 4);
    assert.deepEqual(trie.match('a/b').sort(), [1, 2]);
    trie.remove('a/b', 1);
    assert.equal(trie.countNodes(), 3);
    assert.deepEqual(trie.match('a/b'), [2]);
  });

  it('keeps a level that still holds values when a deeper filter goes', () => {
    const trie = new SubscriptionTrie<number>();
    trie.add('a', 1);
    trie.add('a/b', 1);
    trie.remove('a/b', 1);
    assert.equal(trie.countNodes(), 2);
    assert.deepEqual(trie.match('a'), [1]);
  });

  it('visits every pair with forEach', () => {
    const trie = new SubscriptionTrie<number>();
    trie.add('#', 1);
    trie.add('a/+', 2);
    trie.add('a/+', 3);
    trie.add('a//b', 4);
    trie.add('$SYS/#', 5);
    assert.deepEqual(entries(trie), [
      ['#', 1],
      ['$SYS/#', 5],
      ['a/+', 2],
      ['a/+', 3],
      ['a//b', 4],
    ]);
  });

  it('clear removes everything', () => {
    const trie = trieOf(['#', '+', 'a/b']);
    trie.clear();
    assert.equal(trie.size, 0);
    assert.equal(trie.countNodes(), 1);
    assert.deepEqual(trie.match('a/b'), []);
    assert.deepEqual(entries(trie), []);
    assert.equal(trie.add('a/b', 'a/b'), true);
  });

  it('agrees with topicMatches and a reference matcher on random filters and topics', () => {
    const random = seededRandom(20240601);
    for (let round = 0; round < 20; round++) {
      const trie = new SubscriptionTrie<number>();
      const filters: string[] = [];
      for (let i = 0; i < 60; i++) {
        const filter = randomFilter(random);
        filters.push(filter);
        trie.add(filter, i);
      }
      // Remove a few so pruning is exercised too.
      for (let i = 0; i < filters.length; i += 7) trie.remove(filters[i] ?? '', i);
      for (let t = 0; t < 200; t++) {
        const topic = randomTopic(random);
        const expected: number[] = [];
        filters.forEach((filter, i) => {
          if (i % 7 === 0) return;
          const matches = topicMatches(filter, topic);
          assert.equal(matches, referenceMatches(filter, topic), `${filter} vs ${topic}`);
          if (matches) expected.push(i);
        });
        const actual = trie.match(topic).sort((a, b) => a - b);
        assert.deepEqual(actual, expected, `topic ${JSON.stringify(topic)}`);
      }
    }
  });

  it('matches one topic against 100,000 subscriptions', () => {
    const trie = new SubscriptionTrie<number>();
    for (let i = 0; i < 25000; i++) {
      trie.add(`devices/${i}/telemetry`, i);
      trie.add(`devices/${i}/+`, i);
      trie.add(`devices/+/status/${i}`, i);
      trie.add(`site/${i % 100}/#`, i);
    }
    assert.equal(trie.size, 100000);
    assert.deepEqual(trie.match('devices/42/telemetry'), [42, 42]);
    assert.equal(trie.match('devices/7/status/7').length, 1);
    assert.equal(trie.match('site/5/x/y').length, 250);
    assert.deepEqual(trie.match('$SYS/x'), []);
  });

  it('matches a topic of 32767 empty levels without recursion', () => {
    const deep = `${'+/'.repeat(32766)}+`; // 65533 bytes
    const trie = trieOf(['#', '+/#', '/', deep]);
    assert.deepEqual(matched(trie, '/'.repeat(32766)), ['#', deep, '+/#'].sort());
  });
});
