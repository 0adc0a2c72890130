import assert from 'node:assert/strict';
import { InboundTopicAliases, OutboundTopicAliases } from '../../src/broker/topic-alias';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { expectMqttError } from '../support/expect';
import { seededRandom } from '../topic/random-topics';

describe('InboundTopicAliases', () => {
  it('returns the topic of a PUBLISH without an alias', () => {
    const aliases = new InboundTopicAliases(0);
    assert.equal(aliases.resolve('a/b', undefined), 'a/b');
  });

  it('maps an alias sent with a topic and resolves an empty topic through it', () => {
    const aliases = new InboundTopicAliases(10);
    assert.equal(aliases.resolve('sensors/kitchen/temp', 3), 'sensors/kitchen/temp');
    assert.equal(aliases.resolve('', 3), 'sensors/kitchen/temp');
    assert.equal(aliases.resolve('', 3), 'sensors/kitchen/temp');
  });

  it('remaps an alias sent again with another topic', () => {
    const aliases = new InboundTopicAliases(10);
    aliases.resolve('first', 1);
    assert.equal(aliases.resolve('second', 1), 'second');
    assert.equal(aliases.resolve('', 1), 'second');
  });

  it('keeps aliases apart', () => {
    const aliases = new InboundTopicAliases(2);
    aliases.resolve('one', 1);
    aliases.resolve('two', 2);
    assert.equal(aliases.resolve('', 1), 'one');
    assert.equal(aliases.resolve('', 2), 'two');
  });

  it('accepts every alias from 1 to the maximum', () => {
    const aliases = new InboundTopicAliases(65535);
    for (const alias of [1, 2, 1000, 65534, 65535]) {
      assert.equal(aliases.resolve(`t/${alias}`, alias), `t/${alias}`);
      assert.equal(aliases.resolve('', alias), `t/${alias}`);
    }
  });

  it('refuses alias 0 with 0x94 Topic Alias invalid', () => {
    const aliases = new InboundTopicAliases(10);
    expectMqttError(() => aliases.resolve('a', 0), ReasonCode.TopicAliasInvalid);
    expectMqttError(() => aliases.resolve('', 0), 0x94);
  });

  it('refuses an alias above the maximum with 0x94', () => {
    const aliases = new InboundTopicAliases(10);
    expectMqttError(() => aliases.resolve('a', 11), 0x94);
    expectMqttError(() => aliases.resolve('', 65535), 0x94);
  });

  it('refuses every alias when the maximum is 0', () => {
    const aliases = new InboundTopicAliases(0);
    expectMqttError(() => aliases.resolve('a', 1), 0x94);
  });

  it('refuses an empty topic whose alias has no mapping with 0x82 Protocol Error', () => {
    const aliases = new InboundTopicAliases(10);
    aliases.resolve('mapped', 1);
    const error = expectMqttError(() => aliases.resolve('', 2), ReasonCode.ProtocolError);
    assert.match(error.message, /Topic Alias 2/);
  });

  it('does not carry mappings from one connection to another', () => {
    const first = new InboundTopicAliases(10);
    first.resolve('a', 1);
    expectMqttError(() => new InboundTopicAliases(10).resolve('', 1), 0x82);
  });

  it('does not record a mapping for a refused alias', () => {
    const aliases = new InboundTopicAliases(1);
    expectMqttError(() => aliases.resolve('a', 2), 0x94);
    expectMqttError(() => aliases.resolve('', 1), 0x82);
  });
});

describe('OutboundTopicAliases', () => {
  it('assigns nothing when the client accepts no aliases', () => {
    const aliases = new OutboundTopicAliases(0);
    assert.equal(aliases.assign('a'), undefined);
    assert.equal(aliases.assign('a'), undefined);
  });

  it('assigns nothing for an empty topic', () => {
    assert.equal(new OutboundTopicAliases(5).assign(''), undefined);
  });

  it('assigns a new alias first, then reports it known', () => {
    const aliases = new OutboundTopicAliases(5);
    assert.deepEqual(aliases.assign('a/b'), { alias: 1, known: false });
    assert.deepEqual(aliases.assign('a/b'), { alias: 1, known: true });
    assert.deepEqual(aliases.assign('c'), { alias: 2, known: false });
    assert.deepEqual(aliases.assign('a/b'), { alias: 1, known: true });
  });

  it('numbers aliases from 1 up to the maximum and never beyond', () => {
    const aliases = new OutboundTopicAliases(3);
    const seen = ['t1', 't2', 't3', 't4', 't5', 't6'].map((topic) => aliases.assign(topic)?.alias);
    assert.deepEqual(seen, [1, 2, 3, 1, 2, 3]);
  });

  it('evicts the least recently used topic when full and re-uses its alias', () => {
    const aliases = new OutboundTopicAliases(2);
    assert.deepEqual(aliases.assign('a'), { alias: 1, known: false });
    assert.deepEqual(aliases.assign('b'), { alias: 2, known: false });
    assert.deepEqual(aliases.assign('a'), { alias: 1, known: true }); // a is now the most recent
    assert.deepEqual(aliases.assign('c'), { alias: 2, known: false }); // evicts b
    assert.deepEqual(aliases.assign('a'), { alias: 1, known: true });
    assert.deepEqual(aliases.assign('b'), { alias: 2, known: false }); // evicts c
    assert.deepEqual(aliases.assign('c'), { alias: 1, known: false }); // evicts a
    assert.deepEqual(aliases.assign('b'), { alias: 2, known: true });
  });

  it('handles a maximum of one alias', () => {
    const aliases = new OutboundTopicAliases(1);
    assert.deepEqual(aliases.assign('a'), { alias: 1, known: false });
    assert.deepEqual(aliases.assign('b'), { alias: 1, known: false });
    assert.deepEqual(aliases.assign('b'), { alias: 1, known: true });
    assert.deepEqual(aliases.assign('a'), { alias: 1, known: false });
  });

  it('agrees with a reference least-recently-used model over random use', () => {
    const random = seededRandom(0x7a11a5);
    for (const maximum of [1, 2, 3, 7]) {
      const aliases = new OutboundTopicAliases(maximum);
      const model: Array<{ topic: string; alias: number }> = []; // least recent first
      for (let step = 0; step < 2000; step++) {
        const topic = `t/${Math.floor(random() * (maximum * 2 + 1))}`;
        const at = model.findIndex((entry) => entry.topic === topic);
        let expected: { alias: number; known: boolean };
        if (at >= 0) {
          const [entry] = model.splice(at, 1);
          assert.ok(entry);
          model.push(entry);
          expected = { alias: entry.alias, known: true };
        } else if (model.length < maximum) {
          model.push({ topic, alias: model.length + 1 });
          expected = { alias: model.length, known: false };
        } else {
          const evicted = model.shift();
          assert.ok(evicted);
          model.push({ topic, alias: evicted.alias });
          expected = { alias: evicted.alias, known: false };
        }
        assert.deepEqual(aliases.assign(topic), expected, `maximum ${maximum}, step ${step}, ${topic}`);
      }
    }
  });

  it('stays within the maximum and fast at 65535 aliases', () => {
    const aliases = new OutboundTopicAliases(65535);
    const started = Date.now();
    let highest = 0;
    for (let i = 0; i < 200_000; i++) {
      const assigned = aliases.assign(`topic/${i % 70_000}`);
      assert.ok(assigned);
      if (assigned.alias > highest) highest = assigned.alias;
    }
    assert.equal(highest, 65535);
    assert.ok(Date.now() - started < 5000, 'O(1) per call');
  });
});
