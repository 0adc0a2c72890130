import assert from 'node:assert/strict';
import type { MqttClientOptions } from '../../src/client';
import { openUrlTransport, parseConnectUrl } from '../../src/client/connect-url';
import type { QoS } from '../../src/protocol/types';
import type { Transport } from '../../src/transport/transport';
import { Clients, collect, waitFor } from './e2e-support';

/**
 * Behaviour every broker must show the client, run against our broker and mosquitto alike.
 * `target()` gives the connection options (URL or transport) of the broker under test.
 */
export function clientRoundTrips(target: () => MqttClientOptions, levels: readonly (4 | 5)[] = [5, 4]): void {
  const clients = new Clients();
  afterEach(() => clients.endAll());
  let n = 0;
  const id = (name: string) => `${name}-${process.pid}-${++n}`;

  for (const protocolLevel of levels) {
    describe(`MQTT ${protocolLevel === 5 ? '5.0' : '3.1.1'}`, () => {
      for (const qos of [0, 1, 2] as const) {
        it(`round-trips a QoS ${qos} message`, async () => {
          const topic = `rt/${id('q')}`;
          const sub = await clients.connect({ ...target(), protocolLevel, clientId: id('sub') });
          const got = collect(sub);
          const suback = await sub.subscribe([
            { topicFilter: topic, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 },
          ]);
          assert.deepEqual(suback.reasonCodes, [qos]);
          const pub = await clients.connect({ ...target(), protocolLevel, clientId: id('pub') });
          const result = await pub.publish({ topic, payload: Buffer.from(`hello ${qos}`), qos });
          assert.deepEqual(result.reasonCodes, [0]);
          await waitFor(() => got.length === 1, 5000, 'the message');
          assert.equal(got[0]?.message.payload.toString(), `hello ${qos}`);
          assert.equal(got[0]?.message.qos, qos);
        });
      }

      it('delivers a retained message to a later subscriber', async () => {
        const topic = `retained/${id('r')}`;
        const pub = await clients.connect({ ...target(), protocolLevel, clientId: id('pub') });
        await pub.publish({ topic, payload: Buffer.from('kept'), qos: 1, retain: true });
        const sub = await clients.connect({ ...target(), protocolLevel, clientId: id('sub') });
        const got = collect(sub);
        await sub.subscribe([
          { topicFilter: topic, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ]);
        await waitFor(() => got.length === 1, 5000, 'the retained message');
        assert.equal(got[0]?.message.retain, true);
        await pub.publish({ topic, payload: Buffer.alloc(0), qos: 1, retain: true });
      });

      it('publishes the will when the connection ends without a clean DISCONNECT', async () => {
        const topic = `will/${id('w')}`;
        const watcher = await clients.connect({ ...target(), protocolLevel, clientId: id('watch') });
        const got = collect(watcher);
        await watcher.subscribe([
          { topicFilter: topic, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ]);
        const options = target();
        const open = options.transport ?? (() => openUrlTransport(parseConnectUrl(options.url ?? '')));
        let raw: Transport | undefined;
        await clients.connect({
          ...options,
          url: undefined,
          transport: async () => {
            raw = await open();
            return raw;
          },
          protocolLevel,
          clientId: id('dying'),
          reconnect: false,
          will: { topic, payload: Buffer.from('gone'), qos: 1, retain: false },
        });
        // The connection breaks without a DISCONNECT: the server publishes the will [MQTT-3.1.2-8].
        raw?.destroy();
        await waitFor(() => got.length === 1, 5000, 'the will');
        assert.equal(got[0]?.message.payload.toString(), 'gone');
      });

      it('keeps a persistent session: QoS 1 messages sent while away are delivered on resume', async () => {
        const topic = `persist/${id('p')}`;
        const clientId = id('persistent');
        const session = protocolLevel === 5 ? { properties: { sessionExpiryInterval: 300 } } : {};
        const first = await clients.connect({
          ...target(),
          protocolLevel,
          clientId,
          cleanStart: true,
          ...session,
        });
        await first.subscribe([
          { topicFilter: topic, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ]);
        await first.end();
        if (protocolLevel === 4) {
          // Clean Session 1 ends the 3.1.1 session: start a persistent one and subscribe again.
          const again = await clients.connect({ ...target(), protocolLevel, clientId, cleanStart: false });
          await again.subscribe([
            { topicFilter: topic, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
          ]);
          await again.end();
        }
        const pub = await clients.connect({ ...target(), protocolLevel, clientId: id('pub') });
        for (let i = 0; i < 5; i++) await pub.publish({ topic, payload: Buffer.from(String(i)), qos: 1 });
        const back = clients.make({ ...target(), protocolLevel, clientId, cleanStart: false, ...session });
        const got = collect(back);
        const connected = await back.connectOnce();
        assert.equal(connected.sessionPresent, true);
        await waitFor(() => got.length === 5, 5000, 'five queued messages');
        assert.deepEqual(
          got.map((g) => g.message.payload.toString()),
          ['0', '1', '2', '3', '4'],
        );
      });

      it('gives each local subscriber one copy with overlapping filters', async () => {
        const base = `overlap/${id('o')}`;
        const sub = await clients.connect({ ...target(), protocolLevel, clientId: id('sub') });
        const got = collect(sub);
        const qos: QoS = 1;
        const o = { qos, noLocal: false, retainAsPublished: false, retainHandling: 0 as const };
        await sub.addSubscriber('A', `${base}/#`, o);
        await sub.addSubscriber('A', `${base}/+/temp`, o);
        await sub.addSubscriber('B', `${base}/1/temp`, o);
        const pub = await clients.connect({ ...target(), protocolLevel, clientId: id('pub') });
        await pub.publish({ topic: `${base}/1/temp`, payload: Buffer.from('21'), qos: 1 });
        await pub.publish({ topic: `${base}/2/humidity`, payload: Buffer.from('50'), qos: 1 });
        await waitFor(() => got.some((g) => g.message.topic.endsWith('humidity')), 5000, 'the last message');
        const routed = new Map<string, string[]>();
        for (const g of got)
          routed.set(g.message.topic, [...(routed.get(g.message.topic) ?? []), ...g.subscribers]);
        assert.deepEqual(routed.get(`${base}/1/temp`)?.sort(), ['A', 'B']);
        assert.deepEqual(routed.get(`${base}/2/humidity`), ['A']);
      });
    });
  }
}
