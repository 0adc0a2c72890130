import assert from 'node:assert/strict';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import type { Will } from '../../../src/protocol/types';
import { connected, Harness, payloads, type TestClient, will } from './harness';

function watcher(h: Harness): TestClient {
  const w = connected(h, 'watcher');
  w.subscribe('will/#', { qos: 2 });
  return w;
}

function withWill(h: Harness, id: string, w: Will, expiry = 0, keepAlive = 0): TestClient {
  return connected(h, id, { will: w, keepAlive, properties: { sessionExpiryInterval: expiry } });
}

function delayed(delay: number): Will {
  return will('will/a', 'gone', { properties: { willDelayInterval: delay } });
}

describe('broker engine: wills', () => {
  it('publishes the will when the connection ends abnormally [MQTT-3.1.2-8]', () => {
    const h = new Harness();
    const w = watcher(h);
    const props = { contentType: 'text/plain', userProperties: [['k', 'v']] as [string, string][] };
    withWill(
      h,
      'a',
      will('will/a', 'gone', { qos: 1, properties: { ...props, willDelayInterval: 0 } }),
    ).drop();
    const got = w.takePublishes();
    assert.deepEqual(
      got.map((p) => [p.topic, p.payload.toString(), p.qos]),
      [['will/a', 'gone', 1]],
    );
    assert.deepEqual(got[0]?.properties, props);
  });

  it('does not publish the will after DISCONNECT 0x00 [MQTT-3.14.4-3]', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', will('will/a', 'gone')).disconnect(0);
    assert.deepEqual(w.take(), []);
  });

  it('does not publish the will after a 3.1.1 DISCONNECT', () => {
    const h = new Harness();
    const w = watcher(h);
    connected(h, 'a', { level: 4, will: will('will/a', 'gone') }).disconnect(0);
    assert.deepEqual(w.take(), []);
  });

  it('publishes the will after DISCONNECT 0x04', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', will('will/a', 'gone')).disconnect(ReasonCode.DisconnectWithWillMessage);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
  });

  it('publishes the will after a protocol error', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', will('will/a', 'gone')).send({ type: 'auth', reasonCode: 0 });
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
  });

  it('retains a retained will', () => {
    const h = new Harness();
    withWill(h, 'a', will('will/a', 'gone', { retain: true })).drop();
    const s = connected(h, 's');
    s.subscribe('will/a');
    const got = s.takePublishes();
    assert.deepEqual(
      got.map((p) => [p.payload.toString(), p.retain]),
      [['gone', true]],
    );
  });

  it('waits for the Will Delay Interval before publishing the will', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', delayed(10), 100).drop();
    h.advance(9_999);
    assert.deepEqual(w.take(), []);
    h.advance(1);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
    h.advance(60_000);
    assert.deepEqual(w.take(), []);
  });

  it('does not publish a delayed will when the client reconnects within the delay [MQTT-3.1.3-9]', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', delayed(10), 100).drop();
    h.advance(5_000);
    const again = h.client();
    const connack = again.connect({
      clientId: 'a',
      cleanStart: false,
      properties: { sessionExpiryInterval: 100 },
    });
    assert.equal(connack.sessionPresent, true);
    h.advance(20_000);
    assert.deepEqual(w.take(), []);
  });

  it('publishes a delayed will when the session ends first', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', delayed(30), 5).drop();
    h.advance(4_999);
    assert.deepEqual(w.take(), []);
    h.advance(1);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
    assert.equal(h.broker.counters.sessions, 1); // the watcher's
  });

  it('publishes a delayed will at once when the session has no expiry interval', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', delayed(30), 0).drop();
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
  });

  it('starts the will\u2019s Message Expiry Interval when it is published', () => {
    const h = new Harness();
    withWill(
      h,
      'a',
      will('will/a', 'gone', {
        retain: true,
        properties: { willDelayInterval: 10, messageExpiryInterval: 5 },
      }),
      100,
    ).drop();
    h.advance(10_000);
    const s = connected(h, 's');
    s.subscribe('will/a');
    assert.equal(s.takePublishes()[0]?.properties?.messageExpiryInterval, 5);
    h.advance(5_000);
    const late = connected(h, 'late');
    late.subscribe('will/a');
    assert.deepEqual(late.take(), []);
  });

  it('publishes the old connection\u2019s will on takeover [MQTT-3.1.4-3]', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', will('will/a', 'gone'), 100);
    connected(h, 'a', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
  });

  it('cancels a delayed will on takeover', () => {
    const h = new Harness();
    const w = watcher(h);
    withWill(h, 'a', delayed(10), 100);
    connected(h, 'a', { cleanStart: false, properties: { sessionExpiryInterval: 100 } });
    h.advance(20_000);
    assert.deepEqual(w.take(), []);
  });

  it('closes with DISCONNECT 0x8D after 1.5 times the keep alive and publishes the will [MQTT-3.1.2-22]', () => {
    const h = new Harness();
    const w = watcher(h);
    const a = withWill(h, 'a', will('will/a', 'gone'), 0, 10);
    h.advance(14_999);
    assert.equal(a.closed, false);
    h.advance(1);
    assert.deepEqual(a.take(), [{ type: 'disconnect', reasonCode: ReasonCode.KeepAliveTimeout }]);
    assert.equal(a.closed, true);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
    assert.equal(h.eventsOf('client-disconnected')[0]?.reasonCode, ReasonCode.KeepAliveTimeout);
  });

  it('counts any packet as keep-alive activity', () => {
    const h = new Harness();
    const a = connected(h, 'a', { keepAlive: 10 });
    h.advance(10_000);
    a.send({ type: 'pingreq' });
    a.take();
    h.advance(14_000);
    assert.equal(a.closed, false);
    h.advance(1_000);
    assert.equal(a.closed, true);
  });

  it('closes a 3.1.1 client silently on keep-alive timeout and publishes its will', () => {
    const h = new Harness();
    const w = watcher(h);
    const a = connected(h, 'a', { level: 4, keepAlive: 2, will: will('will/a', 'gone') });
    h.advance(3_000);
    assert.deepEqual(a.take(), []);
    assert.equal(a.closed, true);
    assert.deepEqual(payloads(w.takePublishes()), ['gone']);
  });

  it('never times out a client with keep alive 0', () => {
    const h = new Harness();
    const a = connected(h, 'a', { keepAlive: 0 });
    h.advance(24 * 3600 * 1000);
    assert.equal(a.closed, false);
  });
});
