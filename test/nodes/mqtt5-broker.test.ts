import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { isInProcessBroker } from '../../nodes/lib/in-process';
import type { NodeMessage, NodeStatus } from '../../nodes/lib/node-red-types';
import { encodePacket } from '../../src/protocol/encode';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet } from '../../src/protocol/types';
import { makeSelfSignedCert } from '../transport/helpers';
import {
  brokerModule,
  clearStatuses,
  collect,
  connectClient,
  delay,
  endClient,
  type FlowNode,
  freePort,
  helper,
  inject,
  LOG_WARN,
  logged,
  refusalCode,
  statusesOf,
  statusOf,
  TEST_USER_DIR,
  tlsConfigModule,
  until,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

/** The broker node `b1` wired to helper `out`, and a status node reporting it to helper `sh`. */
function brokerFlow(props: Record<string, unknown>, extra: FlowNode[] = []): FlowNode[] {
  return [
    { id: 'b1', type: 'mqtt5 broker', name: 'broker', wires: [['out']], ...props },
    { id: 'out', type: 'helper' },
    { id: 'st', type: 'status', scope: ['b1'], wires: [['sh']] },
    { id: 'sh', type: 'helper' },
    ...extra,
  ];
}

function tcp(port: number): Record<string, unknown> {
  return { type: 'tcp', port: String(port), localOnly: true };
}

function lastStatus(statuses: NodeStatus[]): NodeStatus {
  return statuses[statuses.length - 1] ?? {};
}

async function statusShows(statuses: NodeStatus[], text: string): Promise<void> {
  await until(
    () => lastStatus(statuses).text === text,
    `status "${text}" (have ${statuses.map((st) => st.text).join(' | ')})`,
  );
}

function topics(msgs: NodeMessage[]): unknown[] {
  return msgs.map((m) => m.topic);
}

function payloadOf(msgs: NodeMessage[], topic: string): Record<string, unknown> {
  const msg = msgs.find((m) => m.topic === topic);
  const payload = msg?.payload;
  if (typeof payload !== 'object' || payload === null) throw new Error(`no ${topic} msg`);
  return Object.fromEntries(Object.entries(payload));
}

describe('mqtt5 broker node', function () {
  this.timeout(30000);
  const clients: MqttClient[] = [];

  async function open(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<MqttClient> {
    const client = await connectClient(url, { protocolVersion: 5, ...options });
    clients.push(client);
    return client;
  }

  async function refusal(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<unknown> {
    try {
      await open(url, options);
    } catch (error) {
      return refusalCode(error);
    }
    throw new Error('the broker accepted the client');
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(endClient));
    await helper.unload();
    clearStatuses();
  });

  it('accepts an MQTT.js client on 127.0.0.1 and shows the port and the client count', async () => {
    const port = await freePort();
    await helper.load(brokerModule, brokerFlow({ listeners: [tcp(port)] }));
    const statuses = statusesOf('b1');
    const statusMsgs = collect('sh');
    await statusShows(statuses, `tcp:${port} · 0 clients`);
    assert.equal(lastStatus(statuses).fill, 'green');
    assert.equal(lastStatus(statuses).shape, 'dot');

    const client = await open(`mqtt://127.0.0.1:${port}`, { clientId: 'c1' });
    await statusShows(statuses, `tcp:${port} · 1 client`);
    const second = await open(`mqtt://127.0.0.1:${port}`, { clientId: 'c2' });
    await statusShows(statuses, `tcp:${port} · 2 clients`);
    await endClient(client);
    await endClient(second);
    await statusShows(statuses, `tcp:${port} · 0 clients`);
    // A status node in the flow sees the same.
    assert.ok(statusMsgs.some((m) => statusOf(m).text === `tcp:${port} · 2 clients`));
  });

  for (const persistence of ['memory', 'file'] as const) {
    it(`keeps a persistent session and its queued QoS 1 messages across a redeploy (${persistence} store)`, async () => {
      const port = await freePort();
      const flow = brokerFlow({ listeners: [tcp(port)], persistence });
      const url = `mqtt://127.0.0.1:${port}`;
      const durable = { clientId: 'keeper', clean: false, properties: { sessionExpiryInterval: 600 } };
      await helper.load(brokerModule, flow);
      const sub = await open(url, durable);
      await sub.subscribeAsync('kept/#', { qos: 1 });
      await sub.endAsync();
      const pub = await open(url, { clientId: 'sender' });
      for (let i = 0; i < 5; i++) await pub.publishAsync('kept/a', `m${i}`, { qos: 1 });
      await pub.endAsync();
      await helper.unload();
      if (persistence === 'file') {
        assert.ok(
          existsSync(join(TEST_USER_DIR, 'mqtt5-broker', 'b1', 'state.snapshot')),
          'file store written',
        );
      }

      await helper.load(brokerModule, flow);
      // The listeners open once the store has loaded: wait for them with a throwaway client.
      await (await open(url, { clientId: 'probe' })).endAsync();
      const received: string[] = [];
      const again = mqtt.connect(url, { ...durable, reconnectPeriod: 0 });
      clients.push(again);
      again.on('message', (_topic, payload) => received.push(payload.toString()));
      await until(() => received.length === 5, 'the 5 queued messages');
      assert.deepEqual(received, ['m0', 'm1', 'm2', 'm3', 'm4']);
    });
  }

  it('emits broker events as msgs: topic is the event type, payload the event', async () => {
    const port = await freePort();
    await helper.load(brokerModule, brokerFlow({ listeners: [tcp(port)], publishEvents: true }));
    const out = collect('out');
    const client = await open(`mqtt://127.0.0.1:${port}`, { clientId: 'ev' });
    await client.subscribeAsync('ev/#', { qos: 1 });
    await client.publishAsync('ev/a', 'hi', { qos: 1 });
    await client.unsubscribeAsync('ev/#');
    await client.endAsync();
    await until(() => topics(out).includes('client-disconnected'), 'client-disconnected');

    assert.deepEqual(topics(out), [
      'client-connected',
      'subscribed',
      'published',
      'unsubscribed',
      'client-disconnected',
    ]);
    assert.equal(payloadOf(out, 'client-connected')['clientId'], 'ev');
    assert.equal(payloadOf(out, 'client-connected')['protocolLevel'], 5);
    assert.equal(payloadOf(out, 'subscribed')['filter'], 'ev/#');
    assert.equal(payloadOf(out, 'subscribed')['qos'], 1);
    const published = payloadOf(out, 'published');
    assert.equal(published['topic'], 'ev/a');
    assert.ok(Buffer.isBuffer(published['payload']));
    assert.equal(String(published['payload']), 'hi');
    assert.equal(payloadOf(out, 'client-disconnected')['reasonCode'], 0);
  });

  it('sends no published msgs unless the option is on', async () => {
    const port = await freePort();
    await helper.load(brokerModule, brokerFlow({ listeners: [tcp(port)] }));
    const out = collect('out');
    const client = await open(`mqtt://127.0.0.1:${port}`, { clientId: 'quiet' });
    await client.publishAsync('q/a', 'x', { qos: 1 });
    await client.subscribeAsync('q/#');
    await until(() => topics(out).includes('subscribed'), 'subscribed');
    assert.ok(!topics(out).includes('published'));
  });

  it('checks users: the right password gets in, a wrong one and anonymous clients are refused', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    await helper.load(
      brokerModule,
      brokerFlow({ listeners: [tcp(port)], accounts: [{ username: 'alice' }], anonymous: 'auto' }),
      { b1: { passwords: JSON.stringify({ alice: 'wonderland' }) } },
    );
    const out = collect('out');
    await open(url, { clientId: 'a1', username: 'alice', password: 'wonderland' });
    assert.equal(await refusal(url, { clientId: 'a2', username: 'alice', password: 'nope' }), 0x86);
    assert.equal(await refusal(url, { clientId: 'a3', username: 'mallory', password: 'x' }), 0x86);
    assert.equal(await refusal(url, { clientId: 'anon' }), 0x87);
    await until(() => topics(out).filter((t) => t === 'connect-refused').length === 3, 'three refusals');
    assert.equal(payloadOf(out, 'connect-refused')['reasonCode'], 0x86);
  });

  it('does not crash on a missing password: it warns, starts, and that user cannot log in', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    await helper.load(
      brokerModule,
      brokerFlow({ listeners: [tcp(port)], accounts: [{ username: 'alice' }, { username: 'bob' }] }),
      { b1: { passwords: JSON.stringify({ alice: 'wonderland' }) } },
    );
    const statuses = statusesOf('b1');
    await statusShows(statuses, `tcp:${port} · 0 clients`);
    assert.ok(logged(LOG_WARN).some((m) => m.includes('"bob" has no password')));
    assert.equal(await refusal(url, { clientId: 'b', username: 'bob', password: '' }), 0x86);
    assert.equal(await refusal(url, { clientId: 'b', username: 'bob' }), 0x86);
    await open(url, { clientId: 'a', username: 'alice', password: 'wonderland' });
  });

  it('starts with no credentials at all, or unreadable ones, and lets no user in', async () => {
    for (const credentials of [undefined, { b1: { passwords: 'not json' } }]) {
      const port = await freePort();
      const url = `mqtt://127.0.0.1:${port}`;
      await helper.load(
        brokerModule,
        brokerFlow({ listeners: [tcp(port)], accounts: [{ username: 'alice' }] }),
        credentials,
      );
      const statuses = statusesOf('b1');
      await statusShows(statuses, `tcp:${port} · 0 clients`);
      assert.ok(logged(LOG_WARN).length > 0);
      assert.equal(await refusal(url, { clientId: 'a', username: 'alice', password: 'wonderland' }), 0x86);
      assert.equal(await refusal(url, { clientId: 'anon' }), 0x87);
      await helper.unload();
      clearStatuses();
    }
  });

  it('follows the anonymous setting: allow with users, deny without', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    await helper.load(
      brokerModule,
      brokerFlow({ listeners: [tcp(port)], accounts: [{ username: 'alice' }], anonymous: 'allow' }),
      { b1: { passwords: JSON.stringify({ alice: 'pw' }) } },
    );
    await open(url, { clientId: 'anon' });
    await helper.unload();
    clearStatuses();

    await helper.load(brokerModule, brokerFlow({ listeners: [tcp(port)], anonymous: 'deny' }));
    assert.equal(await refusal(url, { clientId: 'anon' }), 0x87);
  });

  it('enforces ACL rules with %u: denied subscriptions and publishes do not get through', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    await helper.load(
      brokerModule,
      brokerFlow({
        listeners: [tcp(port)],
        accounts: [{ username: 'alice' }, { username: 'bob' }],
        acl: [
          { who: 'everyone', access: 'readwrite', topic: 'home/%u/#' },
          { who: 'user', username: 'alice', access: 'read', topic: 'home/#' },
        ],
      }),
      { b1: { passwords: JSON.stringify({ alice: 'a-pw', bob: 'b-pw' }) } },
    );
    const alice = await open(url, { clientId: 'alice', username: 'alice', password: 'a-pw' });
    const bob = await open(url, { clientId: 'bob', username: 'bob', password: 'b-pw' });
    await bob.subscribeAsync('home/bob/#');
    await assert.rejects(bob.subscribeAsync('home/alice/#'), /Not authorized/);
    const aliceGot: string[] = [];
    alice.on('message', (topic) => aliceGot.push(topic));
    await alice.subscribeAsync('home/#');
    await bob.publishAsync('home/alice/door', 'forged', { qos: 0 });
    await bob.publishAsync('home/bob/door', 'open', { qos: 0 });
    await until(() => aliceGot.includes('home/bob/door'), "bob's own topic");
    await delay(100);
    assert.deepEqual(aliceGot, ['home/bob/door']);
  });

  it('shows a bad ACL rule in the status and does not start', async () => {
    const port = await freePort();
    await helper.load(
      brokerModule,
      brokerFlow({ listeners: [tcp(port)], acl: [{ who: 'everyone', access: 'read', topic: 'a/#/b' }] }),
    );
    const statuses = statusesOf('b1');
    await until(() => String(lastStatus(statuses).text).includes('ACL rule 1'), 'the ACL error');
    assert.equal(lastStatus(statuses).fill, 'red');
    assert.equal(lastStatus(statuses).shape, 'ring');
    assert.match(String(lastStatus(statuses).text), /^cannot start the broker: ACL rule 1: "a\/#\/b"/);
    await assert.rejects(connectClient(`mqtt://127.0.0.1:${port}`, { connectTimeout: 1000 }));
  });

  it('reports settings it cannot use, in the status, by their editor label', async () => {
    await helper.load(brokerModule, brokerFlow({ listeners: [{ type: 'tcp', port: 'abc' }] }));
    let statuses = statusesOf('b1');
    await until(() => lastStatus(statuses).fill === 'red', 'a red status');
    assert.equal(lastStatus(statuses).text, 'listener 1 needs a port from 0 to 65535');
    assert.equal(lastStatus(statuses).fill, 'red');
    await helper.unload();
    clearStatuses();

    await helper.load(brokerModule, brokerFlow({ listeners: [], receiveMaximum: '0' }));
    statuses = statusesOf('b1');
    await until(() => lastStatus(statuses).fill === 'red', 'a red status');
    assert.equal(lastStatus(statuses).text, 'Receive maximum must be a whole number from 1 to 65535');
    await helper.unload();
    clearStatuses();

    await helper.load(brokerModule, brokerFlow({ listeners: [{ type: 'tls', port: '8883' }] }));
    statuses = statusesOf('b1');
    await until(() => lastStatus(statuses).fill === 'red', 'a red status');
    assert.equal(lastStatus(statuses).text, 'a TLS or WSS listener needs a TLS configuration');
  });

  it('shows a port in use with a red ring, and keeps the other listeners working', async () => {
    const taken = await freePort();
    const free = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    try {
      await helper.load(brokerModule, brokerFlow({ listeners: [tcp(taken), tcp(free)] }));
      const statuses = statusesOf('b1');
      await statusShows(statuses, `port ${taken} is already in use · tcp:${free} · 0 clients`);
      assert.equal(lastStatus(statuses).fill, 'red');
      assert.equal(lastStatus(statuses).shape, 'ring');
      await open(`mqtt://127.0.0.1:${free}`, { clientId: 'still-works' });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('serves MQTT over WebSocket on a port of its own, at a path', async () => {
    const port = await freePort();
    await helper.load(
      brokerModule,
      brokerFlow({ listeners: [{ type: 'ws', port: String(port), path: '/mqtt', localOnly: true }] }),
    );
    const statuses = statusesOf('b1');
    await statusShows(statuses, `ws:${port} · 0 clients`);
    const client = await open(`ws://127.0.0.1:${port}/mqtt`, { clientId: 'ws-own' });
    const got: string[] = [];
    client.on('message', (_topic, payload) => got.push(payload.toString()));
    await client.subscribeAsync('ws/t');
    await client.publishAsync('ws/t', 'over ws');
    await until(() => got.includes('over ws'), 'the message over ws');
  });

  it('serves TLS with a tls-config node, a passphrase-protected key included', async () => {
    const { key, cert } = makeSelfSignedCert();
    const encrypted = createPrivateKey(key).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'open sesame',
    });
    const port = await freePort();
    await helper.load(
      [tlsConfigModule, brokerModule],
      brokerFlow({ listeners: [{ type: 'tls', port: String(port), localOnly: true }], tls: 'tls1' }, [
        { id: 'tls1', type: 'tls-config', cert: '', key: '', ca: '', verifyservercert: false },
      ]),
      {
        tls1: { certdata: cert.toString(), keydata: encrypted.toString(), passphrase: 'open sesame' },
      },
    );
    const statuses = statusesOf('b1');
    await statusShows(statuses, `tls:${port} · 0 clients`);
    await open(`mqtts://127.0.0.1:${port}`, { clientId: 'tls', ca: cert, rejectUnauthorized: true });
    await statusShows(statuses, `tls:${port} · 1 client`);
  });

  it('gives other nodes an in-process connection: CONNECT in, CONNACK out, no socket', async () => {
    await helper.load(brokerModule, brokerFlow({ listeners: [] }));
    const statuses = statusesOf('b1');
    const out = collect('out');
    await statusShows(statuses, 'in-process only · 0 clients');
    const node = helper.getNode('b1');
    assert.ok(isInProcessBroker(node));
    const transport = node.connectInProcess();
    const decoder = new FrameDecoder({ protocolLevel: 5 });
    const received: Packet[] = [];
    transport.onData((chunk) => received.push(...decoder.push(chunk)));
    transport.write(
      encodePacket(
        {
          type: 'connect',
          protocolName: 'MQTT',
          protocolLevel: 5,
          clientId: 'in-proc',
          cleanStart: true,
          keepAlive: 60,
        },
        5,
      ),
    );
    await until(() => received.length > 0, 'a CONNACK');
    const connack = received[0];
    assert.equal(connack?.type, 'connack');
    assert.equal(connack?.type === 'connack' ? connack.reasonCode : -1, 0);
    await statusShows(statuses, 'in-process only · 1 client');
    assert.equal(payloadOf(out, 'client-connected')['remoteAddress'], 'in-process');
    transport.close();
    await statusShows(statuses, 'in-process only · 0 clients');
  });

  it('answers any input msg with the broker figures', async () => {
    const port = await freePort();
    await helper.load(brokerModule, brokerFlow({ listeners: [tcp(port)] }));
    const out = collect('out');
    await open(`mqtt://127.0.0.1:${port}`, { clientId: 'counted' });
    inject('b1', { payload: 'go', keep: 'me' });
    await until(() => topics(out).includes('stats'), 'the stats msg');
    const msg = out.find((m) => m.topic === 'stats');
    assert.equal(msg?.['keep'], 'me');
    const stats = payloadOf(out, 'stats');
    assert.equal(stats['clients'], 1);
    assert.equal(stats['connections'], 1);
    assert.ok(Array.isArray(stats['listening']));
  });
});
