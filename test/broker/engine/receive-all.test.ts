import assert from 'node:assert/strict';
import { Broker } from '../../../src/broker/broker';
import type { Clock } from '../../../src/broker/types';
import type { Packet, PublishPacket } from '../../../src/protocol/types';

/** A fake clock that counts how often it is read. */
class CountingClock implements Clock {
  reads = 0;
  t = 1_000_000;

  now(): number {
    this.reads++;
    return this.t;
  }
}

function publish(packetId: number, topic = 't'): PublishPacket {
  return { type: 'publish', topic, payload: Buffer.from('x'), qos: 1, retain: false, dup: false, packetId };
}

function connect(clientId: string, keepAlive = 0): Packet {
  return { type: 'connect', protocolName: 'MQTT', protocolLevel: 4, clientId, cleanStart: true, keepAlive };
}

/** The packets the broker left for one connection, and whether it closes it. */
function output(broker: Broker, id: number): { packets: Packet[]; close: boolean } {
  const out = broker.drain().find((o) => o.connectionId === id);
  return { packets: out?.packets ?? [], close: out?.close ?? false };
}

describe('Broker.receiveAll: the packets of one chunk of input', () => {
  it('handles them in order, as receive would one by one', () => {
    const broker = new Broker({ clock: new CountingClock(), config: { sysInterval: 0 } });
    const id = broker.open({ remoteAddress: 'test', listener: 'tcp' });
    broker.receiveAll(id, [connect('a'), publish(1), publish(2), publish(3)]);
    const { packets } = output(broker, id);
    assert.deepEqual(
      packets.map((p) => p.type),
      ['connack', 'puback', 'puback', 'puback'],
    );
    assert.deepEqual(
      packets.slice(1).map((p) => (p.type === 'puback' ? p.packetId : 0)),
      [1, 2, 3],
    );
    assert.equal(broker.counters.messagesReceived, 4);
  });

  it('reads the clock once for the whole chunk, not once per packet', () => {
    const clock = new CountingClock();
    const broker = new Broker({ clock, config: { sysInterval: 0 } });
    const id = broker.open({ remoteAddress: 'test', listener: 'tcp' });
    broker.receive(id, connect('a'));
    broker.drain();
    const before = clock.reads;
    broker.receiveAll(
      id,
      Array.from({ length: 100 }, (_, i) => publish(i + 1)),
    );
    assert.equal(clock.reads - before, 1);
    assert.equal(output(broker, id).packets.length, 100);
  });

  it('ignores the packets after one that closed the connection', () => {
    const broker = new Broker({ clock: new CountingClock(), config: { sysInterval: 0 } });
    const id = broker.open({ remoteAddress: 'test', listener: 'tcp' });
    // [MQTT-3.1.0-2] a second CONNECT is a protocol error: at 3.1.1 the connection just closes.
    broker.receiveAll(id, [connect('a'), connect('a'), publish(1)]);
    const { packets, close } = output(broker, id);
    assert.deepEqual(
      packets.map((p) => p.type),
      ['connack'],
    );
    assert.equal(close, true);
    assert.equal(broker.counters.publishReceived, 0);
  });

  it('counts the keep alive from the chunk: 1.5 times it with no chunk closes the connection [MQTT-3.1.2-22]', () => {
    const clock = new CountingClock();
    const broker = new Broker({ clock, config: { sysInterval: 0 } });
    const id = broker.open({ remoteAddress: 'test', listener: 'tcp' });
    broker.receiveAll(id, [connect('a', 10)]);
    broker.drain();
    clock.t += 14_000;
    broker.receiveAll(id, [{ type: 'pingreq' }, { type: 'pingreq' }]);
    assert.deepEqual(
      output(broker, id).packets.map((p) => p.type),
      ['pingresp', 'pingresp'],
    );
    clock.t += 14_999;
    broker.tick();
    assert.equal(output(broker, id).close, false);
    clock.t += 1;
    broker.tick();
    assert.equal(output(broker, id).close, true);
  });

  it('does nothing for an empty chunk or an unknown connection', () => {
    const clock = new CountingClock();
    const broker = new Broker({ clock, config: { sysInterval: 0 } });
    const reads = clock.reads;
    broker.receiveAll(42, [publish(1)]);
    broker.receiveAll(42, []);
    assert.equal(clock.reads, reads);
    assert.deepEqual(broker.drain(), []);
  });
});
