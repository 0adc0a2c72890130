import assert from 'node:assert/strict';
import type { AdminResult } from '../../src/broker/broker-admin';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { DisconnectPacket } from '../../src/protocol/types';
import { MemoryStore } from '../../src/store/memory-store';
import { connected, Harness, payloads, will } from './engine/harness';

/**
 * The broker's admin operations, at the engine: publish as the broker, disconnect a client, and
 * the clients, subscriptions and retained messages as plain data. The harness plays the driver,
 * flushing after each call as `BrokerServer.runAdmin` does.
 */

function value<T>(result: AdminResult<T>): T {
  if (!result.ok) assert.fail(`refused: ${result.failure.problem} ${result.failure.message}`);
  return result.value;
}

function problem<T>(result: AdminResult<T>): [string, number | undefined] {
  assert.ok(!result.ok, 'expected a refusal');
  return [result.failure.problem, result.failure.reasonCode];
}

const text = (s: string) => Buffer.from(s);

describe('broker admin: publish', () => {
  it('routes a message with its 5.0 properties to every matching subscriber', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.subscribe('plant/#', { qos: 1, subscriptionIdentifier: 4 });
    const b = connected(h, 'b', { level: 4 });
    b.subscribe('plant/+/temp', { qos: 2 });
    const properties = {
      userProperties: [['origin', 'flow'] as [string, string]],
      contentType: 'text/plain',
      responseTopic: 'plant/reply',
      correlationData: text('c-1'),
      payloadFormatIndicator: true,
    };
    const result = value(
      h.broker.admin.publish({
        topic: 'plant/1/temp',
        payload: text('21.5'),
        qos: 1,
        retain: false,
        properties,
      }),
    );
    assert.deepEqual(result, { topic: 'plant/1/temp', qos: 1, retain: false, delivered: 2 });
    const [got] = a.takePublishes();
    assert.equal(got?.topic, 'plant/1/temp');
    assert.equal(got?.payload.toString(), '21.5');
    assert.equal(got?.qos, 1);
    assert.deepEqual(got?.properties, { ...properties, subscriptionIdentifiers: [4] });
    // A 3.1.1 subscriber gets the message at its own level, without properties.
    const [old] = b.takePublishes();
    assert.equal(old?.qos, 1);
    assert.equal(old?.properties, undefined);
  });

  it('reaches No Local subscribers, as it comes from no client', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.subscribe('t', { noLocal: true });
    value(h.broker.admin.publish({ topic: 't', payload: text('x'), qos: 0, retain: false }));
    assert.deepEqual(payloads(a.takePublishes()), ['x']);
  });

  it('is not subject to the ACL: the operator publishes where no client may', () => {
    const h = new Harness({ authorizer: { allows: (_who, kind) => kind === 'subscribe' } });
    const a = connected(h, 'a');
    a.subscribe('locked/door');
    assert.equal(a.publishQos1('locked/door', 'forged'), ReasonCode.NotAuthorized);
    value(h.broker.admin.publish({ topic: 'locked/door', payload: text('open'), qos: 0, retain: false }));
    assert.deepEqual(payloads(a.takePublishes()), ['open']);
  });

  it('retains a retained message, and clears it with an empty payload', () => {
    const h = new Harness();
    value(h.broker.admin.publish({ topic: 'cfg/a', payload: text('v1'), qos: 1, retain: true }));
    const late = connected(h, 'late');
    late.subscribe('cfg/#', { qos: 1 });
    const got = late.takePublishes();
    assert.deepEqual(
      got.map((p) => [p.topic, p.payload.toString(), p.retain, p.qos]),
      [['cfg/a', 'v1', true, 1]],
    );
    value(h.broker.admin.publish({ topic: 'cfg/a', payload: Buffer.alloc(0), qos: 0, retain: true }));
    assert.deepEqual(value(h.broker.admin.retained()), []);
    assert.equal(h.broker.counters.retainedMessages, 0);
  });

  it('queues QoS 1 for an offline persistent session and records it for the store', async () => {
    const h = new Harness({ persistent: true });
    const store = new MemoryStore();
    const sub = connected(h, 'sub', { cleanStart: false, properties: { sessionExpiryInterval: 600 } });
    sub.subscribe('q/#', { qos: 1 });
    sub.drop();
    value(h.broker.admin.publish({ topic: 'q/1', payload: text('kept'), qos: 1, retain: true }));
    h.flush();
    await store.apply(h.broker.takeStoreOps());
    const state = await store.load();
    assert.deepEqual(
      state.retained.map((m) => m.topic),
      ['q/1'],
    );
    assert.equal(state.sessions[0]?.queue.length, 1);
    const again = h.client('test:sub');
    assert.equal(again.connect({ clientId: 'sub', cleanStart: false }).sessionPresent, true);
    assert.deepEqual(payloads(again.takePublishes()), ['kept']);
  });

  it('starts the Message Expiry Interval when it publishes', () => {
    const h = new Harness();
    value(
      h.broker.admin.publish({
        topic: 'e',
        payload: text('x'),
        qos: 0,
        retain: true,
        properties: { messageExpiryInterval: 10 },
      }),
    );
    h.advance(4000);
    const [info] = value(h.broker.admin.retained('e'));
    assert.equal(info?.properties?.messageExpiryInterval, 6);
    h.advance(7000);
    assert.deepEqual(value(h.broker.admin.retained('e')), []);
  });

  it('refuses invalid topics, $SYS, and what the broker does not offer clients either', () => {
    const h = new Harness({ config: { maximumQoS: 1, retainAvailable: false, maxTopicLevels: 3 } });
    const publish = (topic: string, extra: Partial<Parameters<typeof h.broker.admin.publish>[0]> = {}) =>
      problem(h.broker.admin.publish({ topic, payload: text('x'), qos: 0, retain: false, ...extra }));
    assert.deepEqual(publish(''), ['topic-invalid', ReasonCode.TopicNameInvalid]);
    assert.deepEqual(publish('a/+'), ['topic-invalid', ReasonCode.TopicNameInvalid]);
    assert.deepEqual(publish('a/#'), ['topic-invalid', ReasonCode.TopicNameInvalid]);
    assert.deepEqual(publish('$SYS/broker/version'), ['topic-reserved', ReasonCode.NotAuthorized]);
    assert.deepEqual(publish('a/b/c/d'), ['topic-levels', ReasonCode.TopicNameInvalid]);
    assert.deepEqual(publish('a', { qos: 2 }), ['qos-not-supported', ReasonCode.QoSNotSupported]);
    assert.deepEqual(publish('a', { retain: true }), ['retain-not-supported', ReasonCode.RetainNotSupported]);
    assert.deepEqual(publish('a', { properties: { responseTopic: 'r/#' } }), [
      'response-topic-invalid',
      ReasonCode.TopicNameInvalid,
    ]);
    assert.deepEqual(
      publish('a', { payload: Buffer.from([0xff, 0xfe]), properties: { payloadFormatIndicator: true } }),
      ['payload-not-text', ReasonCode.PayloadFormatInvalid],
    );
    assert.deepEqual(publish('a', { properties: { messageExpiryInterval: -1 } }), [
      'message-invalid',
      ReasonCode.ProtocolError,
    ]);
    assert.deepEqual(publish('a', { properties: { contentType: 'a\u0000b' } }), [
      'message-invalid',
      ReasonCode.MalformedPacket,
    ]);
    assert.equal(h.broker.drain().length, 0, 'nothing was sent');
  });

  it('ignores a Topic Alias and Subscription Identifiers given as properties', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.subscribe('t');
    const properties = { contentType: 'x', topicAlias: 3, subscriptionIdentifiers: [7] };
    value(h.broker.admin.publish({ topic: 't', payload: text('x'), qos: 0, retain: false, properties }));
    assert.deepEqual(a.takePublishes()[0]?.properties, { contentType: 'x' });
  });
});

describe('broker admin: disconnect', () => {
  function watcher(h: Harness) {
    const w = connected(h, 'watcher');
    w.subscribe('will/#');
    return w;
  }

  it('sends a 5.0 client DISCONNECT 0x98 with the reason string, closes it and publishes its will', () => {
    const h = new Harness();
    const w = watcher(h);
    const c = connected(h, 'kick', { will: will('will/kick', 'gone') });
    const result = value(h.broker.admin.disconnect({ clientId: 'kick', reasonString: 'maintenance' }));
    assert.deepEqual(result, {
      clientId: 'kick',
      reasonCode: ReasonCode.AdministrativeAction,
      protocolLevel: 5,
    });
    const packet = c.takeOne('disconnect');
    assert.deepEqual(packet, {
      type: 'disconnect',
      reasonCode: ReasonCode.AdministrativeAction,
      properties: { reasonString: 'maintenance' },
    } satisfies DisconnectPacket);
    assert.equal(c.closed, true);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
    const [event] = h.eventsOf('client-disconnected');
    assert.deepEqual(event, {
      type: 'client-disconnected',
      clientId: 'kick',
      reasonCode: ReasonCode.AdministrativeAction,
      reason: 'maintenance',
    });
    assert.equal(h.broker.counters.clientsConnected, 1);
  });

  it('closes a 3.1.1 client without a packet and publishes its will', () => {
    const h = new Harness();
    const w = watcher(h);
    const c = connected(h, 'old', { level: 4, will: will('will/old', 'gone') });
    assert.equal(value(h.broker.admin.disconnect({ clientId: 'old' })).protocolLevel, 4);
    assert.deepEqual(c.take(), []);
    assert.equal(c.closed, true);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
  });

  it('sends another reason code a server may send, and publishes the will even for 0x00', () => {
    const h = new Harness();
    const w = watcher(h);
    const c = connected(h, 'a', { will: will('will/a', 'gone') });
    value(h.broker.admin.disconnect({ clientId: 'a', reasonCode: ReasonCode.Success }));
    assert.equal(c.takeOne('disconnect').reasonCode, 0);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
    const d = connected(h, 'd');
    value(h.broker.admin.disconnect({ clientId: 'd', reasonCode: ReasonCode.ServerMoved }));
    assert.equal(d.takeOne('disconnect').reasonCode, ReasonCode.ServerMoved);
  });

  it('keeps a persistent session after the disconnect', () => {
    const h = new Harness();
    connected(h, 'p', { cleanStart: false, properties: { sessionExpiryInterval: 60 } });
    value(h.broker.admin.disconnect({ clientId: 'p' }));
    h.flush();
    const [info] = h.broker.admin.clients({ includeOffline: true }).filter((c) => c.clientId === 'p');
    assert.equal(info?.connected, false);
  });

  it('leaves out a reason string that would exceed the client’s Maximum Packet Size', () => {
    const h = new Harness();
    const c = connected(h, 'small', { properties: { maximumPacketSize: 20 } });
    value(h.broker.admin.disconnect({ clientId: 'small', reasonString: 'a rather long explanation' }));
    assert.deepEqual(c.takeOne('disconnect'), {
      type: 'disconnect',
      reasonCode: ReasonCode.AdministrativeAction,
    });
  });

  it('refuses an unknown or offline client id, a reason code a server cannot send, and a bad string', () => {
    const h = new Harness();
    connected(h, 'p', { cleanStart: false, properties: { sessionExpiryInterval: 60 } }).drop();
    const c = connected(h, 'c');
    assert.deepEqual(problem(h.broker.admin.disconnect({ clientId: 'nobody' })), [
      'client-unknown',
      undefined,
    ]);
    assert.deepEqual(problem(h.broker.admin.disconnect({ clientId: 'p' })), ['client-unknown', undefined]);
    for (const reasonCode of [ReasonCode.DisconnectWithWillMessage, 0x10, 0x87 + 0.5, 300, -1]) {
      assert.deepEqual(problem(h.broker.admin.disconnect({ clientId: 'c', reasonCode })), [
        'reason-code-invalid',
        undefined,
      ]);
    }
    assert.deepEqual(problem(h.broker.admin.disconnect({ clientId: 'c', reasonString: 'a\u0000' })), [
      'reason-string-invalid',
      undefined,
    ]);
    assert.deepEqual(c.take(), []);
    assert.equal(c.closed, false);
  });
});

describe('broker admin: clients, subscriptions, retained messages', () => {
  it('lists connected clients with their connection and session figures', () => {
    const h = new Harness({ authorizer: { allows: () => true } });
    h.clock.advance(500);
    const a = h.client('10.0.0.1:1234', 'tcp');
    a.connect({ clientId: 'a', username: 'alice', keepAlive: 30 });
    a.subscribe(['y/#', 'z'], { qos: 1 });
    const b = connected(h, 'b', { level: 4 });
    b.subscribe('x/1', { qos: 1 });
    // b is sent one QoS 1 message and has not acknowledged it.
    a.publishQos1('x/1', 'm1');
    const clients = h.broker.admin.clients();
    assert.deepEqual(clients, [
      {
        clientId: 'a',
        connected: true,
        username: 'alice',
        protocolLevel: 5,
        remoteAddress: '10.0.0.1:1234',
        listener: 'tcp',
        connectedAt: h.clock.now(),
        keepAlive: 30,
        sessionExpiryInterval: 0,
        subscriptions: 2,
        queued: 0,
        inflight: 0,
      },
      {
        clientId: 'b',
        connected: true,
        protocolLevel: 4,
        remoteAddress: 'test:b',
        listener: 'default',
        connectedAt: h.clock.now(),
        keepAlive: 0,
        sessionExpiryInterval: 0,
        subscriptions: 1,
        queued: 0,
        inflight: 1,
      },
    ]);
  });

  it('adds offline persistent sessions on request, with their queued messages', () => {
    const h = new Harness();
    const p = connected(h, 'p', { cleanStart: false, properties: { sessionExpiryInterval: 60 } });
    p.subscribe('q', { qos: 1 });
    p.drop();
    connected(h, 'pub').publishQos1('q', 'waiting');
    assert.deepEqual(
      h.broker.admin.clients().map((c) => c.clientId),
      ['pub'],
    );
    const offline = h.broker.admin.clients({ includeOffline: true }).find((c) => c.clientId === 'p');
    assert.deepEqual(offline, {
      clientId: 'p',
      connected: false,
      sessionExpiryInterval: 60,
      expiresAt: h.clock.now() + 60_000,
      subscriptions: 1,
      queued: 1,
      inflight: 0,
    });
  });

  it('lists subscriptions with their options, by client and by topic', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.subscribe('s/#', {
      qos: 2,
      noLocal: true,
      retainAsPublished: true,
      retainHandling: 2,
      subscriptionIdentifier: 5,
    });
    const b = connected(h, 'b');
    b.subscribe('$share/g1/s/+', { qos: 1 });
    b.subscribe('other');
    const all = value(h.broker.admin.subscriptions());
    assert.deepEqual(all, [
      {
        clientId: 'a',
        connected: true,
        filter: 's/#',
        topicFilter: 's/#',
        qos: 2,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
        subscriptionIdentifier: 5,
      },
      {
        clientId: 'b',
        connected: true,
        filter: '$share/g1/s/+',
        topicFilter: 's/+',
        group: 'g1',
        qos: 1,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      },
      {
        clientId: 'b',
        connected: true,
        filter: 'other',
        topicFilter: 'other',
        qos: 0,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      },
    ]);
    const filters = (q: Parameters<typeof h.broker.admin.subscriptions>[0]) =>
      value(h.broker.admin.subscriptions(q)).map((s) => `${s.clientId} ${s.filter}`);
    assert.deepEqual(filters({ clientId: 'b' }), ['b $share/g1/s/+', 'b other']);
    assert.deepEqual(filters({ clientId: 'nobody' }), []);
    assert.deepEqual(filters({ topic: 's/1' }), ['a s/#', 'b $share/g1/s/+']);
    assert.deepEqual(filters({ topic: 's/1/2' }), ['a s/#']);
    assert.deepEqual(filters({ topic: 's/+' }), ['b $share/g1/s/+']);
    assert.deepEqual(filters({ clientId: 'a', topic: 'other' }), []);
    assert.deepEqual(problem(h.broker.admin.subscriptions({ topic: 'a/#/b' })), [
      'filter-invalid',
      ReasonCode.TopicFilterInvalid,
    ]);
  });

  it('lists retained messages by topic filter, sorted, as copies', () => {
    const h = new Harness({ config: { sysInterval: 10 } });
    const c = connected(h, 'c');
    c.publish('r/b', 'B', { retain: true, qos: 0, properties: { userProperties: [['k', 'v']] } });
    c.publish('r/a', 'A', { retain: true, qos: 1, packetId: 1 });
    c.publish('other', 'O', { retain: true });
    h.flush();
    const listed = value(h.broker.admin.retained('r/+'));
    assert.deepEqual(
      listed.map((m) => [m.topic, m.payload.toString(), m.qos, m.properties]),
      [
        ['r/a', 'A', 1, undefined],
        ['r/b', 'B', 0, { userProperties: [['k', 'v']] }],
      ],
    );
    // '#' leaves $SYS out [MQTT-4.7.2-1]; it can be asked for.
    assert.deepEqual(
      value(h.broker.admin.retained()).map((m) => m.topic),
      ['other', 'r/a', 'r/b'],
    );
    assert.ok(value(h.broker.admin.retained('$SYS/#')).some((m) => m.topic === '$SYS/broker/version'));
    // Changing what was listed does not change the retained message.
    const first = listed[0];
    if (first !== undefined) first.payload.fill(0x5a);
    listed[1]?.properties?.userProperties?.push(['x', 'y']);
    const again = value(h.broker.admin.retained('r/+'));
    assert.equal(again[0]?.payload.toString(), 'A');
    assert.deepEqual(again[1]?.properties, { userProperties: [['k', 'v']] });
    for (const bad of ['a/#/b', '', '$share/g/r/#']) {
      assert.deepEqual(problem(h.broker.admin.retained(bad)), [
        'filter-invalid',
        ReasonCode.TopicFilterInvalid,
      ]);
    }
  });
});
