import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type RunningBroker, startBroker, waitFor } from './broker-fixture';

/** End to end: MQTT.js, the reference client, against our broker over TCP, at 5.0 and 3.1.1. */

interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  properties: mqtt.IPublishPacket['properties'];
}

function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

function collect(client: MqttClient): Received[] {
  const out: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    out.push({
      topic,
      payload: payload.toString(),
      qos: packet.qos,
      retain: packet.retain,
      properties: packet.properties,
    }),
  );
  return out;
}

function end(client: MqttClient, force = false): Promise<void> {
  return new Promise((resolve) => client.end(force, {}, () => resolve()));
}

for (const protocolVersion of [5, 4] as const) {
  describe(`broker with MQTT.js at protocol ${protocolVersion === 5 ? '5.0' : '3.1.1'}`, function () {
    this.timeout(20000);
    let broker: RunningBroker;
    const clients: MqttClient[] = [];
    const open = async (options: IClientOptions = {}): Promise<MqttClient> => {
      const c = await connect(broker.url, { protocolVersion, ...options });
      clients.push(c);
      return c;
    };

    beforeEach(async () => {
      broker = await startBroker();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => end(c, true)));
      await broker.close();
    });

    it('delivers QoS 0, 1 and 2 publishes in order', async () => {
      const sub = await open({ clientId: 'sub' });
      const got = collect(sub);
      await sub.subscribeAsync('e2e/#', { qos: 2 });
      const pub = await open({ clientId: 'pub' });
      for (const qos of [0, 1, 2] as const) {
        for (let i = 0; i < 20; i++) await pub.publishAsync(`e2e/q${qos}`, `${qos}-${i}`, { qos });
      }
      await waitFor(() => got.length === 60, 5000, '60 messages');
      for (const qos of [0, 1, 2]) {
        const mine = got.filter((m) => m.topic === `e2e/q${qos}`);
        assert.deepEqual(
          mine.map((m) => m.payload),
          Array.from({ length: 20 }, (_, i) => `${qos}-${i}`),
        );
        assert.ok(mine.every((m) => m.qos === qos));
      }
    });

    it('keeps a retained message for later subscribers and clears it with an empty payload', async () => {
      const pub = await open({ clientId: 'pub' });
      await pub.publishAsync('e2e/retained', 'kept', { qos: 1, retain: true });
      const late = await open({ clientId: 'late' });
      const got = collect(late);
      await late.subscribeAsync('e2e/retained', { qos: 1 });
      await waitFor(() => got.length === 1, 5000, 'the retained message');
      assert.equal(got[0]?.payload, 'kept');
      assert.equal(got[0]?.retain, true);
      await pub.publishAsync('e2e/retained', '', { qos: 1, retain: true });
      const later = await open({ clientId: 'later' });
      const none = collect(later);
      await later.subscribeAsync('e2e/retained', { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(none.length, 0);
    });

    it('publishes the will when a client drops without DISCONNECT', async () => {
      const watcher = await open({ clientId: 'watcher' });
      const got = collect(watcher);
      await watcher.subscribeAsync('e2e/will', { qos: 1 });
      const doomed = await open({
        clientId: 'doomed',
        will: { topic: 'e2e/will', payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      // Destroy the socket: no DISCONNECT reaches the broker.
      doomed.stream.destroy();
      await waitFor(() => got.length === 1, 5000, 'the will');
      assert.equal(got[0]?.payload, 'gone');
    });

    it('keeps a persistent session and delivers what arrived while the client was away', async () => {
      const options: IClientOptions =
        protocolVersion === 5
          ? { clientId: 'durable', clean: false, properties: { sessionExpiryInterval: 300 } }
          : { clientId: 'durable', clean: false };
      const first = await open(options);
      await first.subscribeAsync('e2e/durable', { qos: 1 });
      await end(first);
      const pub = await open({ clientId: 'pub' });
      for (let i = 0; i < 10; i++) await pub.publishAsync('e2e/durable', `m${i}`, { qos: 1 });
      // Listen before the CONNACK: the queued messages may arrive in the same read.
      const again = mqtt.connect(broker.url, { protocolVersion, reconnectPeriod: 0, ...options });
      clients.push(again);
      const got = collect(again);
      await waitFor(() => got.length === 10, 5000, 'the queued messages');
      assert.deepEqual(
        got.map((m) => m.payload),
        Array.from({ length: 10 }, (_, i) => `m${i}`),
      );
    });

    it('balances a shared subscription across the group', async () => {
      const members = await Promise.all([
        open({ clientId: 'w1' }),
        open({ clientId: 'w2' }),
        open({ clientId: 'w3' }),
      ]);
      const counts = members.map((m) => collect(m));
      for (const m of members) await m.subscribeAsync('$share/pool/e2e/jobs', { qos: 1 });
      const pub = await open({ clientId: 'pub' });
      for (let i = 0; i < 30; i++) await pub.publishAsync('e2e/jobs', `job${i}`, { qos: 1 });
      await waitFor(() => counts.reduce((n, c) => n + c.length, 0) === 30, 5000, '30 jobs');
      assert.deepEqual(
        counts.map((c) => c.length),
        [10, 10, 10],
      );
    });

    if (protocolVersion === 5) {
      it('carries the 5.0 properties from publisher to subscriber unaltered', async () => {
        const sub = await open({ clientId: 'sub' });
        const got = collect(sub);
        await sub.subscribeAsync('e2e/props', { qos: 1, properties: { subscriptionIdentifier: 42 } });
        const pub = await open({ clientId: 'pub' });
        await pub.publishAsync('e2e/props', '{"a":1}', {
          qos: 1,
          properties: {
            userProperties: { site: 'north', unit: 'celsius' },
            responseTopic: 'e2e/reply',
            correlationData: Buffer.from([1, 2, 3]),
            contentType: 'application/json',
            payloadFormatIndicator: true,
            messageExpiryInterval: 60,
          },
        });
        await waitFor(() => got.length === 1, 5000, 'the message');
        const props = got[0]?.properties ?? {};
        assert.deepEqual({ ...props.userProperties }, { site: 'north', unit: 'celsius' });
        assert.equal(props.responseTopic, 'e2e/reply');
        assert.deepEqual(props.correlationData, Buffer.from([1, 2, 3]));
        assert.equal(props.contentType, 'application/json');
        assert.equal(props.payloadFormatIndicator, true);
        assert.ok((props.messageExpiryInterval ?? 0) > 0 && (props.messageExpiryInterval ?? 0) <= 60);
        assert.deepEqual(props.subscriptionIdentifier, 42);
      });

      it('accepts topic aliases from the client', async () => {
        const sub = await open({ clientId: 'sub' });
        const got = collect(sub);
        await sub.subscribeAsync('e2e/alias/#', { qos: 1 });
        const pub = await open({ clientId: 'pub', properties: { topicAliasMaximum: 10 } });
        await pub.publishAsync('e2e/alias/long/topic', 'one', { qos: 1, properties: { topicAlias: 3 } });
        await pub.publishAsync('', 'two', { qos: 1, properties: { topicAlias: 3 } });
        await waitFor(() => got.length === 2, 5000, 'both messages');
        assert.deepEqual(
          got.map((m) => [m.topic, m.payload]),
          [
            ['e2e/alias/long/topic', 'one'],
            ['e2e/alias/long/topic', 'two'],
          ],
        );
      });

      it('refuses a second connection with the same client id by taking over the session (0x8E)', async () => {
        const first = await open({ clientId: 'twin' });
        const reason = new Promise<number | undefined>((resolve) =>
          first.once('disconnect', (packet) => resolve(packet.reasonCode)),
        );
        await open({ clientId: 'twin' });
        assert.equal(await reason, 0x8e);
      });
    }
  });
}
