import assert from 'node:assert/strict';
import type { ClientError } from '../../src/client/errors';
import { clientRoundTrips } from '../client/e2e-suite';
import { Clients, collect, freePort, Mosquitto, waitFor } from '../client/e2e-support';

/** The client against a real mosquitto, started by the test on a free loopback port. */
describe('client end to end against mosquitto', function () {
  this.timeout(20000);
  let mosquitto: Mosquitto;
  before(async () => {
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
  });
  after(() => mosquitto.dispose());

  clientRoundTrips(() => ({ url: mosquitto.url }));

  describe('MQTT 5.0 features', () => {
    const clients = new Clients();
    afterEach(() => clients.endAll());

    it('carries user properties and the other publish properties both ways', async () => {
      const s = await clients.connect({ url: mosquitto.url, clientId: 'm-props-sub' });
      const got = collect(s);
      await s.subscribe([
        { topicFilter: 'mprops/t', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ]);
      const p = await clients.connect({ url: mosquitto.url, clientId: 'm-props-pub', autoTopicAlias: true });
      const userProperties: [string, string][] = [
        ['x', '1'],
        ['y', '2'],
      ];
      const res = await p.publish({
        topic: 'mprops/t',
        payload: Buffer.from('{}'),
        qos: 2,
        properties: {
          contentType: 'application/json',
          responseTopic: 'mprops/reply',
          correlationData: Buffer.from('abc'),
          payloadFormatIndicator: true,
          messageExpiryInterval: 30,
          userProperties,
        },
      });
      assert.deepEqual(res.reasonCodes, [0]);
      await waitFor(() => got.length === 1, 5000, 'the message');
      const m = got[0]?.message.properties ?? {};
      assert.equal(m.contentType, 'application/json');
      assert.equal(m.responseTopic, 'mprops/reply');
      assert.deepEqual(m.correlationData, Buffer.from('abc'));
      assert.equal(m.payloadFormatIndicator, true);
      assert.deepEqual(m.userProperties, userProperties);
    });

    it('flushes the offline queue after mosquitto restarts', async () => {
      // A fixed 1 s retry lets the watcher subscribe before the queued messages arrive.
      const reconnect = { minDelayMs: 1000, maxDelayMs: 1000 };
      const c = await clients.connect({ url: mosquitto.url, clientId: 'm-offline', reconnect });
      const closed = new Promise<ClientError | undefined>((resolve) => c.once('close', resolve));
      await mosquitto.stop();
      await closed;
      const pending = [0, 1, 2].map((i) =>
        c.publish({ topic: 'moff/t', payload: Buffer.from(String(i)), qos: 1 }),
      );
      await mosquitto.start();
      const watcher = await clients.connect({
        url: mosquitto.url,
        clientId: 'm-offline-sub',
        reconnect: false,
      });
      const got = collect(watcher);
      await watcher.subscribe([
        { topicFilter: 'moff/t', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ]);
      assert.equal(c.connected, false, 'still waiting to retry');
      const results = await Promise.all(pending);
      for (const r of results) assert.deepEqual(r.reasonCodes, [0]);
      await waitFor(() => got.length === 3, 5000, 'the queued messages');
      assert.deepEqual(
        got.map((g) => g.message.payload.toString()),
        ['0', '1', '2'],
      );
    });
  });
});
