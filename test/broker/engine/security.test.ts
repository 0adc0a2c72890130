import assert from 'node:assert/strict';
import type { Authenticator, Authorizer } from '../../../src/broker/security';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, payloads } from './harness';

/** Accepts alice/secret, refuses other passwords with 0x86 and the user mallory with 0x87. */
const authenticator: Authenticator = {
  authenticate(identity, password) {
    if (identity.username === 'mallory')
      return { ok: false, reasonCode: ReasonCode.NotAuthorized, reason: 'banned' };
    if (identity.username === 'alice' && password?.toString() === 'secret') return { ok: true };
    return { ok: false, reasonCode: ReasonCode.BadUserNameOrPassword, reason: 'bad credentials' };
  },
};

/** Nobody may publish to `secret/#` or subscribe to `private/#`. */
const authorizer: Authorizer = {
  allows(_identity, kind, topic) {
    if (kind === 'publish') return !topic.startsWith('secret/');
    return !topic.startsWith('private/');
  },
};

describe('broker engine: security', () => {
  it('accepts a client the authenticator accepts', () => {
    const h = new Harness({ authenticator });
    assert.equal(h.client().connect({ clientId: 'a', username: 'alice', password: 'secret' }).reasonCode, 0);
  });

  it('refuses bad credentials with CONNACK 0x86 at 5.0', () => {
    const h = new Harness({ authenticator });
    const c = h.client();
    const connack = c.connect({ clientId: 'a', username: 'alice', password: 'wrong' });
    assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    assert.equal(connack.properties?.reasonString, 'bad credentials');
    assert.equal(c.closed, true);
    assert.equal(h.broker.counters.clientsConnected, 0);
    assert.equal(h.broker.counters.sessions, 0);
  });

  it('refuses an unauthorized client with CONNACK 0x87 at 5.0', () => {
    const h = new Harness({ authenticator });
    const c = h.client();
    assert.equal(
      c.connect({ clientId: 'a', username: 'mallory', password: 'x' }).reasonCode,
      ReasonCode.NotAuthorized,
    );
    assert.equal(c.closed, true);
  });

  it('refuses with return codes 4 and 5 at 3.1.1', () => {
    const h = new Harness({ authenticator });
    const bad = h.client();
    assert.deepEqual(bad.connect({ clientId: 'a', level: 4, username: 'alice', password: 'no' }), {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 4,
    });
    assert.equal(bad.closed, true);
    const banned = h.client();
    assert.equal(banned.connect({ clientId: 'b', level: 4, username: 'mallory' }).reasonCode, 5);
    assert.equal(banned.closed, true);
  });

  it('leaves an existing session alone when a CONNECT with its id is refused', () => {
    const h = new Harness({ authenticator });
    const a = connected(h, 'a', { username: 'alice', password: 'secret' });
    const intruder = h.client();
    assert.equal(intruder.connect({ clientId: 'a', username: 'alice', password: 'guess' }).reasonCode, 0x86);
    assert.equal(a.closed, false);
    assert.deepEqual(a.take(), []);
  });

  it('refuses a denied publish with PUBACK 0x87 and does not deliver it', () => {
    const h = new Harness({ authorizer });
    const s = connected(h, 's');
    s.subscribe('#', { qos: 1 });
    const p = connected(h, 'p');
    assert.equal(p.publishQos1('secret/x', 'no'), ReasonCode.NotAuthorized);
    p.publish('secret/x', 'no', { qos: 2, packetId: 3 });
    assert.deepEqual(p.take(), [{ type: 'pubrec', packetId: 3, reasonCode: ReasonCode.NotAuthorized }]);
    p.publish('secret/x', 'no');
    assert.deepEqual(s.take(), []);
    assert.equal(p.publishQos1('open/x', 'yes'), 0);
    assert.deepEqual(payloads(s.takePublishes()), ['yes']);
    assert.equal(p.closed, false);
  });

  it('acknowledges a denied 3.1.1 publish normally and drops it', () => {
    const h = new Harness({ authorizer });
    const s = connected(h, 's');
    s.subscribe('#');
    const p = connected(h, 'p', { level: 4 });
    assert.equal(p.publishQos1('secret/x', 'no'), 0);
    assert.deepEqual(s.take(), []);
  });

  it('refuses a denied subscribe with SUBACK 0x87', () => {
    const h = new Harness({ authorizer });
    const s = connected(h, 's');
    assert.deepEqual(s.subscribe(['private/x', 'public/x'], { qos: 1 }).reasonCodes, [0x87, 1]);
    assert.deepEqual(s.subscribe('$share/g/private/y').reasonCodes, [0x87]);
  });

  it('refuses a will topic the client may not publish to', () => {
    const h = new Harness({ authorizer });
    const c = h.client();
    const w = { topic: 'secret/will', payload: Buffer.from('x'), qos: 0 as const, retain: false };
    assert.equal(c.connect({ clientId: 'a', will: w }).reasonCode, ReasonCode.NotAuthorized);
  });

  it('refuses a client\u2019s publish to $SYS with the default authorizer', () => {
    const h = new Harness();
    const s = connected(h, 's');
    s.subscribe('$SYS/#');
    const p = connected(h, 'p');
    assert.equal(p.publishQos1('$SYS/broker/fake', 'x'), ReasonCode.NotAuthorized);
    p.publish('$SYS/broker/fake', 'x', { retain: true });
    assert.deepEqual(s.take(), []);
    assert.equal(h.broker.counters.retainedMessages, 0);
  });

  it('passes identity details to the hooks', () => {
    const seen: string[] = [];
    const h = new Harness({
      authenticator: {
        authenticate(identity) {
          seen.push(
            `${identity.clientId}|${identity.username ?? ''}|${identity.protocolLevel}|${identity.listener}`,
          );
          return { ok: true };
        },
      },
    });
    h.client('1.2.3.4:5', 'tls').connect({ clientId: 'a', level: 4, username: 'u' });
    assert.deepEqual(seen, ['a|u|4|tls']);
  });
});
