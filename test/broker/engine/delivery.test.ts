import assert from 'node:assert/strict';
import { encodePacket } from '../../../src/protocol/encode';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, payloads, type TestClient } from './harness';

/** A subscriber on `filter` at `qos`, with a session that survives for `expiry` seconds. */
function subscriber(h: Harness, id: string, filter: string, qos: 0 | 1 | 2, expiry = 0): TestClient {
  const c = connected(h, id, { cleanStart: false, properties: { sessionExpiryInterval: expiry } });
  assert.deepEqual(c.subscribe(filter, { qos }).reasonCodes, [qos]);
  return c;
}

function reconnect(h: Harness, id: string, expiry = 100): TestClient {
  const c = h.client();
  const connack = c.connect({
    clientId: id,
    cleanStart: false,
    properties: { sessionExpiryInterval: expiry },
  });
  assert.equal(connack.sessionPresent, true);
  return c;
}

function only<T>(items: readonly T[]): T {
  assert.equal(items.length, 1, `expected one item, got ${items.length}`);
  const [item] = items;
  assert.ok(item !== undefined);
  return item;
}

describe('broker engine: delivery', () => {
  describe('QoS flows', () => {
    it('delivers QoS 0 both ways with no acknowledgement', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 0);
      const pub = connected(h, 'p');
      pub.publish('t', 'hello');
      assert.deepEqual(pub.take(), []);
      const got = only(sub.takePublishes());
      assert.deepEqual(got, {
        type: 'publish',
        topic: 't',
        payload: Buffer.from('hello'),
        qos: 0,
        retain: false,
        dup: false,
      });
      assert.equal(h.broker.counters.publishReceived, 1);
      assert.equal(h.broker.counters.publishSent, 1);
    });

    it('acknowledges QoS 1 with PUBACK and completes the outgoing flow on the subscriber\u2019s PUBACK', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 1, 100);
      const pub = connected(h, 'p');
      assert.equal(pub.publishQos1('t', 'one'), ReasonCode.Success);
      const got = only(sub.takePublishes());
      assert.equal(got.qos, 1);
      assert.equal(got.dup, false);
      assert.ok(got.packetId !== undefined);
      sub.send({ type: 'puback', packetId: got.packetId, reasonCode: 0 });
      assert.deepEqual(sub.take(), []);
      // Nothing left to resend after a reconnect.
      sub.drop();
      assert.deepEqual(reconnect(h, 's').take(), []);
    });

    it('runs the QoS 2 flow from a publisher: PUBREC, then PUBCOMP for PUBREL [MQTT-4.3.3-11]', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2);
      const pub = connected(h, 'p');
      pub.publish('t', 'two', { qos: 2, packetId: 7 });
      assert.deepEqual(pub.take(), [{ type: 'pubrec', packetId: 7, reasonCode: 0 }]);
      assert.equal(only(sub.takePublishes()).qos, 2);
      pub.send({ type: 'pubrel', packetId: 7, reasonCode: 0 });
      assert.deepEqual(pub.take(), [{ type: 'pubcomp', packetId: 7, reasonCode: 0 }]);
    });

    it('runs the QoS 2 flow to a subscriber: PUBLISH, PUBREC, PUBREL, PUBCOMP', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2, 100);
      connected(h, 'p').publish('t', 'two', { qos: 2 });
      const got = only(sub.takePublishes());
      assert.ok(got.packetId !== undefined);
      sub.send({ type: 'pubrec', packetId: got.packetId, reasonCode: 0 });
      assert.deepEqual(sub.take(), [{ type: 'pubrel', packetId: got.packetId, reasonCode: 0 }]);
      sub.send({ type: 'pubcomp', packetId: got.packetId, reasonCode: 0 });
      assert.deepEqual(sub.take(), []);
      sub.drop();
      assert.deepEqual(reconnect(h, 's').take(), []);
    });

    it('does not deliver a QoS 2 PUBLISH twice when it is repeated before PUBREL [MQTT-4.3.3-10]', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2);
      const pub = connected(h, 'p');
      pub.publish('t', 'once', { qos: 2, packetId: 3 });
      pub.publish('t', 'once', { qos: 2, packetId: 3, dup: true });
      assert.deepEqual(pub.take(), [
        { type: 'pubrec', packetId: 3, reasonCode: 0 },
        { type: 'pubrec', packetId: 3, reasonCode: 0 },
      ]);
      assert.equal(sub.takePublishes().length, 1);
      // After PUBREL the id is free: the same id is a new message.
      pub.send({ type: 'pubrel', packetId: 3, reasonCode: 0 });
      pub.take();
      pub.publish('t', 'again', { qos: 2, packetId: 3 });
      assert.deepEqual(payloads(sub.takePublishes()), ['again']);
    });

    it('answers PUBREL for an unknown packet id with PUBCOMP 0x92', () => {
      const h = new Harness();
      const c = connected(h, 'a');
      c.send({ type: 'pubrel', packetId: 99, reasonCode: 0 });
      assert.deepEqual(c.take(), [
        { type: 'pubcomp', packetId: 99, reasonCode: ReasonCode.PacketIdentifierNotFound },
      ]);
    });

    it('answers PUBREC for an unknown packet id with PUBREL 0x92', () => {
      const h = new Harness();
      const c = connected(h, 'a');
      c.send({ type: 'pubrec', packetId: 99, reasonCode: 0 });
      assert.deepEqual(c.take(), [
        { type: 'pubrel', packetId: 99, reasonCode: ReasonCode.PacketIdentifierNotFound },
      ]);
    });

    it('ignores PUBACK and PUBCOMP for packet ids it does not know, or in the wrong state', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2, 100);
      connected(h, 'p').publish('t', 'x', { qos: 2 });
      const got = only(sub.takePublishes());
      assert.ok(got.packetId !== undefined);
      sub.send({ type: 'puback', packetId: got.packetId, reasonCode: 0 }); // QoS 2 wants PUBREC
      sub.send({ type: 'pubcomp', packetId: got.packetId, reasonCode: 0 }); // before PUBREC
      sub.send({ type: 'puback', packetId: 999, reasonCode: 0 });
      sub.send({ type: 'pubcomp', packetId: 999, reasonCode: 0 });
      assert.deepEqual(sub.take(), []);
      sub.drop();
      const again = reconnect(h, 's');
      const resent = only(again.takePublishes());
      assert.equal(resent.packetId, got.packetId);
      assert.equal(resent.dup, true);
    });

    it('ends an outgoing QoS 2 flow on a PUBREC failure code and does not send the message again', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2, 100);
      connected(h, 'p').publish('t', 'x', { qos: 2 });
      const got = only(sub.takePublishes());
      assert.ok(got.packetId !== undefined);
      sub.send({ type: 'pubrec', packetId: got.packetId, reasonCode: ReasonCode.UnspecifiedError });
      assert.deepEqual(sub.take(), []);
      sub.drop();
      assert.deepEqual(reconnect(h, 's').take(), []);
    });

    it('delivers at the lower of the published and the granted QoS [MQTT-3.3.4-2]', () => {
      const h = new Harness();
      const s0 = subscriber(h, 's0', 't', 0);
      const s2 = subscriber(h, 's2', 't', 2);
      const pub = connected(h, 'p');
      pub.publish('t', 'x', { qos: 2 });
      pub.publish('t', 'y', { qos: 1 });
      assert.deepEqual(
        s0.takePublishes().map((p) => p.qos),
        [0, 0],
      );
      assert.deepEqual(
        s2.takePublishes().map((p) => p.qos),
        [2, 1],
      );
    });

    it('grants at most the Maximum QoS', () => {
      const h = new Harness({ config: { maximumQoS: 1 } });
      const c = connected(h, 'a');
      assert.deepEqual(c.subscribe('t', { qos: 2 }).reasonCodes, [1]);
    });
  });

  describe('offline sessions and reconnects', () => {
    it('queues QoS 1 and 2 messages for an offline session and delivers them in order on reconnect', () => {
      const h = new Harness();
      subscriber(h, 's', 't', 2, 100).drop();
      const pub = connected(h, 'p');
      pub.publish('t', 'q0'); // QoS 0 is not kept for an absent client
      pub.publish('t', 'a', { qos: 1 });
      pub.publish('t', 'b', { qos: 2 });
      pub.publish('t', 'c', { qos: 1 });
      const got = reconnect(h, 's').takePublishes();
      assert.deepEqual(payloads(got), ['a', 'b', 'c']);
      assert.deepEqual(
        got.map((p) => [p.qos, p.dup]),
        [
          [1, false],
          [2, false],
          [1, false],
        ],
      );
    });

    it('resends unacknowledged PUBLISH packets with DUP and the same packet ids on reconnect [MQTT-4.4.0-1]', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2, 100);
      const pub = connected(h, 'p');
      pub.publish('t', 'a', { qos: 1 });
      pub.publish('t', 'b', { qos: 2 });
      const first = sub.takePublishes();
      sub.drop();
      const resent = reconnect(h, 's').takePublishes();
      assert.deepEqual(payloads(resent), ['a', 'b']);
      assert.deepEqual(
        resent.map((p) => p.packetId),
        first.map((p) => p.packetId),
      );
      assert.ok(resent.every((p) => p.dup));
    });

    it('resends PUBREL for a QoS 2 message that was at the PUBREL stage [MQTT-4.4.0-1]', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2, 100);
      connected(h, 'p').publish('t', 'x', { qos: 2 });
      const got = only(sub.takePublishes());
      assert.ok(got.packetId !== undefined);
      sub.send({ type: 'pubrec', packetId: got.packetId, reasonCode: 0 });
      sub.take();
      sub.drop();
      const again = reconnect(h, 's');
      assert.deepEqual(again.take(), [{ type: 'pubrel', packetId: got.packetId, reasonCode: 0 }]);
      again.send({ type: 'pubcomp', packetId: got.packetId, reasonCode: 0 });
      again.drop();
      assert.deepEqual(reconnect(h, 's').take(), []);
    });

    it('resends in-flight messages before the queued ones', () => {
      const h = new Harness();
      const sub = connected(h, 's', { properties: { sessionExpiryInterval: 100, receiveMaximum: 1 } });
      sub.subscribe('t', { qos: 1 });
      const pub = connected(h, 'p');
      pub.publish('t', 'a', { qos: 1 });
      pub.publish('t', 'b', { qos: 1 });
      assert.deepEqual(payloads(sub.takePublishes()), ['a']);
      sub.drop();
      const again = h.client();
      again.connect({ clientId: 's', cleanStart: false, properties: { sessionExpiryInterval: 100 } });
      const got = again.takePublishes();
      assert.deepEqual(
        got.map((p) => [p.payload.toString(), p.dup]),
        [
          ['a', true],
          ['b', false],
        ],
      );
    });

    it('keeps the incoming QoS 2 state across a reconnect', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 2);
      const pub = connected(h, 'p', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
      pub.publish('t', 'x', { qos: 2, packetId: 5 });
      pub.take();
      pub.drop();
      const again = reconnect(h, 'p');
      again.publish('t', 'x', { qos: 2, packetId: 5, dup: true });
      assert.deepEqual(again.take(), [{ type: 'pubrec', packetId: 5, reasonCode: 0 }]);
      again.send({ type: 'pubrel', packetId: 5, reasonCode: 0 });
      assert.deepEqual(again.take(), [{ type: 'pubcomp', packetId: 5, reasonCode: 0 }]);
      assert.equal(sub.takePublishes().length, 1);
    });
  });

  describe('flow control and limits', () => {
    it('keeps no more than the client\u2019s Receive Maximum in flight [MQTT-3.3.4-9]', () => {
      const h = new Harness();
      const sub = connected(h, 's', { properties: { receiveMaximum: 2 } });
      sub.subscribe('t', { qos: 1 });
      const pub = connected(h, 'p');
      for (const n of ['1', '2', '3', '4', '5']) pub.publish('t', n, { qos: 1 });
      const first = sub.takePublishes();
      assert.deepEqual(payloads(first), ['1', '2']);
      assert.deepEqual(sub.take(), []);
      const [one, two] = first;
      assert.ok(one?.packetId !== undefined && two?.packetId !== undefined);
      sub.send({ type: 'puback', packetId: one.packetId, reasonCode: 0 });
      const third = sub.takePublishes();
      assert.deepEqual(payloads(third), ['3']);
      sub.send({ type: 'puback', packetId: two.packetId, reasonCode: 0 });
      assert.deepEqual(payloads(sub.takePublishes()), ['4']);
      const three = third[0];
      assert.ok(three?.packetId !== undefined);
      sub.send({ type: 'puback', packetId: three.packetId, reasonCode: 0 });
      assert.deepEqual(payloads(sub.takePublishes()), ['5']);
    });

    it('does not hold QoS 0 messages back behind a full window', () => {
      const h = new Harness();
      const sub = connected(h, 's', { properties: { receiveMaximum: 1 } });
      sub.subscribe('t', { qos: 1 });
      const pub = connected(h, 'p');
      pub.publish('t', 'a', { qos: 1 });
      pub.publish('t', 'b', { qos: 1 });
      pub.publish('t', 'c', { qos: 0 });
      assert.deepEqual(payloads(sub.takePublishes()), ['a', 'c']);
    });

    it('drops messages beyond maxQueuedMessages, counting them and reporting message-dropped', () => {
      const h = new Harness({ config: { maxQueuedMessages: 2 } });
      subscriber(h, 's', 't', 1, 100).drop();
      const pub = connected(h, 'p');
      for (const n of ['1', '2', '3', '4']) pub.publish('t', n, { qos: 1 });
      assert.equal(h.broker.counters.publishDropped, 2);
      assert.deepEqual(h.eventsOf('message-dropped'), [
        { type: 'message-dropped', clientId: 's', topic: 't', reason: 'queue-full' },
        { type: 'message-dropped', clientId: 's', topic: 't', reason: 'queue-full' },
      ]);
      assert.deepEqual(payloads(reconnect(h, 's').takePublishes()), ['1', '2']);
    });

    it('drops messages beyond maxQueuedBytes', () => {
      const h = new Harness({ config: { maxQueuedBytes: 10 } });
      subscriber(h, 's', 't', 1, 100).drop();
      const pub = connected(h, 'p');
      pub.publish('t', '123456', { qos: 1 });
      pub.publish('t', '123456', { qos: 1 });
      pub.publish('t', '1234', { qos: 1 });
      assert.equal(h.broker.counters.publishDropped, 1);
      assert.deepEqual(payloads(reconnect(h, 's').takePublishes()), ['123456', '1234']);
    });

    it('never sends more than the client\u2019s Maximum Packet Size: the message is dropped [MQTT-3.1.2-24/25]', () => {
      const h = new Harness();
      const sub = connected(h, 's', { properties: { maximumPacketSize: 64 } });
      sub.subscribe('t', { qos: 1 });
      const pub = connected(h, 'p');
      pub.publish('t', 'x'.repeat(100), { qos: 1 });
      pub.publish('t', 'x'.repeat(100), { qos: 0 });
      pub.publish('t', 'small', { qos: 1 });
      const got = only(sub.takePublishes());
      assert.equal(got.payload.toString(), 'small');
      assert.ok(encodePacket(got, 5).length <= 64);
      assert.equal(h.broker.counters.publishDropped, 2);
      assert.deepEqual(
        h.eventsOf('message-dropped').map((e) => e.reason),
        ['too-large', 'too-large'],
      );
    });

    it('drops a resent message that no longer fits the reconnected client\u2019s Maximum Packet Size', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 1, 100);
      connected(h, 'p').publish('t', 'x'.repeat(100), { qos: 1 });
      assert.equal(sub.takePublishes().length, 1);
      sub.drop();
      const again = h.client();
      const props = { sessionExpiryInterval: 100, maximumPacketSize: 64 };
      assert.equal(
        again.connect({ clientId: 's', cleanStart: false, properties: props }).sessionPresent,
        true,
      );
      assert.deepEqual(again.take(), []);
      assert.equal(h.broker.counters.publishDropped, 1);
    });
  });

  describe('message expiry', () => {
    it('does not deliver a message that expired while queued [MQTT-3.3.2-5]', () => {
      const h = new Harness();
      subscriber(h, 's', 't', 1, 1000).drop();
      const pub = connected(h, 'p');
      pub.publish('t', 'short', { qos: 1, properties: { messageExpiryInterval: 5 } });
      pub.publish('t', 'long', { qos: 1, properties: { messageExpiryInterval: 50 } });
      pub.publish('t', 'forever', { qos: 1 });
      h.advance(10_000);
      assert.deepEqual(payloads(reconnect(h, 's', 1000).takePublishes()), ['long', 'forever']);
      assert.deepEqual(
        h.eventsOf('message-dropped').map((e) => e.reason),
        ['expired'],
      );
    });

    it('sends the expiry interval that is left [MQTT-3.3.2-6]', () => {
      const h = new Harness();
      subscriber(h, 's', 't', 1, 1000).drop();
      connected(h, 'p').publish('t', 'x', { qos: 1, properties: { messageExpiryInterval: 60 } });
      h.advance(20_000);
      const got = only(reconnect(h, 's', 1000).takePublishes());
      assert.equal(got.properties?.messageExpiryInterval, 40);
    });

    it('forwards the full interval when the message is delivered at once', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 0);
      connected(h, 'p').publish('t', 'x', { properties: { messageExpiryInterval: 60 } });
      assert.equal(only(sub.takePublishes()).properties?.messageExpiryInterval, 60);
    });
  });

  describe('topic aliases', () => {
    it('registers an inbound topic alias and resolves it on reuse', () => {
      const h = new Harness({ config: { topicAliasMaximum: 5 } });
      const sub = subscriber(h, 's', 't/#', 0);
      const pub = connected(h, 'p');
      pub.publish('t/long/name', 'a', { properties: { topicAlias: 3 } });
      pub.publish('', 'b', { properties: { topicAlias: 3 } });
      const got = sub.takePublishes();
      assert.deepEqual(
        got.map((p) => [p.topic, p.payload.toString(), p.properties]),
        [
          ['t/long/name', 'a', undefined],
          ['t/long/name', 'b', undefined],
        ],
      );
    });

    it('disconnects a client whose topic alias exceeds the Topic Alias Maximum with 0x94', () => {
      const h = new Harness({ config: { topicAliasMaximum: 5 } });
      const pub = connected(h, 'p');
      pub.publish('t', 'a', { properties: { topicAlias: 6 } });
      assert.equal(pub.takeOne('disconnect').reasonCode, ReasonCode.TopicAliasInvalid);
      assert.equal(pub.closed, true);
    });

    it('disconnects a client that uses an alias it never set with 0x82', () => {
      const h = new Harness();
      const pub = connected(h, 'p');
      pub.publish('', 'a', { properties: { topicAlias: 1 } });
      assert.equal(pub.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
    });

    it('uses outbound topic aliases within the client\u2019s Topic Alias Maximum [MQTT-3.3.2-11]', () => {
      const h = new Harness();
      const sub = connected(h, 's', { properties: { topicAliasMaximum: 1 } });
      sub.subscribe('#');
      const pub = connected(h, 'p');
      pub.publish('a/topic', '1');
      pub.publish('a/topic', '2');
      pub.publish('b/topic', '3');
      pub.publish('a/topic', '4');
      const got = sub.takePublishes();
      assert.deepEqual(
        got.map((p) => [p.topic, p.properties?.topicAlias]),
        [
          ['a/topic', 1],
          ['', 1],
          ['b/topic', 1],
          ['a/topic', 1],
        ],
      );
    });

    it('uses no outbound alias when the client set no Topic Alias Maximum', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 0);
      const pub = connected(h, 'p');
      pub.publish('t', '1');
      pub.publish('t', '2');
      assert.ok(sub.takePublishes().every((p) => p.topic === 't' && p.properties === undefined));
    });
  });

  describe('properties', () => {
    it('forwards the message properties unaltered [MQTT-3.3.2-15..20]', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 1);
      const properties = {
        payloadFormatIndicator: true,
        contentType: 'application/json',
        responseTopic: 'reply/here',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: [
          ['z', '1'],
          ['a', '2'],
          ['z', '3'],
        ] as [string, string][],
      };
      connected(h, 'p').publishQos1('t', '{}', properties);
      const got = only(sub.takePublishes());
      assert.deepEqual(got.properties, properties);
    });

    it('does not forward the publisher\u2019s topic alias', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 0);
      connected(h, 'p').publish('t', 'x', { properties: { topicAlias: 1, contentType: 'text/plain' } });
      assert.deepEqual(only(sub.takePublishes()).properties, { contentType: 'text/plain' });
    });

    it('delivers a 5.0 message to a 3.1.1 subscriber without properties', () => {
      const h = new Harness();
      const sub = connected(h, 's', { level: 4 });
      assert.deepEqual(sub.subscribe('t', { qos: 1 }).reasonCodes, [1]);
      connected(h, 'p').publishQos1('t', 'x', {
        contentType: 'text/plain',
        userProperties: [['k', 'v']],
        messageExpiryInterval: 60,
      });
      const got = only(sub.takePublishes());
      assert.equal(got.properties, undefined);
      assert.equal(h.inbox(sub.id).level, 4);
      const bytes = encodePacket(got, 4);
      assert.equal(bytes[0], 0x32);
    });

    it('disconnects a client that sends Subscription Identifiers in PUBLISH with 0x82 [MQTT-3.3.4-6]', () => {
      const h = new Harness();
      const pub = connected(h, 'p');
      pub.publish('t', 'x', { properties: { subscriptionIdentifiers: [1] } });
      assert.equal(pub.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
      assert.equal(pub.closed, true);
    });

    it('disconnects a client publishing above the Maximum QoS with 0x9B [MQTT-3.2.2-11]', () => {
      const h = new Harness({ config: { maximumQoS: 1 } });
      const pub = connected(h, 'p');
      pub.publish('t', 'x', { qos: 2 });
      assert.equal(pub.takeOne('disconnect').reasonCode, ReasonCode.QoSNotSupported);
      assert.equal(pub.closed, true);
    });

    it('disconnects a client publishing a retained message when retain is not available with 0x9A', () => {
      const h = new Harness({ config: { retainAvailable: false } });
      const pub = connected(h, 'p');
      pub.publish('t', 'x', { retain: true });
      assert.equal(pub.takeOne('disconnect').reasonCode, ReasonCode.RetainNotSupported);
    });

    it('refuses a payload declared UTF-8 that is not, with PUBACK 0x99', () => {
      const h = new Harness();
      const sub = subscriber(h, 's', 't', 1);
      const pub = connected(h, 'p');
      const code = pub.publishQos1('t', Buffer.from([0xff, 0xfe]), { payloadFormatIndicator: true });
      assert.equal(code, ReasonCode.PayloadFormatInvalid);
      assert.deepEqual(sub.take(), []);
      assert.equal(pub.publishQos1('t', Buffer.from([0xff]), { payloadFormatIndicator: false }), 0);
    });

    it('answers PUBACK 0x10 when nobody is subscribed', () => {
      const h = new Harness();
      const pub = connected(h, 'p');
      assert.equal(pub.publishQos1('t', 'x'), ReasonCode.NoMatchingSubscribers);
      pub.publish('t', 'x', { qos: 2, packetId: 9 });
      assert.deepEqual(pub.take(), [
        { type: 'pubrec', packetId: 9, reasonCode: ReasonCode.NoMatchingSubscribers },
      ]);
    });

    it('acknowledges a 3.1.1 publisher with plain PUBACK when nobody is subscribed', () => {
      const h = new Harness();
      const pub = connected(h, 'p', { level: 4 });
      assert.equal(pub.publishQos1('t', 'x'), 0);
    });

    it('refuses a topic with more levels than maxTopicLevels with PUBACK 0x90', () => {
      const h = new Harness({ config: { maxTopicLevels: 2 } });
      const pub = connected(h, 'p');
      assert.equal(pub.publishQos1('a/b/c', 'x'), ReasonCode.TopicNameInvalid);
    });

    it('disconnects a publisher exceeding the broker\u2019s Receive Maximum with QoS 2 with 0x93', () => {
      const h = new Harness({ config: { receiveMaximum: 2 } });
      const pub = connected(h, 'p');
      pub.publish('t', '1', { qos: 2 });
      pub.publish('t', '2', { qos: 2 });
      assert.equal(pub.take().length, 2);
      pub.publish('t', '3', { qos: 2 });
      assert.equal(pub.takeOne('disconnect').reasonCode, ReasonCode.ReceiveMaximumExceeded);
    });

    it('reports accepted messages as published events when asked to', () => {
      const h = new Harness({ config: { publishEvents: true } });
      const pub = connected(h, 'p');
      pub.publish('t', 'x', { properties: { userProperties: [['k', 'v']] } });
      pub.publish('u', 'y', { qos: 1, retain: true });
      assert.deepEqual(h.eventsOf('published'), [
        {
          type: 'published',
          clientId: 'p',
          topic: 't',
          qos: 0,
          retain: false,
          payload: Buffer.from('x'),
          userProperties: [['k', 'v']],
        },
        { type: 'published', clientId: 'p', topic: 'u', qos: 1, retain: true, payload: Buffer.from('y') },
      ]);
    });
  });
});
