import assert from 'node:assert/strict';
import { MqttClient } from '../../src/client';
import { parseConnectUrl } from '../../src/client/connect-url';
import { ClientError } from '../../src/client/errors';
import { freePort, sleep } from './e2e-support';

describe('MqttClient driver', () => {
  it('parses mqtt, mqtts, ws and wss URLs with default ports and paths', () => {
    assert.deepEqual(parseConnectUrl('mqtt://example.com'), {
      scheme: 'mqtt',
      host: 'example.com',
      port: 1883,
      path: '/mqtt',
      href: 'mqtt://example.com',
    });
    assert.equal(parseConnectUrl('mqtts://h').port, 8883);
    assert.equal(parseConnectUrl('ws://h:8080').href, 'ws://h:8080/mqtt');
    assert.equal(parseConnectUrl('wss://h/custom').path, '/custom');
    assert.equal(parseConnectUrl('mqtt://[::1]:1884').host, '::1');
    assert.throws(() => parseConnectUrl('http://h'), /unsupported URL scheme/);
    assert.throws(() => parseConnectUrl('not a url'), /invalid broker URL/);
  });

  it('reports a refused connection as close and retries with backoff', async () => {
    const port = await freePort();
    const client = new MqttClient({
      url: `mqtt://127.0.0.1:${port}`,
      reconnect: { minDelayMs: 20, maxDelayMs: 40 },
    });
    const closes: (ClientError | undefined)[] = [];
    client.on('close', (e) => closes.push(e));
    client.connect();
    await sleep(300);
    await client.end();
    assert.ok(closes.length >= 3, `retried (${closes.length} attempts)`);
    assert.ok(closes.every((e) => e instanceof ClientError && /ECONNREFUSED/.test(e.message)));
  });

  it('fails publishes still queued when ended, and refuses new ones', async () => {
    const port = await freePort();
    const client = new MqttClient({ url: `mqtt://127.0.0.1:${port}`, reconnect: false });
    const queued = client.publish({ topic: 't', payload: Buffer.from('x'), qos: 1 });
    assert.equal(client.session.queued, 1);
    await client.end();
    await assert.rejects(queued, /the client was ended/);
    await assert.rejects(client.publish({ topic: 't', payload: Buffer.alloc(0), qos: 0 }), /has ended/);
  });

  it('rejects a publish to an invalid topic with 0x90', async () => {
    const client = new MqttClient({ url: 'mqtt://127.0.0.1:1', reconnect: false });
    await assert.rejects(
      client.publish({ topic: 'a/+', payload: Buffer.alloc(0), qos: 0 }),
      (e: unknown) => e instanceof ClientError && e.reasonCode === 0x90,
    );
    await client.end();
  });

  it('tells a publishWith listener once: the refusal of an invalid topic, then the end', async () => {
    const client = new MqttClient({ url: 'mqtt://127.0.0.1:1', reconnect: false });
    const heard: string[] = [];
    const listener = (name: string) => ({
      resolve: () => heard.push(`${name} resolved`),
      reject: (e: ClientError) => heard.push(`${name} 0x${e.reasonCode.toString(16)}`),
    });
    client.publishWith({ topic: 'a/#', payload: Buffer.alloc(0), qos: 1 }, listener('bad'));
    client.publishWith({ topic: 'ok', payload: Buffer.alloc(0), qos: 1 }, listener('queued'));
    assert.deepEqual(heard, [], 'nothing is told before the flush');
    await sleep(20);
    assert.deepEqual(heard, ['bad 0x90']);
    await client.end();
    client.publishWith({ topic: 'ok', payload: Buffer.alloc(0), qos: 0 }, listener('late'));
    assert.deepEqual(heard, ['bad 0x90', 'queued 0x80', 'late 0x80']);
  });
});
