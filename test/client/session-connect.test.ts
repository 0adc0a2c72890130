import assert from 'node:assert/strict';
import type { ClientAuthenticator } from '../../src/client/authenticator';
import { ReasonCode } from '../../src/protocol';
import { completedCodes, disconnectCode, failedCode, msg, SessionHarness, sub } from './harness';

describe('ClientSession connection', () => {
  describe('CONNECT and CONNACK', () => {
    it('reports the assigned client id and that subscriptions must be restored', () => {
      const h = new SessionHarness({ clientId: '' });
      h.connect({ assignedClientIdentifier: 'auto-1' });
      const [ev] = h.takeEvents();
      assert.ok(ev?.type === 'connected');
      assert.equal(ev.clientId, 'auto-1');
      assert.equal(ev.mustResubscribe, true);
      assert.equal(h.session.clientId, 'auto-1');
    });

    it('resumes (Clean Start 0) on reconnects of a 5.0 session that outlives the connection', () => {
      const h = new SessionHarness({ clientId: 'c', properties: { sessionExpiryInterval: 60 } });
      h.connect();
      h.lose();
      h.session.handleConnected();
      const [connect] = h.take();
      assert.ok(connect?.type === 'connect');
      assert.equal(connect.cleanStart, false);
    });

    it('reports a refusing CONNACK with its reason code and string, 3.1.1 codes mapped', () => {
      const h = new SessionHarness();
      h.session.handleConnected();
      h.receive({
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0x86,
        properties: { reasonString: 'no' },
      });
      const close = h.takeEvents().find((e) => e.type === 'close');
      assert.ok(close?.type === 'close');
      assert.equal(close.error?.reasonCode, 0x86);
      assert.equal(close.error?.reasonString, 'no');
      const v4 = new SessionHarness({ protocolLevel: 4 });
      v4.session.handleConnected();
      v4.receive({ type: 'connack', sessionPresent: false, reasonCode: 5 });
      const close4 = v4.takeEvents().find((e) => e.type === 'close');
      assert.ok(close4?.type === 'close');
      assert.equal(close4.error?.reasonCode, ReasonCode.NotAuthorized);
    });

    it('closes when no CONNACK comes within the connect timeout', () => {
      const h = new SessionHarness({ connectTimeoutMs: 5000 });
      h.session.handleConnected();
      h.take();
      assert.equal(h.session.nextDeadline(), h.clock.now() + 5000);
      h.tick(5000);
      assert.equal(h.session.state, 'closing');
    });

    it('treats a packet before CONNACK as a protocol error (0x82)', () => {
      const h = new SessionHarness();
      h.session.handleConnected();
      h.take();
      h.receive({ type: 'pingresp' });
      assert.equal(disconnectCode(h), ReasonCode.ProtocolError);
    });
  });

  describe('enhanced authentication', () => {
    function fakeAuth(log: string[], finalOk = true): ClientAuthenticator {
      return {
        method: 'TEST',
        begin: () => ({
          start: () => Buffer.from('first'),
          respond: (data) => {
            log.push(`respond ${String(data)}`);
            return Buffer.from('final');
          },
          finish: (data) => {
            log.push(`finish ${String(data)}`);
            if (!finalOk) throw new Error('bad server signature');
          },
        }),
      };
    }

    it('sends the method and data in CONNECT, answers AUTH 0x18 and checks the CONNACK data', () => {
      const log: string[] = [];
      const h = new SessionHarness({ authenticator: fakeAuth(log) });
      h.session.handleConnected();
      const [connect] = h.take();
      assert.ok(connect?.type === 'connect');
      assert.equal(connect.properties?.authenticationMethod, 'TEST');
      assert.equal(String(connect.properties?.authenticationData), 'first');
      h.receive({
        type: 'auth',
        reasonCode: 0x18,
        properties: { authenticationMethod: 'TEST', authenticationData: Buffer.from('c1') },
      });
      const [auth] = h.take();
      assert.ok(auth?.type === 'auth');
      assert.equal(auth.reasonCode, 0x18);
      assert.equal(String(auth.properties?.authenticationData), 'final');
      h.receive({
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0,
        properties: { authenticationMethod: 'TEST', authenticationData: Buffer.from('sig') },
      });
      assert.deepEqual(log, ['respond c1', 'finish sig']);
      assert.equal(h.session.state, 'online');
    });

    it('refuses a server that fails verification', () => {
      const h = new SessionHarness({ authenticator: fakeAuth([], false) });
      h.session.handleConnected();
      h.take();
      h.receive({
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0,
        properties: { authenticationMethod: 'TEST' },
      });
      const close = h.takeEvents().find((e) => e.type === 'close');
      assert.ok(close?.type === 'close');
      assert.equal(close.error?.reasonCode, ReasonCode.NotAuthorized);
      assert.match(close.error?.message ?? '', /bad server signature/);
    });
  });

  describe('server capabilities', () => {
    it('refuses a QoS above Maximum QoS (0x9B), retain without Retain Available (0x9A), too large (0x95)', () => {
      const h = new SessionHarness();
      h.connect({ maximumQoS: 1, retainAvailable: false, maximumPacketSize: 100 });
      h.takeEvents();
      const q2 = h.session.publish(msg('t', 2));
      const ret = h.session.publish(msg('t', 0, { retain: true }));
      const big = h.session.publish(msg('t', 1, { payload: 'x'.repeat(200) }));
      const ok = h.session.publish(msg('t', 1));
      const events = h.takeEvents();
      assert.equal(failedCode(events, q2), ReasonCode.QoSNotSupported);
      assert.equal(failedCode(events, ret), ReasonCode.RetainNotSupported);
      assert.equal(failedCode(events, big), ReasonCode.PacketTooLarge);
      assert.equal(failedCode(events, ok), undefined);
      assert.equal(h.publishes().length, 1, 'only the acceptable publish went out');
    });

    it('fails subscribes the server cannot take locally: 0xA2, 0xA1, 0x9E', () => {
      const h = new SessionHarness();
      h.connect({
        wildcardSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: false,
      });
      const wild = h.session.subscribe([sub('a/+')]);
      const withId = h.session.subscribe([sub('a')], { subscriptionIdentifier: 4 });
      const shared = h.session.subscribe([sub('$share/g/a')]);
      const events = h.takeEvents();
      assert.equal(failedCode(events, wild), ReasonCode.WildcardSubscriptionsNotSupported);
      assert.equal(failedCode(events, withId), ReasonCode.SubscriptionIdentifiersNotSupported);
      assert.equal(failedCode(events, shared), ReasonCode.SharedSubscriptionsNotSupported);
      assert.equal(h.take().length, 0);
    });

    it('completes SUBSCRIBE with its codes, and fails it when every filter was refused', () => {
      const h = new SessionHarness();
      h.connect();
      const ok = h.session.subscribe([sub('a'), sub('b')]);
      const [s1] = h.take();
      assert.ok(s1?.type === 'subscribe');
      h.receive({ type: 'suback', packetId: s1.packetId, reasonCodes: [1, 0x87] });
      const bad = h.session.subscribe([sub('c')]);
      const [s2] = h.take();
      assert.ok(s2?.type === 'subscribe');
      h.receive({
        type: 'suback',
        packetId: s2.packetId,
        reasonCodes: [0x87],
        properties: { reasonString: 'acl' },
      });
      const events = h.takeEvents();
      assert.deepEqual(completedCodes(events, ok), [1, 0x87]);
      assert.equal(failedCode(events, bad), 0x87);
    });
  });
});
