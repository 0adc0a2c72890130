import assert from 'node:assert/strict';
import { Broker } from '../../src/broker/broker';
import { ScramSha256 } from '../../src/broker/scram';
import { ScramUsers } from '../../src/broker/scram-users';
import { MqttClient, scramAuthenticator } from '../../src/client';
import { ClientError } from '../../src/client/errors';
import { ReasonCode } from '../../src/protocol';
import { BrokerServer } from '../../src/server/broker-server';
import { createTransportPair } from '../../src/transport';
import { clientRoundTrips } from '../client/e2e-suite';
import { Clients, collect, freePort, waitFor } from '../client/e2e-support';
import { type RunningBroker, startBroker } from './broker-fixture';

const sub = (topicFilter: string, qos: 0 | 1 | 2 = 1) => ({
  topicFilter,
  qos,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0 as const,
});

describe('client end to end against our broker', function () {
  this.timeout(20000);
  let broker: RunningBroker;
  let wsUrl = '';
  before(async () => {
    broker = await startBroker();
    const ws = await broker.server.listen({ name: 'ws', type: 'ws', host: '127.0.0.1', port: 0 });
    wsUrl = `ws://127.0.0.1:${ws.port}/mqtt`;
  });
  after(() => broker.close());

  describe('over TCP', () => clientRoundTrips(() => ({ url: broker.url })));
  describe('over WebSocket', () => clientRoundTrips(() => ({ url: wsUrl }), [5]));
  describe('in process', () =>
    clientRoundTrips(
      () => ({
        transport: () => {
          const [client, server] = createTransportPair();
          broker.server.attach(server, 'in-process');
          return client;
        },
      }),
      [5],
    ));

  describe('MQTT 5.0 features', () => {
    const clients = new Clients();
    afterEach(() => clients.endAll());

    it('carries every publish property both ways, user properties in order', async () => {
      const s = await clients.connect({ url: broker.url, clientId: 'props-sub' });
      const got = collect(s);
      await s.subscribe([sub('props/t')], { userProperties: [['sub', '1']] });
      const p = await clients.connect({ url: broker.url, clientId: 'props-pub', autoTopicAlias: true });
      const properties = {
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        responseTopic: 'props/reply',
        correlationData: Buffer.from([1, 2, 3]),
        contentType: 'text/plain',
        userProperties: [
          ['a', '1'],
          ['b', '2'],
          ['a', '3'],
        ] as [string, string][],
      };
      await p.publish({ topic: 'props/t', payload: Buffer.from('p'), qos: 1, properties });
      await p.publish({ topic: 'props/t', payload: Buffer.from('q'), qos: 1, properties });
      await waitFor(() => got.length === 2, 5000, 'two messages');
      for (const g of got) {
        const m = g.message.properties ?? {};
        assert.equal(g.message.topic, 'props/t', 'the alias was resolved');
        assert.equal(m.payloadFormatIndicator, true);
        assert.ok((m.messageExpiryInterval ?? 0) > 0 && (m.messageExpiryInterval ?? 0) <= 60);
        assert.equal(m.responseTopic, 'props/reply');
        assert.deepEqual(m.correlationData, Buffer.from([1, 2, 3]));
        assert.equal(m.contentType, 'text/plain');
        assert.deepEqual(m.userProperties, properties.userProperties);
        assert.equal(m.subscriptionIdentifiers, undefined);
      }
    });

    it('keeps an idle connection alive with PINGREQ from the driver timer', async () => {
      const c = await clients.connect({ url: broker.url, clientId: 'idle', keepAlive: 1, reconnect: false });
      let closed = false;
      c.on('close', () => {
        closed = true;
      });
      // The broker drops a client silent for 1.5 x Keep Alive [MQTT-3.1.2-22].
      await new Promise((r) => setTimeout(r, 2600));
      assert.equal(closed, false);
      assert.equal(c.connected, true);
    });

    it('rejects a publish the broker refuses with its reason code', async () => {
      const c = await clients.connect({ url: broker.url, clientId: 'sys-writer' });
      await assert.rejects(
        c.publish({ topic: '$SYS/x', payload: Buffer.from('no'), qos: 1 }),
        (e: unknown) => e instanceof ClientError && e.reasonCode === ReasonCode.NotAuthorized,
      );
    });

    it('refuses a publish larger than the Maximum Packet Size before sending it (0x95)', async () => {
      const small = await startBroker({ config: { maximumPacketSize: 200, maximumQoS: 1 } });
      try {
        const c = await clients.connect({ url: small.url, clientId: 'big' });
        assert.equal(c.capabilities?.maximumPacketSize, 200);
        await assert.rejects(
          c.publish({ topic: 't', payload: Buffer.alloc(500), qos: 0 }),
          (e: unknown) => e instanceof ClientError && e.reasonCode === ReasonCode.PacketTooLarge,
        );
        await assert.rejects(
          c.publish({ topic: 't', payload: Buffer.alloc(1), qos: 2 }),
          (e: unknown) => e instanceof ClientError && e.reasonCode === ReasonCode.QoSNotSupported,
        );
        assert.equal(c.connected, true, 'a refused publish leaves the connection up');
      } finally {
        await clients.endAll();
        await small.close();
      }
    });

    it('authenticates with SCRAM-SHA-256 and verifies the server', async () => {
      const users = new ScramUsers([{ username: 'alice', password: 'secret' }]);
      const secured = await startBroker({ enhancedAuth: [new ScramSha256(users)] });
      try {
        const good = await clients.connect({
          url: secured.url,
          clientId: 'scram-ok',
          authenticator: scramAuthenticator({ username: 'alice', password: 'secret' }),
        });
        assert.equal(good.connected, true);
        const bad = clients.make({
          url: secured.url,
          clientId: 'scram-bad',
          reconnect: false,
          authenticator: scramAuthenticator({ username: 'alice', password: 'wrong' }),
        });
        await assert.rejects(
          bad.connectOnce(),
          (e: unknown) => e instanceof ClientError && e.reasonCode >= 0x80,
        );
      } finally {
        await clients.endAll();
        await secured.close();
      }
    });

    it('queues publishes while the broker is down and sends them after reconnecting', async () => {
      const port = await freePort();
      const listen = async () => {
        const server = new BrokerServer(new Broker({ config: { sysInterval: 0 } }), { tickInterval: 100 });
        await server.listen({ name: 'tcp', type: 'tcp', host: '127.0.0.1', port });
        return server;
      };
      let server = await listen();
      const url = `mqtt://127.0.0.1:${port}`;
      // A fixed 1 s retry lets the watcher subscribe before the queued messages arrive.
      const c = await clients.connect({
        url,
        clientId: 'offline-pub',
        reconnect: { minDelayMs: 1000, maxDelayMs: 1000 },
      });
      const closed = new Promise((resolve) => c.once('close', resolve));
      await server.close();
      await closed;
      const pending = [0, 1, 2].map((i) =>
        c.publish({ topic: 'offline/t', payload: Buffer.from(String(i)), qos: 1 }),
      );
      const qos0 = c.publish({ topic: 'offline/t', payload: Buffer.from('3'), qos: 0 });
      assert.equal(c.session.queued, 4);
      server = await listen();
      try {
        const watcher = new MqttClient({ url, clientId: 'offline-sub', reconnect: false });
        const got = collect(watcher);
        await watcher.connectOnce();
        await watcher.subscribe([sub('offline/t')]);
        await Promise.all([...pending, qos0]);
        await waitFor(() => got.length === 4, 5000, 'the queued messages');
        assert.deepEqual(
          got.map((g) => g.message.payload.toString()),
          ['0', '1', '2', '3'],
        );
        await watcher.end();
      } finally {
        await clients.endAll();
        await server.close();
      }
    });
  });
});
