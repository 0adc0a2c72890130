import assert from 'node:assert/strict';
import type { PublishPacket } from '../../../src/protocol/types';
import { connected, Harness } from './harness';

function byTopic(packets: readonly PublishPacket[]): Map<string, PublishPacket> {
  return new Map(packets.map((p) => [p.topic, p]));
}

describe('broker engine: $SYS', () => {
  it('retains the $SYS topics and sends them to a new $SYS/# subscriber', () => {
    const h = new Harness({ config: { sysInterval: 10, version: 'test-1' } });
    const s = connected(h, 's');
    s.subscribe('$SYS/#');
    const got = byTopic(s.takePublishes());
    assert.equal(got.get('$SYS/broker/version')?.payload.toString(), 'test-1');
    // Retained at start-up, before anyone connected.
    assert.equal(got.get('$SYS/broker/clients/connected')?.payload.toString(), '0');
    assert.equal(got.get('$SYS/broker/clients/connected')?.retain, true);
    for (const name of ['uptime', 'messages/received', 'subscriptions/count', 'sessions/count']) {
      assert.ok(got.has(`$SYS/broker/${name}`), name);
    }
  });

  it('publishes fresh values every sysInterval seconds', () => {
    const h = new Harness({ config: { sysInterval: 10 } });
    const s = connected(h, 's');
    s.subscribe('$SYS/broker/clients/connected');
    s.take();
    connected(h, 't');
    h.advance(9_999);
    assert.deepEqual(s.take(), []);
    h.advance(1);
    const got = s.takePublishes();
    assert.deepEqual(
      got.map((p) => [p.topic, p.payload.toString(), p.retain]),
      [['$SYS/broker/clients/connected', '2', false]],
    );
    const uptime = connected(h, 'u');
    uptime.subscribe('$SYS/broker/uptime');
    assert.equal(uptime.takePublishes()[0]?.payload.toString(), '10 seconds');
  });

  it('does not send $SYS topics to a # subscriber [MQTT-4.7.2-1]', () => {
    const h = new Harness({ config: { sysInterval: 1 } });
    const s = connected(h, 's');
    s.subscribe('#');
    s.subscribe('+/broker/#');
    h.advance(5_000);
    assert.deepEqual(s.take(), []);
  });

  it('publishes nothing with sysInterval 0', () => {
    const h = new Harness({ config: { sysInterval: 0 } });
    const s = connected(h, 's');
    s.subscribe('$SYS/#');
    h.advance(60_000);
    assert.deepEqual(s.take(), []);
    assert.equal(h.broker.counters.retainedMessages, 0);
  });

  it('counts bytes the driver reports', () => {
    const h = new Harness({ config: { sysInterval: 1 } });
    h.broker.countBytes(100, 40);
    h.broker.countBytes(1, 2);
    assert.equal(h.broker.counters.bytesReceived, 101);
    assert.equal(h.broker.counters.bytesSent, 42);
    const s = connected(h, 's');
    s.subscribe('$SYS/broker/load/bytes/received');
    h.advance(1_000);
    assert.equal(s.takePublishes().at(-1)?.payload.toString(), '101');
  });
});
