import assert from 'node:assert/strict';
import { connected, Harness, payloads } from './harness';

describe('broker engine: retained messages', () => {
  it('stores a retained message and sends it to a new subscriber with RETAIN set [MQTT-3.3.1-9]', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'r', { qos: 1, retain: true });
    assert.equal(h.broker.counters.retainedMessages, 1);
    const s = connected(h, 's');
    s.subscribe('t', { qos: 2 });
    const got = s.takePublishes();
    assert.deepEqual(
      got.map((p) => [p.topic, p.payload.toString(), p.qos, p.retain]),
      [['t', 'r', 1, true]],
    );
  });

  it('sends a retained message at no more than the granted QoS', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'r', { qos: 2, retain: true });
    const s = connected(h, 's');
    s.subscribe('t', { qos: 0 });
    assert.equal(s.takePublishes()[0]?.qos, 0);
  });

  it('sends the SUBACK before the retained messages', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'r', { retain: true });
    const s = connected(h, 's');
    s.send({
      type: 'subscribe',
      packetId: 4,
      subscriptions: [
        { topicFilter: 't', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    assert.deepEqual(
      s.take().map((p) => p.type),
      ['suback', 'publish'],
    );
  });

  it('replaces the retained message of a topic [MQTT-3.3.1-5]', () => {
    const h = new Harness();
    const p = connected(h, 'p');
    p.publish('t', 'old', { retain: true });
    p.publish('t', 'new', { retain: true });
    const s = connected(h, 's');
    s.subscribe('t');
    assert.deepEqual(payloads(s.takePublishes()), ['new']);
  });

  it('clears the retained message with an empty payload, which is still delivered live [MQTT-3.3.1-6/7]', () => {
    const h = new Harness();
    const live = connected(h, 'live');
    live.subscribe('t');
    const p = connected(h, 'p');
    p.publish('t', 'r', { retain: true });
    p.publish('t', '', { retain: true });
    assert.deepEqual(payloads(live.takePublishes()), ['r', '']);
    assert.equal(h.broker.counters.retainedMessages, 0);
    const s = connected(h, 's');
    s.subscribe('t');
    assert.deepEqual(s.take(), []);
  });

  it('does not retain a message published without RETAIN', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'x');
    const s = connected(h, 's');
    s.subscribe('t');
    assert.deepEqual(s.take(), []);
  });

  it('sends every retained message a wildcard filter matches, with the subscription id', () => {
    const h = new Harness();
    const p = connected(h, 'p');
    p.publish('a/1', 'one', { retain: true });
    p.publish('a/2', 'two', { retain: true });
    p.publish('b/1', 'other', { retain: true });
    const s = connected(h, 's');
    s.subscribe('a/+', { subscriptionIdentifier: 5 });
    const got = s.takePublishes();
    assert.deepEqual(payloads(got).sort(), ['one', 'two']);
    assert.ok(got.every((m) => m.retain && m.properties?.subscriptionIdentifiers?.[0] === 5));
  });

  it('keeps the retained message\u2019s properties', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'r', {
      retain: true,
      properties: { contentType: 'text/plain', userProperties: [['k', 'v']] },
    });
    const s = connected(h, 's');
    s.subscribe('t');
    assert.deepEqual(s.takePublishes()[0]?.properties, {
      contentType: 'text/plain',
      userProperties: [['k', 'v']],
    });
  });

  it('stops sending a retained message once its expiry interval has passed [MQTT-3.3.2-5]', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'r', { retain: true, properties: { messageExpiryInterval: 10 } });
    h.advance(4_000);
    const early = connected(h, 'early');
    early.subscribe('t');
    assert.equal(early.takePublishes()[0]?.properties?.messageExpiryInterval, 6);
    h.advance(6_000);
    assert.equal(h.broker.counters.retainedMessages, 0);
    const late = connected(h, 'late');
    late.subscribe('t');
    assert.deepEqual(late.take(), []);
  });

  it('keeps the retained message count right when a subscribe finds a message expired', () => {
    const h = new Harness();
    connected(h, 'p').publish('t', 'r', { retain: true, properties: { messageExpiryInterval: 1 } });
    h.clock.advance(1_000); // no tick: the SUBSCRIBE is first to see the expiry
    const s = connected(h, 's');
    s.subscribe('t');
    assert.deepEqual(s.take(), []);
    h.tick();
    assert.equal(h.broker.counters.retainedMessages, 0);
  });

  it('sends the retained messages of a resumed subscription only when it subscribes again', () => {
    const h = new Harness();
    const s = connected(h, 's', { cleanStart: false, properties: { sessionExpiryInterval: 60 } });
    s.subscribe('t');
    s.drop();
    connected(h, 'p').publish('t', 'r', { retain: true }); // QoS 0 to an absent client: not kept
    const again = h.client();
    again.connect({ clientId: 's', cleanStart: false, properties: { sessionExpiryInterval: 60 } });
    assert.deepEqual(again.take(), []);
  });
});
