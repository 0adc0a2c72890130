import assert from 'node:assert/strict';
import { RetainedStore } from '../../src/broker/retained';
import type { Message } from '../../src/broker/types';
import { topicMatches } from '../../src/topic/match';
import { randomFilter, randomTopic, seededRandom } from '../topic/random-topics';

function retained(topic: string, payload = 'x', expiresAt?: number): Message {
  return {
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    retain: true,
    senderId: 'publisher',
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function topicsOf(messages: readonly Message[]): string[] {
  return messages.map((message) => message.topic).sort();
}

function storeOf(topics: readonly string[]): RetainedStore {
  const store = new RetainedStore();
  for (const topic of topics) store.set(retained(topic));
  return store;
}

describe('RetainedStore', () => {
  it('starts empty', () => {
    const store = new RetainedStore();
    assert.equal(store.size, 0);
    assert.equal(store.get('a'), undefined);
    assert.deepEqual(store.match('#', 0), []);
    assert.deepEqual(store.match('a', 0), []);
    assert.deepEqual([...store.entries()], []);
  });

  it('keeps one message per topic, the latest', () => {
    const store = new RetainedStore();
    store.set(retained('a/b', 'one'));
    store.set(retained('a/b', 'two'));
    assert.equal(store.size, 1);
    assert.equal(store.get('a/b')?.payload.toString(), 'two');
    assert.deepEqual(
      store.match('a/b', 0).map((m) => m.payload.toString()),
      ['two'],
    );
  });

  it('removes the topic’s message on a zero-length payload and does not store it [MQTT-3.3.1-6] [MQTT-3.3.1-7]', () => {
    const store = storeOf(['a/b', 'a/c']);
    store.set(retained('a/b', ''));
    assert.equal(store.size, 1);
    assert.equal(store.get('a/b'), undefined);
    assert.deepEqual(topicsOf(store.match('a/#', 0)), ['a/c']);
    store.set(retained('never/set', ''));
    assert.equal(store.size, 1);
    assert.deepEqual(topicsOf(store.match('#', 0)), ['a/c']);
  });

  it('deletes by topic and prunes emptied levels without touching their neighbours', () => {
    const store = storeOf(['a', 'a/b/c', 'a/b/d']);
    assert.equal(store.delete('a/b'), false);
    assert.equal(store.delete('a/b/c'), true);
    assert.equal(store.delete('a/b/c'), false);
    assert.deepEqual(topicsOf(store.match('a/#', 0)), ['a', 'a/b/d']);
    assert.equal(store.delete('a'), true);
    assert.deepEqual(topicsOf(store.match('#', 0)), ['a/b/d']);
    assert.equal(store.delete('a/b/d'), true);
    assert.equal(store.size, 0);
    assert.deepEqual(store.match('#', 0), []);
    store.set(retained('a/b/d'));
    assert.deepEqual(topicsOf(store.match('+/+/+', 0)), ['a/b/d']);
  });

  it('matches an exact filter by lookup', () => {
    const store = storeOf(['a/b', 'a/b/c', '$SYS/x', '/']);
    assert.deepEqual(topicsOf(store.match('a/b', 0)), ['a/b']);
    assert.deepEqual(topicsOf(store.match('a', 0)), []);
    assert.deepEqual(topicsOf(store.match('$SYS/x', 0)), ['$SYS/x']);
    assert.deepEqual(topicsOf(store.match('/', 0)), ['/']);
  });

  it('matches + against exactly one level, empty levels included', () => {
    const store = storeOf(['a', 'a/b', 'a/c', 'a/', 'a/b/c', 'b/b', '/b']);
    assert.deepEqual(topicsOf(store.match('a/+', 0)), ['a/', 'a/b', 'a/c']);
    assert.deepEqual(topicsOf(store.match('+/b', 0)), ['/b', 'a/b', 'b/b']);
    assert.deepEqual(topicsOf(store.match('+', 0)), ['a']);
    assert.deepEqual(topicsOf(store.match('a/+/c', 0)), ['a/b/c']);
    assert.deepEqual(topicsOf(store.match('+/x', 0)), []);
  });

  it('matches # against the parent level and everything below it (a/# matches a)', () => {
    const store = storeOf(['a', 'a/b', 'a/b/c', 'ab', 'b/a']);
    assert.deepEqual(topicsOf(store.match('a/#', 0)), ['a', 'a/b', 'a/b/c']);
    assert.deepEqual(topicsOf(store.match('a/b/#', 0)), ['a/b', 'a/b/c']);
    assert.deepEqual(topicsOf(store.match('#', 0)), ['a', 'a/b', 'a/b/c', 'ab', 'b/a']);
    assert.deepEqual(topicsOf(store.match('+/#', 0)), ['a', 'a/b', 'a/b/c', 'ab', 'b/a']);
    assert.deepEqual(topicsOf(store.match('+/a/#', 0)), ['b/a']);
    assert.deepEqual(topicsOf(store.match('x/#', 0)), []);
  });

  it('does not match $ topics with filters that start with a wildcard [MQTT-4.7.2-1]', () => {
    const store = storeOf(['$SYS/broker/uptime', '$', 'a/$x']);
    assert.deepEqual(topicsOf(store.match('#', 0)), ['a/$x']);
    assert.deepEqual(topicsOf(store.match('+/broker/uptime', 0)), []);
    assert.deepEqual(topicsOf(store.match('+', 0)), []);
    assert.deepEqual(topicsOf(store.match('$SYS/#', 0)), ['$SYS/broker/uptime']);
    assert.deepEqual(topicsOf(store.match('$SYS/+/uptime', 0)), ['$SYS/broker/uptime']);
    assert.deepEqual(topicsOf(store.match('a/+', 0)), ['a/$x']);
  });

  it('leaves out and removes expired messages when matching [MQTT-3.3.2-5]', () => {
    const store = new RetainedStore();
    store.set(retained('a/old', 'x', 100));
    store.set(retained('a/new', 'x', 200));
    store.set(retained('a/forever'));
    store.set(retained('exact', 'x', 100));
    assert.deepEqual(topicsOf(store.match('a/+', 99)), ['a/forever', 'a/new', 'a/old']);
    assert.deepEqual(topicsOf(store.match('a/+', 100)), ['a/forever', 'a/new']);
    assert.equal(store.get('a/old'), undefined);
    assert.deepEqual(topicsOf(store.match('exact', 100)), []);
    assert.equal(store.get('exact'), undefined);
    assert.deepEqual(topicsOf(store.match('a/#', 250)), ['a/forever']);
    assert.equal(store.size, 1);
  });

  it('sweeps expired messages and reports how many it removed', () => {
    const store = new RetainedStore();
    assert.equal(store.sweep(1000), 0);
    store.set(retained('a', 'x', 100));
    store.set(retained('b', 'x', 200));
    store.set(retained('c'));
    assert.equal(store.sweep(99), 0);
    assert.equal(store.sweep(100), 1);
    assert.equal(store.sweep(100), 0);
    assert.deepEqual(topicsOf([...store.entries()]), ['b', 'c']);
    store.set(retained('b')); // replaced by a message without expiry
    assert.equal(store.sweep(1000), 0);
    store.set(retained('c', 'x', 300));
    store.set(retained('c', '')); // cleared before it expired
    assert.equal(store.sweep(1000), 0);
    assert.deepEqual(topicsOf([...store.entries()]), ['b']);
  });

  it('lists every retained message for persistence', () => {
    const store = storeOf(['a', 'a/b', '$SYS/x']);
    assert.deepEqual(topicsOf([...store.entries()]), ['$SYS/x', 'a', 'a/b']);
  });

  it('matches exactly the topics a naive topicMatches scan finds (seeded, randomized)', () => {
    const random = seededRandom(0x5eed);
    for (let round = 0; round < 50; round++) {
      const store = new RetainedStore();
      const topics = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const topic = randomTopic(random);
        if (random() < 0.2 && topics.has(topic)) {
          store.set(retained(topic, ''));
          topics.delete(topic);
        } else {
          store.set(retained(topic));
          topics.add(topic);
        }
      }
      assert.equal(store.size, topics.size);
      for (let i = 0; i < 40; i++) {
        const filter = randomFilter(random);
        const expected = [...topics].filter((topic) => topicMatches(filter, topic)).sort();
        assert.deepEqual(topicsOf(store.match(filter, 0)), expected, `filter ${JSON.stringify(filter)}`);
      }
    }
  });

  it('holds 100,000 messages and matches exact, + and # filters over them', () => {
    const store = new RetainedStore();
    for (let i = 0; i < 100_000; i++) store.set(retained(`site/${i % 100}/sensor/${i}`));
    assert.equal(store.size, 100_000);
    let found = 0;
    for (let i = 0; i < 100; i++) {
      found += store.match(`site/${i % 100}/sensor/+`, 0).length;
      found += store.match(`site/${i % 100}/sensor/${i}`, 0).length;
    }
    assert.equal(found, 100 * 1000 + 100);
    assert.equal(store.match('site/+/sensor/99999', 0).length, 1);
    assert.equal(store.match('#', 0).length, 100_000);
  });
});
