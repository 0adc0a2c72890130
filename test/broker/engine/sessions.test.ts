import assert from 'node:assert/strict';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, payloads } from './harness';

describe('broker engine: sessions', () => {
  it('starts afresh with Clean Start, discarding the old session and its subscriptions [MQTT-3.1.2-4]', () => {
    const h = new Harness();
    const a = connected(h, 'a', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
    a.subscribe('t', { qos: 1 });
    a.disconnect();
    const again = h.client();
    const connack = again.connect({
      clientId: 'a',
      cleanStart: true,
      properties: { sessionExpiryInterval: 100 },
    });
    assert.equal(connack.sessionPresent, false);
    connected(h, 'p').publish('t', 'x', { qos: 1 });
    assert.deepEqual(again.take(), []);
    assert.equal(h.broker.counters.subscriptions, 0);
  });

  it('resumes a session with Session Present and its subscriptions [MQTT-3.2.2-3]', () => {
    const h = new Harness();
    const a = connected(h, 'a', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
    a.subscribe('t', { qos: 1 });
    a.disconnect();
    const again = h.client();
    const connack = again.connect({
      clientId: 'a',
      cleanStart: false,
      properties: { sessionExpiryInterval: 100 },
    });
    assert.equal(connack.sessionPresent, true);
    connected(h, 'p').publish('t', 'x');
    assert.deepEqual(payloads(again.takePublishes()), ['x']);
    assert.equal(h.eventsOf('client-connected').at(-2)?.sessionPresent, true);
  });

  it('has no session to resume when the expiry interval was 0', () => {
    const h = new Harness();
    connected(h, 'a', { cleanStart: false }).disconnect();
    assert.equal(h.broker.counters.sessions, 0);
    assert.equal(h.client().connect({ clientId: 'a', cleanStart: false }).sessionPresent, false);
  });

  it('takes a session over: the old 5.0 connection gets DISCONNECT 0x8E and is closed [MQTT-3.1.4-3]', () => {
    const h = new Harness();
    const old = connected(h, 'a', { properties: { sessionExpiryInterval: 100 } });
    old.subscribe('t');
    const fresh = h.client();
    const connack = fresh.connect({
      clientId: 'a',
      cleanStart: false,
      properties: { sessionExpiryInterval: 100 },
    });
    assert.equal(connack.sessionPresent, true);
    assert.deepEqual(old.take(), [{ type: 'disconnect', reasonCode: ReasonCode.SessionTakenOver }]);
    assert.equal(old.closed, true);
    assert.equal(fresh.closed, false);
    assert.equal(h.broker.counters.clientsConnected, 1);
    const gone = h.eventsOf('client-disconnected');
    assert.deepEqual(
      gone.map((e) => [e.clientId, e.reasonCode]),
      [['a', ReasonCode.SessionTakenOver]],
    );
    // The session carries on with the new connection.
    connected(h, 'p').publish('t', 'x');
    assert.deepEqual(payloads(fresh.takePublishes()), ['x']);
    assert.deepEqual(old.take(), []);
  });

  it('closes an old 3.1.1 connection on takeover without a DISCONNECT', () => {
    const h = new Harness();
    const old = connected(h, 'a', { level: 4 });
    connected(h, 'a', { level: 4 });
    assert.deepEqual(old.take(), []);
    assert.equal(old.closed, true);
    assert.equal(h.broker.counters.clientsConnected, 1);
  });

  it('ignores the transport closing a connection that was taken over', () => {
    const h = new Harness();
    const old = connected(h, 'a', { properties: { sessionExpiryInterval: 100 } });
    const fresh = connected(h, 'a', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
    old.drop();
    assert.equal(h.broker.counters.clientsConnected, 1);
    assert.equal(fresh.closed, false);
  });

  it('keeps an offline session for its expiry interval, then removes it on tick', () => {
    const h = new Harness();
    const a = connected(h, 'a', { properties: { sessionExpiryInterval: 10 } });
    a.subscribe('t', { qos: 1 });
    a.disconnect();
    assert.equal(h.broker.counters.sessions, 1);
    h.advance(9_999);
    assert.equal(h.broker.counters.sessions, 1);
    h.advance(1);
    assert.equal(h.broker.counters.sessions, 0);
    assert.equal(h.broker.counters.subscriptions, 0);
    assert.equal(h.client().connect({ clientId: 'a', cleanStart: false }).sessionPresent, false);
  });

  it('resumes a session reconnected within its expiry interval and does not expire it while connected', () => {
    const h = new Harness();
    connected(h, 'a', { properties: { sessionExpiryInterval: 10 } }).disconnect();
    h.advance(5_000);
    const again = h.client();
    const props = { sessionExpiryInterval: 10 };
    assert.equal(again.connect({ clientId: 'a', cleanStart: false, properties: props }).sessionPresent, true);
    h.advance(60_000);
    assert.equal(h.broker.counters.sessions, 1);
    assert.equal(again.closed, false);
  });

  it('keeps a 3.1.1 session with Clean Session 0 for ever', () => {
    const h = new Harness();
    const a = connected(h, 'a', { level: 4, cleanStart: false });
    a.subscribe('t', { qos: 1 });
    a.drop();
    h.advance(365 * 24 * 3600 * 1000);
    const again = h.client();
    assert.equal(again.connect({ clientId: 'a', level: 4, cleanStart: false }).sessionPresent, true);
  });

  it('ends a 3.1.1 Clean Session 1 session when the connection ends', () => {
    const h = new Harness();
    connected(h, 'a', { level: 4, cleanStart: true }).drop();
    assert.equal(h.broker.counters.sessions, 0);
  });

  it('refuses a DISCONNECT that raises the expiry interval from 0 with DISCONNECT 0x82', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.disconnect(0, 100);
    assert.equal(a.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
    assert.equal(a.closed, true);
    assert.equal(h.broker.counters.sessions, 0);
  });

  it('accepts a DISCONNECT that keeps the expiry interval at 0', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.disconnect(0, 0);
    assert.deepEqual(a.take(), []);
    assert.equal(a.closed, true);
  });

  it('applies a Session Expiry Interval changed on DISCONNECT', () => {
    const h = new Harness();
    connected(h, 'a', { properties: { sessionExpiryInterval: 10 } }).disconnect(0, 100);
    h.advance(50_000);
    assert.equal(h.broker.counters.sessions, 1);
    h.advance(50_000);
    assert.equal(h.broker.counters.sessions, 0);
  });

  it('ends the session at once when DISCONNECT lowers the expiry interval to 0', () => {
    const h = new Harness();
    connected(h, 'a', { properties: { sessionExpiryInterval: 100 } }).disconnect(0, 0);
    assert.equal(h.broker.counters.sessions, 0);
  });

  it('caps a Session Expiry Interval given on DISCONNECT at maxSessionExpiryInterval', () => {
    const h = new Harness({ config: { maxSessionExpiryInterval: 10 } });
    connected(h, 'a', { properties: { sessionExpiryInterval: 5 } }).disconnect(0, 1000);
    h.advance(10_000);
    assert.equal(h.broker.counters.sessions, 0);
  });

  it('reports the disconnect with the client\u2019s reason code', () => {
    const h = new Harness();
    connected(h, 'a').disconnect(0x04);
    assert.deepEqual(
      h.eventsOf('client-disconnected').map((e) => [e.clientId, e.reasonCode]),
      [['a', 0x04]],
    );
  });

  it('reports an abnormal close as a disconnect', () => {
    const h = new Harness();
    connected(h, 'a').drop();
    assert.equal(h.eventsOf('client-disconnected').length, 1);
    assert.equal(h.broker.counters.clientsConnected, 0);
  });

  it('does nothing when the transport closes a connection that never sent CONNECT', () => {
    const h = new Harness();
    h.client().drop();
    assert.deepEqual(h.eventsOf('client-disconnected'), []);
  });
});
