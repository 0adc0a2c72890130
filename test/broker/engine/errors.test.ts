import assert from 'node:assert/strict';
import { MqttError } from '../../../src/protocol/errors';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, payloads } from './harness';

describe('broker engine: errors', () => {
  it('answers a rejected 5.0 stream with DISCONNECT carrying the reason code, then closes', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    const b = connected(h, 'b');
    b.subscribe('t');
    h.broker.reject(a.id, new MqttError(ReasonCode.MalformedPacket, 'bad length'));
    assert.deepEqual(a.take(), [
      {
        type: 'disconnect',
        reasonCode: ReasonCode.MalformedPacket,
        properties: { reasonString: 'bad length' },
      },
    ]);
    assert.equal(a.closed, true);
    assert.deepEqual(
      h.eventsOf('protocol-error').map((e) => [e.clientId, e.reasonCode]),
      [['a', 0x81]],
    );
    // Other clients carry on.
    assert.equal(b.closed, false);
    connected(h, 'p').publish('t', 'still here');
    assert.deepEqual(payloads(b.takePublishes()), ['still here']);
    assert.equal(h.broker.counters.clientsConnected, 2);
  });

  it('sends a code DISCONNECT cannot carry as 0x82: an unsupported version in a second CONNECT', () => {
    const h = new Harness();
    const a = connected(h, 'a', { properties: { requestProblemInformation: false } });
    h.broker.reject(a.id, new MqttError(ReasonCode.UnsupportedProtocolVersion, 'level 6'));
    assert.deepEqual(a.take(), [{ type: 'disconnect', reasonCode: ReasonCode.ProtocolError }]);
    assert.equal(a.closed, true);
  });

  it('closes a rejected 3.1.1 stream without a DISCONNECT', () => {
    const h = new Harness();
    const a = connected(h, 'a', { level: 4 });
    h.broker.reject(a.id, new MqttError(ReasonCode.MalformedPacket, 'bad length'));
    assert.deepEqual(a.take(), []);
    assert.equal(a.closed, true);
  });

  it('answers an unsupported protocol version before CONNECT with CONNACK return code 1', () => {
    const h = new Harness();
    const a = h.client();
    h.broker.reject(a.id, new MqttError(ReasonCode.UnsupportedProtocolVersion, 'level 6'));
    assert.deepEqual(a.take(), [{ type: 'connack', sessionPresent: false, reasonCode: 1 }]);
    assert.equal(h.inbox(a.id).level, 4);
    assert.equal(a.closed, true);
  });

  it('closes a connection rejected before CONNECT for any other reason without a word', () => {
    const h = new Harness();
    const a = h.client();
    h.broker.reject(a.id, new MqttError(ReasonCode.PacketTooLarge, 'too big'));
    assert.deepEqual(a.take(), []);
    assert.equal(a.closed, true);
  });

  it('ignores a reject, a receive and a close for a connection that is gone', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    a.drop();
    h.broker.reject(a.id, new MqttError(ReasonCode.MalformedPacket, 'late'));
    a.send({ type: 'pingreq' });
    h.broker.closed(a.id);
    h.broker.closed(12345);
    assert.deepEqual(a.take(), []);
    assert.deepEqual(h.eventsOf('protocol-error'), []);
  });

  it('lets an unexpected exception through rather than hide it', () => {
    const h = new Harness({
      authenticator: {
        authenticate() {
          throw new TypeError('hook bug');
        },
      },
    });
    const a = h.client();
    assert.throws(
      () =>
        a.send({
          type: 'connect',
          protocolName: 'MQTT',
          protocolLevel: 5,
          clientId: 'a',
          cleanStart: true,
          keepAlive: 0,
        }),
      TypeError,
    );
  });

  it('logs protocol errors through the injected log', () => {
    const lines: string[] = [];
    const h = new Harness({ log: (level, message) => lines.push(`${level} ${message}`) });
    const a = connected(h, 'a');
    a.send({ type: 'auth', reasonCode: 0 });
    a.take();
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^debug .*ProtocolError \(0x82\)/);
  });
});
