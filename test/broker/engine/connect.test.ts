import assert from 'node:assert/strict';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, will } from './harness';

describe('broker engine: CONNECT', () => {
  it('accepts a 5.0 CONNECT with a CONNACK that only lists what differs from the defaults', () => {
    const h = new Harness();
    const c = h.client();
    const connack = c.connect({ clientId: 'a' });
    assert.deepEqual(connack, {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 0,
      properties: { topicAliasMaximum: 65535 },
    });
    assert.equal(c.closed, false);
    assert.equal(h.broker.counters.clientsConnected, 1);
    assert.deepEqual(h.eventsOf('client-connected'), [
      {
        type: 'client-connected',
        clientId: 'a',
        protocolLevel: 5,
        remoteAddress: 'test:1',
        sessionPresent: false,
      },
    ]);
  });

  it('advertises its limits and missing capabilities in CONNACK', () => {
    const h = new Harness({
      config: {
        receiveMaximum: 10,
        maximumQoS: 1,
        retainAvailable: false,
        maximumPacketSize: 1000,
        topicAliasMaximum: 0,
        wildcardSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: false,
      },
    });
    const connack = h.client().connect({ clientId: 'a' });
    assert.deepEqual(connack.properties, {
      receiveMaximum: 10,
      maximumQoS: 1,
      retainAvailable: false,
      maximumPacketSize: 1000,
      wildcardSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
    });
  });

  it('advertises Maximum QoS 0', () => {
    const h = new Harness({ config: { maximumQoS: 0 } });
    assert.equal(h.client().connect({ clientId: 'a' }).properties?.maximumQoS, 0);
  });

  it('assigns a client identifier to a 5.0 client that sent none [MQTT-3.2.2-16]', () => {
    const h = new Harness({ seed: 42 });
    const connack = h.client().connect({ clientId: '' });
    assert.equal(connack.reasonCode, 0);
    const assigned = connack.properties?.assignedClientIdentifier;
    assert.ok(assigned !== undefined && assigned.length > 0);
    assert.equal(h.eventsOf('client-connected')[0]?.clientId, assigned);
    // A second one gets a different id.
    const other = h.client().connect({ clientId: '' }).properties?.assignedClientIdentifier;
    assert.ok(other !== undefined && other !== assigned);
  });

  it('assigns an id to a 3.1.1 client with an empty id and a clean session, without telling it', () => {
    const h = new Harness();
    const connack = h.client().connect({ clientId: '', level: 4, cleanStart: true });
    assert.deepEqual(connack, { type: 'connack', sessionPresent: false, reasonCode: 0 });
  });

  it('refuses a 3.1.1 client with an empty id and no clean session: return code 2, then close', () => {
    const h = new Harness();
    const c = h.client();
    const connack = c.connect({ clientId: '', level: 4, cleanStart: false });
    assert.deepEqual(connack, { type: 'connack', sessionPresent: false, reasonCode: 2 });
    assert.equal(c.closed, true);
    assert.equal(h.broker.counters.clientsConnected, 0);
    assert.equal(h.eventsOf('connect-refused')[0]?.reasonCode, ReasonCode.ClientIdentifierNotValid);
  });

  it('refuses an MQTT 3.1 client id longer than 23 characters, and accepts 23', () => {
    const h = new Harness();
    const long = h.client();
    assert.equal(long.connect({ clientId: 'x'.repeat(24), level: 3 }).reasonCode, 2);
    assert.equal(long.closed, true);
    const ok = h.client();
    assert.equal(ok.connect({ clientId: 'x'.repeat(23), level: 3 }).reasonCode, 0);
    assert.equal(ok.closed, false);
  });

  it('refuses an empty MQTT 3.1 client id with return code 2, even with a clean session', () => {
    const h = new Harness();
    const c = h.client();
    assert.deepEqual(c.connect({ clientId: '', level: 3, cleanStart: true }), {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 2,
    });
    assert.equal(c.closed, true);
  });

  it('accepts a 3.1.1 client id longer than 23 characters', () => {
    const h = new Harness();
    assert.equal(h.client().connect({ clientId: 'x'.repeat(64), level: 4 }).reasonCode, 0);
  });

  it('refuses an authentication method with 0x8C, as none is offered [MQTT-4.12.0-1]', () => {
    const h = new Harness();
    const c = h.client();
    const connack = c.connect({ clientId: 'a', properties: { authenticationMethod: 'SCRAM-SHA-1' } });
    assert.equal(connack.reasonCode, ReasonCode.BadAuthenticationMethod);
    assert.equal(connack.sessionPresent, false);
    assert.ok(connack.properties?.reasonString !== undefined);
    assert.equal(c.closed, true);
  });

  it('answers a second CONNECT with DISCONNECT 0x82 and closes [MQTT-3.1.0-2]', () => {
    const h = new Harness();
    const c = connected(h, 'a');
    c.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolLevel: 5,
      clientId: 'a',
      cleanStart: true,
      keepAlive: 0,
    });
    const disconnect = c.takeOne('disconnect');
    assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
    assert.equal(c.closed, true);
    assert.equal(h.broker.counters.clientsConnected, 0);
  });

  it('closes a connection whose first packet is not CONNECT, without a word [MQTT-3.1.0-1]', () => {
    const h = new Harness();
    const c = h.client();
    c.send({ type: 'pingreq' });
    assert.deepEqual(c.take(), []);
    assert.equal(c.closed, true);
    assert.equal(h.eventsOf('protocol-error')[0]?.reasonCode, ReasonCode.ProtocolError);
  });

  it('ignores packets after the connection was marked for closing', () => {
    const h = new Harness();
    const c = h.client();
    c.send({ type: 'pingreq' });
    c.send({ type: 'pingreq' });
    assert.equal(h.eventsOf('protocol-error').length, 1);
  });

  it('closes a connection that sends no CONNECT within the connect timeout', () => {
    const h = new Harness({ config: { connectTimeout: 5000 } });
    const c = h.client();
    h.advance(4999);
    assert.equal(c.closed, false);
    h.advance(1);
    assert.deepEqual(c.take(), []);
    assert.equal(c.closed, true);
  });

  it('does not time out a connection that has connected', () => {
    const h = new Harness({ config: { connectTimeout: 5000 } });
    const c = connected(h, 'a');
    h.advance(60_000);
    assert.equal(c.closed, false);
  });

  it('refuses a connection beyond maxConnections with 0x97 at 5.0', () => {
    const h = new Harness({ config: { maxConnections: 1 } });
    connected(h, 'a');
    const c = h.client();
    const connack = c.connect({ clientId: 'b' });
    assert.equal(connack.reasonCode, ReasonCode.QuotaExceeded);
    assert.equal(c.closed, true);
  });

  it('refuses a connection beyond maxConnections with return code 3 at 3.1.1', () => {
    const h = new Harness({ config: { maxConnections: 1 } });
    connected(h, 'a');
    const c = h.client();
    assert.deepEqual(c.connect({ clientId: 'b', level: 4 }), {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 3,
    });
    assert.equal(c.closed, true);
  });

  it('lets a client take its session over even at maxConnections', () => {
    const h = new Harness({ config: { maxConnections: 1 } });
    connected(h, 'a');
    assert.equal(h.client().connect({ clientId: 'a' }).reasonCode, 0);
  });

  it('admits a new client once one has left', () => {
    const h = new Harness({ config: { maxConnections: 1 } });
    connected(h, 'a').disconnect();
    assert.equal(h.client().connect({ clientId: 'b' }).reasonCode, 0);
  });

  it('refuses a will QoS above the Maximum QoS with 0x9B [MQTT-3.2.2-12]', () => {
    const h = new Harness({ config: { maximumQoS: 1 } });
    const c = h.client();
    const connack = c.connect({ clientId: 'a', will: will('w', 'x', { qos: 2 }) });
    assert.equal(connack.reasonCode, ReasonCode.QoSNotSupported);
    assert.equal(c.closed, true);
  });

  it('refuses a retained will when retain is not available with 0x9A [MQTT-3.2.2-13]', () => {
    const h = new Harness({ config: { retainAvailable: false } });
    const c = h.client();
    assert.equal(c.connect({ clientId: 'a', will: will('w', 'x', { retain: true }) }).reasonCode, 0x9a);
    assert.equal(c.closed, true);
  });

  it('refuses a will topic with more levels than maxTopicLevels with 0x90', () => {
    const h = new Harness({ config: { maxTopicLevels: 2 } });
    assert.equal(h.client().connect({ clientId: 'a', will: will('a/b/c', 'x') }).reasonCode, 0x90);
    assert.equal(h.client().connect({ clientId: 'b', will: will('a/b', 'x') }).reasonCode, 0);
  });

  it('refuses a will on $SYS: the will topic needs publish permission', () => {
    const h = new Harness();
    assert.equal(
      h.client().connect({ clientId: 'a', will: will('$SYS/x', 'x') }).reasonCode,
      ReasonCode.NotAuthorized,
    );
  });

  it('sends a Server Keep Alive when the client asks for more than maxKeepAlive [MQTT-3.2.2-21]', () => {
    const h = new Harness({ config: { maxKeepAlive: 60 } });
    assert.equal(h.client().connect({ clientId: 'a', keepAlive: 120 }).properties?.serverKeepAlive, 60);
    assert.equal(h.client().connect({ clientId: 'b', keepAlive: 0 }).properties?.serverKeepAlive, 60);
    assert.equal(h.client().connect({ clientId: 'c', keepAlive: 30 }).properties?.serverKeepAlive, undefined);
  });

  it('enforces the Server Keep Alive it sent', () => {
    const h = new Harness({ config: { maxKeepAlive: 10 } });
    const c = connected(h, 'a', { keepAlive: 100 });
    h.advance(14_999);
    assert.equal(c.closed, false);
    h.advance(1);
    assert.equal(c.takeOne('disconnect').reasonCode, ReasonCode.KeepAliveTimeout);
    assert.equal(c.closed, true);
  });

  it('keeps a 3.1.1 client\u2019s own keep alive: it has no Server Keep Alive', () => {
    const h = new Harness({ config: { maxKeepAlive: 10 } });
    const c = h.client();
    assert.deepEqual(c.connect({ clientId: 'a', level: 4, keepAlive: 100 }), {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 0,
    });
    h.advance(149_000);
    assert.equal(c.closed, false);
    h.advance(1_000);
    assert.deepEqual(c.take(), []);
    assert.equal(c.closed, true);
  });

  it('sends Response Information only when asked for [MQTT-3.1.2-28]', () => {
    const h = new Harness();
    const asked = h.client().connect({ clientId: 'a/b+c', properties: { requestResponseInformation: true } });
    assert.equal(asked.properties?.responseInformation, 'response/a_b_c/');
    const notAsked = h.client().connect({ clientId: 'd', properties: { requestResponseInformation: false } });
    assert.equal(notAsked.properties?.responseInformation, undefined);
  });

  it('leaves the Reason String out of a refusal when problem information was declined', () => {
    const h = new Harness();
    const declined = h.client().connect({
      clientId: 'a',
      properties: { requestProblemInformation: false, authenticationMethod: 'x' },
    });
    assert.equal(declined.reasonCode, ReasonCode.BadAuthenticationMethod);
    assert.equal(declined.properties, undefined);
  });

  it('leaves the Reason String out of a DISCONNECT when problem information was declined', () => {
    const h = new Harness();
    const c = connected(h, 'a', { properties: { requestProblemInformation: false } });
    c.send({ type: 'auth', reasonCode: 0 });
    assert.deepEqual(c.take(), [{ type: 'disconnect', reasonCode: ReasonCode.ProtocolError }]);
    const d = connected(h, 'b');
    d.send({ type: 'auth', reasonCode: 0 });
    assert.ok(typeof d.takeOne('disconnect').properties?.reasonString === 'string');
  });

  it('caps the Session Expiry Interval and tells the client the value it got', () => {
    const h = new Harness({ config: { maxSessionExpiryInterval: 100 } });
    const capped = h.client().connect({ clientId: 'a', properties: { sessionExpiryInterval: 1000 } });
    assert.equal(capped.properties?.sessionExpiryInterval, 100);
    const within = h.client().connect({ clientId: 'b', properties: { sessionExpiryInterval: 50 } });
    assert.equal(within.properties?.sessionExpiryInterval, undefined);
  });

  it('answers PINGREQ with PINGRESP [MQTT-3.12.4-1]', () => {
    const h = new Harness();
    const c = connected(h, 'a');
    c.send({ type: 'pingreq' });
    assert.deepEqual(c.take(), [{ type: 'pingresp' }]);
  });

  it('treats AUTH as a protocol error, as no authentication method is offered', () => {
    const h = new Harness();
    const c = connected(h, 'a');
    c.send({ type: 'auth', reasonCode: 0x18 });
    assert.equal(c.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
    assert.equal(c.closed, true);
  });

  it('treats a server-only packet from a client as a protocol error', () => {
    const h = new Harness();
    const c = connected(h, 'a');
    c.send({ type: 'suback', packetId: 1, reasonCodes: [0] });
    assert.equal(c.takeOne('disconnect').reasonCode, ReasonCode.ProtocolError);
    assert.equal(c.closed, true);
  });

  it('counts connections in clientsTotal and clientsMaximum', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    connected(h, 'b');
    a.disconnect();
    connected(h, 'c');
    assert.equal(h.broker.counters.clientsConnected, 2);
    assert.equal(h.broker.counters.clientsTotal, 3);
    assert.equal(h.broker.counters.clientsMaximum, 2);
  });

  it('exposes its configuration and the packet size limit for the frame decoders', () => {
    const h = new Harness({ config: { maximumPacketSize: 4096 } });
    assert.equal(h.broker.maximumPacketSize, 4096);
    assert.equal(h.broker.config.maximumPacketSize, 4096);
    assert.equal(h.broker.config.maximumQoS, 2);
  });

  it('reports the username in the connected event', () => {
    const h = new Harness();
    connected(h, 'a', { username: 'alice', password: 'pw' });
    assert.equal(h.eventsOf('client-connected')[0]?.username, 'alice');
  });
});
