import assert from 'node:assert/strict';
import type { AuthExchange, AuthStep, EnhancedAuthMethod } from '../../../src/broker/enhanced-auth';
import { EnhancedAuthRegistry } from '../../../src/broker/enhanced-auth';
import { SCRAM_SHA_256, ScramSha256, scramCredentialFromPassword } from '../../../src/broker/scram';
import { ScramClient } from '../../../src/broker/scram-client';
import type { Authenticator, Authorizer } from '../../../src/broker/security';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import type { AuthPacket, ConnackPacket, Packet } from '../../../src/protocol/types';
import { type ConnectOptions, connected, connectPacket, Harness, type TestClient, will } from './harness';

const ITERATIONS = 16;
const users = {
  alice: scramCredentialFromPassword('secret', { iterations: ITERATIONS }),
  bob: scramCredentialFromPassword('hunter2', { iterations: ITERATIONS }),
};
const scram = (): ScramSha256 =>
  new ScramSha256({ lookup: (name) => (name === 'alice' || name === 'bob' ? users[name] : undefined) });

function client(username: string, password: string): ScramClient {
  return new ScramClient({ username, password, minIterations: 1 });
}

/** Counts calls, so a test can tell the username/password authenticator was not asked. */
function countingAuthenticator(): Authenticator & { calls: number } {
  const counter = {
    calls: 0,
    authenticate() {
      counter.calls++;
      return { ok: true as const };
    },
  };
  return counter;
}

function harness(extra: EnhancedAuthMethod[] = [], authenticator = countingAuthenticator()): Harness {
  return new Harness({ enhancedAuth: [scram(), ...extra], authenticator });
}

function auth(reasonCode: number, data?: Buffer, method = SCRAM_SHA_256): AuthPacket {
  const properties =
    data === undefined
      ? { authenticationMethod: method }
      : { authenticationMethod: method, authenticationData: data };
  return { type: 'auth', reasonCode, properties };
}

function data(packet: { properties?: { authenticationData?: Buffer } }): Buffer {
  const d = packet.properties?.authenticationData;
  assert.ok(d !== undefined, 'no Authentication Data');
  return d;
}

/** CONNECT with SCRAM's client-first message; returns the server's AUTH 0x18. */
function startScram(c: TestClient, s: ScramClient, options: ConnectOptions = {}): AuthPacket {
  c.send(
    connectPacket({
      clientId: 'a',
      ...options,
      properties: {
        authenticationMethod: SCRAM_SHA_256,
        authenticationData: s.start(),
        ...options.properties,
      },
    }),
  );
  const challenge = c.takeOne('auth');
  assert.equal(challenge.reasonCode, ReasonCode.ContinueAuthentication);
  assert.equal(challenge.properties?.authenticationMethod, SCRAM_SHA_256);
  return challenge;
}

/** The whole CONNECT → AUTH → AUTH → CONNACK exchange; returns the CONNACK. */
function scramConnect(c: TestClient, s: ScramClient, options: ConnectOptions = {}): ConnackPacket {
  const challenge = startScram(c, s, options);
  c.send(auth(ReasonCode.ContinueAuthentication, s.respond(data(challenge))));
  return c.takeOne('connack');
}

function scramConnected(h: Harness, username = 'alice', password = 'secret'): TestClient {
  const c = h.client();
  const s = client(username, password);
  const connack = scramConnect(c, s);
  assert.equal(connack.reasonCode, 0);
  s.finish(data(connack));
  return c;
}

/** Re-authenticates; returns what the server sent last. */
function reauthenticate(c: TestClient, s: ScramClient): Packet[] {
  c.send(auth(ReasonCode.ReAuthenticate, s.start()));
  const challenge = c.takeOne('auth');
  assert.equal(challenge.reasonCode, ReasonCode.ContinueAuthentication);
  c.send(auth(ReasonCode.ContinueAuthentication, s.respond(data(challenge))));
  return c.take();
}

/** A toy method: the client must say 'one', then 'two'; it authenticates nobody by name. */
const twoStep: EnhancedAuthMethod = {
  name: 'TWO-STEP',
  begin(): AuthExchange {
    let expected = 'one';
    return {
      step(clientData): AuthStep {
        if (clientData?.toString() !== expected)
          return { kind: 'failure', reasonCode: ReasonCode.BadUserNameOrPassword, reason: 'no' };
        if (expected === 'two') return { kind: 'success' };
        expected = 'two';
        return { kind: 'continue', data: Buffer.from('say two') };
      },
    };
  },
};

/** Succeeds at CONNECT; a re-authentication fails with the code the client sends. */
function failsOnReauth(): EnhancedAuthMethod {
  let exchanges = 0;
  return {
    name: 'LATER',
    begin: () => {
      const first = exchanges++ === 0;
      return {
        step: (clientData): AuthStep =>
          first
            ? { kind: 'success' }
            : { kind: 'failure', reasonCode: Number(clientData?.toString()), reason: 'failed' },
      };
    },
  };
}

/** A method that fails with whatever code it is told to in the data. */
const failing: EnhancedAuthMethod = {
  name: 'FAIL',
  begin: () => ({
    step: (clientData) => ({ kind: 'failure', reasonCode: Number(clientData?.toString()), reason: 'failed' }),
  }),
};

describe('broker engine: enhanced authentication', () => {
  it('runs CONNECT, AUTH, AUTH, CONNACK with SCRAM-SHA-256 [MQTT-4.12.0-2] [MQTT-4.12.0-5]', () => {
    const authenticator = countingAuthenticator();
    const h = harness([], authenticator);
    const c = h.client();
    const s = client('alice', 'secret');
    // The CONNECT's own User Name is not checked and does not count.
    const connack = scramConnect(c, s, { username: 'mallory', password: 'x' });
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.authenticationMethod, SCRAM_SHA_256);
    assert.match(data(connack).toString(), /^v=/);
    s.finish(data(connack));
    assert.equal(c.closed, false);
    assert.equal(authenticator.calls, 0);
    assert.equal(h.broker.counters.clientsConnected, 1);
    assert.equal(h.eventsOf('client-connected')[0]?.username, 'alice');
  });

  it('gives the ACL the user SCRAM authenticated', () => {
    const authorizer: Authorizer = { allows: (identity) => identity.username === 'alice' };
    const h = new Harness({ enhancedAuth: [scram()], authorizer });
    const c = h.client();
    assert.equal(scramConnect(c, client('alice', 'secret'), { username: 'mallory' }).reasonCode, 0);
    assert.equal(c.publishQos1('t', 'x'), ReasonCode.NoMatchingSubscribers);
    const bob = h.client();
    assert.equal(
      scramConnect(bob, client('bob', 'hunter2'), { clientId: 'b', username: 'alice' }).reasonCode,
      0,
    );
    assert.equal(bob.publishQos1('t', 'x'), ReasonCode.NotAuthorized);
  });

  it('refuses a wrong password with CONNACK 0x86 and closes [MQTT-4.12.0-4]', () => {
    const h = harness();
    const c = h.client();
    const connack = scramConnect(c, client('alice', 'guess'));
    assert.equal(connack.reasonCode, ReasonCode.BadUserNameOrPassword);
    assert.equal(connack.properties?.reasonString, 'bad user name or password');
    assert.equal(c.closed, true);
    assert.equal(h.broker.counters.clientsConnected, 0);
    assert.equal(h.broker.counters.sessions, 0);
    assert.equal(h.eventsOf('connect-refused')[0]?.reasonCode, ReasonCode.BadUserNameOrPassword);
  });

  it('refuses an unknown user exactly like a wrong password', () => {
    const h = harness();
    const unknown = scramConnect(h.client(), client('nobody', 'secret'));
    const wrong = scramConnect(h.client(), client('alice', 'guess'));
    assert.deepEqual(unknown, wrong);
  });

  it('refuses a method it does not offer with CONNACK 0x8C [MQTT-4.12.0-1]', () => {
    const h = harness();
    const c = h.client();
    const connack = c.connect({ clientId: 'a', properties: { authenticationMethod: 'SCRAM-SHA-1' } });
    assert.equal(connack.reasonCode, ReasonCode.BadAuthenticationMethod);
    assert.equal(c.closed, true);
  });

  it('refuses a malformed client-first message with CONNACK 0x87', () => {
    const h = harness();
    const c = h.client();
    const connack = c.connect({
      clientId: 'a',
      properties: {
        authenticationMethod: SCRAM_SHA_256,
        authenticationData: Buffer.from('p=tls-unique,,n=alice,r=x'),
      },
    });
    assert.equal(connack.reasonCode, ReasonCode.NotAuthorized);
    assert.match(connack.properties?.reasonString ?? '', /channel binding/);
    assert.equal(c.closed, true);
  });

  it('asks for the client-first message when the CONNECT carried no data', () => {
    const h = harness();
    const c = h.client();
    c.send(connectPacket({ clientId: 'a', properties: { authenticationMethod: SCRAM_SHA_256 } }));
    assert.deepEqual(c.takeOne('auth'), auth(ReasonCode.ContinueAuthentication, Buffer.alloc(0)));
    const s = client('alice', 'secret');
    c.send(auth(ReasonCode.ContinueAuthentication, s.start()));
    c.send(auth(ReasonCode.ContinueAuthentication, s.respond(data(c.takeOne('auth')))));
    const connack = c.takeOne('connack');
    assert.equal(connack.reasonCode, 0);
    s.finish(data(connack));
  });

  it('runs a method of several rounds, and one that names no user drops the CONNECT\u2019s', () => {
    const h = harness([twoStep]);
    const c = h.client();
    c.send(
      connectPacket({
        clientId: 'a',
        username: 'claimed',
        properties: { authenticationMethod: 'TWO-STEP', authenticationData: Buffer.from('one') },
      }),
    );
    assert.deepEqual(
      c.takeOne('auth'),
      auth(ReasonCode.ContinueAuthentication, Buffer.from('say two'), 'TWO-STEP'),
    );
    c.send(auth(ReasonCode.ContinueAuthentication, Buffer.from('two'), 'TWO-STEP'));
    const connack = c.takeOne('connack');
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.authenticationMethod, 'TWO-STEP');
    assert.equal(connack.properties?.authenticationData, undefined);
    assert.equal(h.eventsOf('client-connected')[0]?.username, undefined);
  });

  it('refuses a failure code CONNACK cannot carry as 0x87', () => {
    const h = harness([failing]);
    for (const [code, expected] of [
      [0x10, ReasonCode.NotAuthorized],
      [0x8e, ReasonCode.NotAuthorized],
      [0x8c, ReasonCode.BadAuthenticationMethod],
      [0x9f, ReasonCode.ConnectionRateExceeded],
    ]) {
      const c = h.client();
      const connack = c.connect({
        clientId: 'a',
        properties: { authenticationMethod: 'FAIL', authenticationData: Buffer.from(String(code)) },
      });
      assert.equal(connack.reasonCode, expected);
    }
  });

  describe('while the CONNECT waits', () => {
    it('refuses AUTH with another method: CONNACK 0x82 [MQTT-4.12.0-5]', () => {
      const h = harness();
      const c = h.client();
      const s = client('alice', 'secret');
      const challenge = startScram(c, s);
      c.send(auth(ReasonCode.ContinueAuthentication, s.respond(data(challenge)), 'SCRAM-SHA-1'));
      const connack = c.takeOne('connack');
      assert.equal(connack.reasonCode, ReasonCode.ProtocolError);
      assert.equal(c.closed, true);
    });

    it('refuses AUTH without a method, and AUTH 0x19: CONNACK 0x82 [MQTT-4.12.0-3]', () => {
      const h = harness();
      const noMethod = h.client();
      startScram(noMethod, client('alice', 'secret'));
      noMethod.send({ type: 'auth', reasonCode: ReasonCode.ContinueAuthentication });
      assert.equal(noMethod.takeOne('connack').reasonCode, ReasonCode.ProtocolError);
      const reauth = h.client();
      startScram(reauth, client('alice', 'secret'));
      reauth.send(auth(ReasonCode.ReAuthenticate, Buffer.from('x')));
      assert.equal(reauth.takeOne('connack').reasonCode, ReasonCode.ProtocolError);
      assert.equal(reauth.closed, true);
    });

    it('treats any packet but AUTH and DISCONNECT as a protocol error [MQTT-3.1.2-30]', () => {
      const h = harness();
      for (const packet of [
        { type: 'publish', topic: 't', payload: Buffer.from('x'), qos: 0, retain: false, dup: false },
        { type: 'pingreq' },
        { type: 'subscribe', packetId: 1, subscriptions: [] },
        connectPacket({ clientId: 'a' }),
      ] satisfies Packet[]) {
        const c = h.client();
        startScram(c, client('alice', 'secret'));
        c.send(packet);
        const connack = c.takeOne('connack');
        assert.equal(connack.reasonCode, ReasonCode.ProtocolError);
        assert.match(connack.properties?.reasonString ?? '', /during authentication/);
        assert.equal(c.closed, true);
      }
      assert.equal(h.broker.counters.clientsConnected, 0);
    });

    it('leaves the CONNACK\u2019s reason string out when problem information was declined', () => {
      const h = harness();
      const c = h.client();
      startScram(c, client('alice', 'secret'), { properties: { requestProblemInformation: false } });
      c.send({ type: 'pingreq' });
      assert.deepEqual(c.take(), [
        { type: 'connack', sessionPresent: false, reasonCode: ReasonCode.ProtocolError },
      ]);
    });

    it('closes quietly on DISCONNECT', () => {
      const h = harness();
      const c = h.client();
      startScram(c, client('alice', 'secret'));
      c.disconnect();
      assert.equal(c.closed, true);
      assert.deepEqual(c.take(), []);
      assert.deepEqual(h.eventsOf('client-disconnected'), []);
    });

    it('closes at the connect timeout', () => {
      const h = harness();
      const c = h.client();
      startScram(c, client('alice', 'secret'));
      h.advance(9999);
      assert.equal(c.closed, false);
      h.advance(1);
      assert.equal(c.closed, true);
      assert.deepEqual(c.take(), []);
    });

    it('does not take over an existing session until the exchange succeeds', () => {
      const h = harness();
      const old = connected(h, 'a', { will: will('w', 'gone') });
      const c = h.client();
      const s = client('alice', 'secret');
      const challenge = startScram(c, s, { clientId: 'a' });
      assert.deepEqual(old.take(), []);
      c.send(auth(ReasonCode.ContinueAuthentication, s.respond(data(challenge))));
      assert.equal(c.takeOne('connack').reasonCode, 0);
      assert.equal(old.takeOne('disconnect').reasonCode, ReasonCode.SessionTakenOver);
    });

    it('leaves the existing session alone when the exchange fails', () => {
      const h = harness();
      const old = connected(h, 'a');
      const c = h.client();
      assert.equal(scramConnect(c, client('alice', 'guess'), { clientId: 'a' }).reasonCode, 0x86);
      assert.equal(old.closed, false);
      assert.deepEqual(old.take(), []);
    });
  });

  describe('re-authentication [MQTT-4.12.1-1]', () => {
    it('answers AUTH 0x19 with AUTH 0x18, then AUTH 0x00 with the server signature', () => {
      const h = harness();
      const c = scramConnected(h);
      const s = client('alice', 'secret');
      const [success, ...rest] = reauthenticate(c, s);
      assert.deepEqual(rest, []);
      assert.equal(success?.type, 'auth');
      if (success?.type !== 'auth') return;
      assert.equal(success.reasonCode, ReasonCode.Success);
      assert.equal(success.properties?.authenticationMethod, SCRAM_SHA_256);
      s.finish(data(success));
      assert.equal(c.closed, false);
      // And again.
      const again = client('alice', 'secret');
      const [second] = reauthenticate(c, again);
      assert.ok(second?.type === 'auth' && second.reasonCode === 0);
    });

    it('keeps other packets flowing during the exchange', () => {
      const h = harness();
      const c = scramConnected(h);
      c.subscribe('t', { qos: 1 });
      const s = client('alice', 'secret');
      c.send(auth(ReasonCode.ReAuthenticate, s.start()));
      const challenge = c.takeOne('auth');
      c.publish('t', 'during', { qos: 1, packetId: 7 });
      assert.deepEqual(
        c.take().map((p) => p.type),
        ['publish', 'puback'],
      );
      c.send(auth(ReasonCode.ContinueAuthentication, s.respond(data(challenge))));
      assert.equal(c.takeOne('auth').reasonCode, ReasonCode.Success);
    });

    it('ends the connection with DISCONNECT 0x87 on a wrong password, will and all [MQTT-4.12.1-2]', () => {
      const h = harness();
      const watcher = connected(h, 'w');
      watcher.subscribe('will');
      const c = h.client();
      const s = client('alice', 'secret');
      assert.equal(scramConnect(c, s, { clientId: 'a', will: will('will', 'gone') }).reasonCode, 0);
      // 0x86 is not a DISCONNECT reason code (spec 3.14.2.1): it goes out as 0x87.
      const [disconnect, ...rest] = reauthenticate(c, client('alice', 'guess'));
      assert.deepEqual(rest, []);
      assert.equal(disconnect?.type, 'disconnect');
      assert.equal(disconnect?.type === 'disconnect' ? disconnect.reasonCode : -1, ReasonCode.NotAuthorized);
      assert.equal(c.closed, true);
      assert.deepEqual(
        watcher.takePublishes().map((p) => p.payload.toString()),
        ['gone'],
      );
    });

    it('refuses a re-authentication as another user with DISCONNECT 0x87', () => {
      const h = harness();
      const c = scramConnected(h);
      const [disconnect] = reauthenticate(c, client('bob', 'hunter2'));
      assert.ok(disconnect?.type === 'disconnect');
      assert.equal(disconnect.reasonCode, ReasonCode.NotAuthorized);
      assert.match(disconnect.properties?.reasonString ?? '', /cannot change the user/);
      assert.equal(c.closed, true);
    });

    it('sends a method\u2019s failure code in DISCONNECT when DISCONNECT has it, else 0x87', () => {
      for (const [code, expected] of [
        [ReasonCode.ConnectionRateExceeded, ReasonCode.ConnectionRateExceeded],
        [ReasonCode.BadUserNameOrPassword, ReasonCode.NotAuthorized],
        [ReasonCode.BadAuthenticationMethod, ReasonCode.NotAuthorized],
      ]) {
        const h = harness([failsOnReauth()]);
        const c = h.client();
        const connack = c.connect({ clientId: 'a', properties: { authenticationMethod: 'LATER' } });
        assert.equal(connack.reasonCode, 0);
        c.send(auth(ReasonCode.ReAuthenticate, Buffer.from(String(code)), 'LATER'));
        assert.equal(c.takeOne('disconnect').reasonCode, expected);
        assert.equal(c.closed, true);
      }
    });

    it('refuses AUTH with another method: DISCONNECT 0x82 [MQTT-4.12.1-1]', () => {
      const h = harness();
      const c = scramConnected(h);
      c.send(auth(ReasonCode.ReAuthenticate, client('alice', 'secret').start(), 'SCRAM-SHA-1'));
      assert.equal(c.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
      assert.equal(c.closed, true);
    });

    it('refuses AUTH 0x18 with no exchange under way, 0x19 during one, and 0x00', () => {
      const cases: [string, (c: TestClient) => void][] = [
        ['0x18 first', (c) => c.send(auth(ReasonCode.ContinueAuthentication, Buffer.from('x')))],
        [
          '0x19 twice',
          (c) => {
            c.send(auth(ReasonCode.ReAuthenticate, client('alice', 'secret').start()));
            assert.equal(c.takeOne('auth').reasonCode, ReasonCode.ContinueAuthentication);
            c.send(auth(ReasonCode.ReAuthenticate, client('alice', 'secret').start()));
          },
        ],
        ['0x00', (c) => c.send(auth(ReasonCode.Success))],
      ];
      for (const [what, act] of cases) {
        const h = harness();
        const c = scramConnected(h);
        act(c);
        const disconnect = c.takeOne('disconnect');
        assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError, what);
        assert.match(disconnect.properties?.reasonString ?? '', /out of place/, what);
        assert.equal(c.closed, true, what);
      }
    });

    it('refuses AUTH from a client that connected without a method: DISCONNECT 0x82 [MQTT-4.12.0-7]', () => {
      const h = harness();
      const c = connected(h, 'a');
      c.send(auth(ReasonCode.ReAuthenticate, client('alice', 'secret').start()));
      const disconnect = c.takeOne('disconnect');
      assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
      assert.match(disconnect.properties?.reasonString ?? '', /without an authentication method/);
      assert.equal(c.closed, true);
    });
  });

  it('leaves 3.1.1 clients and clients without a method to the username/password authenticator', () => {
    const authenticator = countingAuthenticator();
    const h = harness([], authenticator);
    const old = connected(h, 'a', { level: 4, username: 'u', password: 'p' });
    assert.equal(old.publishQos1('t', 'x'), 0);
    connected(h, 'b', { username: 'u', password: 'p' });
    assert.equal(authenticator.calls, 2);
    // A 5.0 CONNACK without a method in CONNECT names none [MQTT-4.12.0-6].
    const connack = h.client().connect({ clientId: 'c' });
    assert.equal(connack.properties?.authenticationMethod, undefined);
  });

  it('refuses a registry with a repeated or empty method name', () => {
    assert.throws(() => new EnhancedAuthRegistry([scram(), scram()]), /given twice/);
    assert.throws(() => new EnhancedAuthRegistry([{ ...twoStep, name: '' }]), /needs a name/);
    assert.deepEqual(new EnhancedAuthRegistry([scram(), twoStep]).names, [SCRAM_SHA_256, 'TWO-STEP']);
  });
});
