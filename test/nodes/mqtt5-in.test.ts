import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { MqttClient as MqttJsClient } from 'mqtt';
import { isConnectionNode, type Mqtt5Connection } from '../../nodes/lib/connection-api';
import type { NodeMessage, NodeStatus } from '../../nodes/lib/node-red-types';
import { encodePacket, FrameDecoder } from '../../src/protocol';
import { Mosquitto } from '../client/e2e-support';
import {
  brokerModule,
  catalog,
  clearStatuses,
  collect,
  connectClient,
  delay,
  endClient,
  type FlowNode,
  freePort,
  helper,
  inject,
  LOG_ERROR,
  logged,
  nodeModule,
  statusesOf,
  TEST_USER_DIR,
  translator,
  until,
  WAIT_MS,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

const MODULES = [brokerModule, nodeModule('mqtt5-connection'), nodeModule('mqtt5-in')];
const PROBE = 'probe';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function brokerNode(port: number | undefined, extra: Record<string, unknown> = {}): FlowNode {
  const listeners = port === undefined ? [] : [{ type: 'tcp', port: String(port), localOnly: true }];
  return { id: 'b1', type: 'mqtt5 broker', listeners, persistence: 'memory', wires: [[]], ...extra };
}

function inNode(
  id: string,
  connection: string,
  topic: string,
  extra: Record<string, unknown> = {},
): FlowNode {
  return {
    id,
    type: 'mqtt5 in',
    connection,
    topic,
    qos: '2',
    nl: false,
    rap: true,
    rh: '0',
    datatype: 'auto-detect',
    wires: [[`h-${id}`]],
    ...extra,
  };
}

function dynamicNode(id: string, connection: string, extra: Record<string, unknown> = {}): FlowNode {
  return inNode(id, connection, '', { inputs: 1, ...extra });
}

function helperNode(id: string): FlowNode {
  return { id, type: 'helper' };
}

/**
 * A flow as the editor saves it: the nodes on a tab (so Node-RED stops them before the config
 * nodes, as on a real redeploy), plus a helper node for each `mqtt5 in` node (`h-<id>`).
 */
function withHelpers(nodes: FlowNode[]): FlowNode[] {
  const helpers = nodes.filter((n) => n.type === 'mqtt5 in').map((n) => helperNode(`h-${n.id}`));
  const onTab = [...nodes, ...helpers].map((n) => (n.type === 'mqtt5-connection' ? n : { ...n, z: 'f1' }));
  return [{ id: 'f1', type: 'tab', label: 'mqtt5 in' }, ...onTab];
}

function connectionNode(id: string): Mqtt5Connection {
  const node = helper.getNode(id);
  if (!isConnectionNode(node)) throw new Error(`${id} is not an mqtt5-connection node`);
  return node;
}

/** The msgs of a node without the probes that showed its subscription was in place. */
function real(msgs: NodeMessage[]): NodeMessage[] {
  return msgs.filter((m) => !String(m.topic).includes(PROBE) && m.payload !== PROBE);
}

function topics(msgs: NodeMessage[]): string[] {
  return real(msgs).map((m) => String(m.topic));
}

/**
 * Publishes `topic` until every collector has received it: the subscriptions are then in place
 * on the broker. The probes stay in the collectors; `real` leaves them out.
 */
async function primed(client: MqttJsClient, topic: string, collectors: NodeMessage[][]): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!collectors.every((c) => c.some((m) => m.topic === topic))) {
    if (Date.now() > deadline) throw new Error(`the subscriptions did not get ${topic} in time`);
    await client.publishAsync(topic, PROBE, { qos: 0 });
    await delay(20);
  }
}

/** The error a Catch node received: its text (without the `Error: ` of a done(error)) and its node. */
function caught(msg: NodeMessage | undefined): { message: string; source: string } {
  const error = msg?.['error'];
  if (!isRecord(error)) return { message: '', source: '' };
  const source = error['source'];
  const message = String(error['message']).replace(/^Error: /, '');
  return { message, source: isRecord(source) ? String(source['id']) : '' };
}

/** A `msg.action` msg; `msg.topic` may be anything, as flows send it. */
function action(name: string, ...topic: unknown[]): NodeMessage {
  const msg: NodeMessage = { action: name };
  if (topic.length > 0) Reflect.set(msg, 'topic', topic[0]);
  return msg;
}

function lastStatus(id: string): NodeStatus {
  const all = statusesOf(id);
  return all[all.length - 1] ?? {};
}

async function statusShows(id: string, pattern: RegExp): Promise<void> {
  await until(
    () => pattern.test(String(lastStatus(id).text)),
    `${id} status ${pattern} (last: ${String(lastStatus(id).text)})`,
  );
}

/**
 * A scripted MQTT 5 server: it grants every subscription on its first connection and refuses
 * every one (0x87) on the later ones, as a broker whose ACL changed while the client was away.
 */
async function aclChangingServer(): Promise<{
  url: string;
  connections(): number;
  granted(): number;
  drop(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let granted = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder({ protocolLevel: 5 });
    let number = 0;
    socket.on('data', (chunk) => {
      for (const packet of decoder.push(chunk)) {
        if (packet.type === 'connect') {
          number = ++connections;
          socket.write(encodePacket({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 5));
        } else if (packet.type === 'subscribe') {
          const codes = packet.subscriptions.map((s) => (number === 1 ? s.qos : 0x87));
          if (number === 1) granted += codes.length;
          socket.write(encodePacket({ type: 'suback', packetId: packet.packetId, reasonCodes: codes }, 5));
        } else if (packet.type === 'pingreq') {
          socket.write(encodePacket({ type: 'pingresp' }, 5));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connections: () => connections,
    granted: () => granted,
    drop: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('mqtt5 in node', function () {
  this.timeout(30000);
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    await helper.unload();
    for (const f of cleanups.splice(0).reverse()) await f();
    clearStatuses();
  });

  async function publisher(url: string): Promise<MqttJsClient> {
    const client = await connectClient(url, { protocolVersion: 5 });
    cleanups.push(() => endClient(client));
    return client;
  }

  async function mosquitto(): Promise<Mosquitto> {
    const broker = new Mosquitto(await freePort());
    await broker.start();
    cleanups.push(() => broker.dispose());
    return broker;
  }

  it('sends every field of a received message, in-process, with the count in its status', async () => {
    const port = await freePort();
    await helper.load(
      MODULES,
      withHelpers([
        brokerNode(port),
        { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'b1', clientId: 'in-fields' },
        inNode('i1', 'c1', 'fields/#'),
      ]),
    );
    const got = collect('h-i1');
    const pub = await publisher(`mqtt://127.0.0.1:${port}`);
    await primed(pub, 'fields/probe', [got]);

    await pub.publishAsync('fields/x', '{"t":21.5}', {
      qos: 1,
      properties: {
        userProperties: { unit: 'C', tag: ['a', 'b'] },
        responseTopic: 'replies/1',
        correlationData: Buffer.from('c-1'),
        contentType: 'application/json',
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
      },
    });
    await pub.publishAsync('fields/plain', 'hello', { qos: 0 });
    await until(() => real(got).length === 2, 'two messages');
    const [full, plain] = real(got);
    assert.ok(full !== undefined && plain !== undefined);
    assert.equal(full.topic, 'fields/x');
    assert.deepEqual(full.payload, { t: 21.5 });
    assert.equal(full['qos'], 1);
    assert.equal(full['retain'], false);
    assert.deepEqual(full['userProperties'], { unit: 'C', tag: ['a', 'b'] });
    assert.equal(full['responseTopic'], 'replies/1');
    assert.ok(Buffer.isBuffer(full['correlationData']));
    assert.equal(String(full['correlationData']), 'c-1');
    assert.equal(full['contentType'], 'application/json');
    assert.equal(full['payloadFormatIndicator'], true);
    const expiry = full['messageExpiryInterval'];
    assert.ok(typeof expiry === 'number' && expiry >= 58 && expiry <= 60, `expiry ${String(expiry)}`);
    const ids = full['subscriptionIdentifiers'];
    assert.ok(
      Array.isArray(ids) && ids.length === 1 && typeof ids[0] === 'number',
      'subscriptionIdentifiers',
    );

    assert.equal(plain.payload, 'hello');
    assert.equal(plain['qos'], 0);
    for (const absent of [
      'userProperties',
      'responseTopic',
      'correlationData',
      'contentType',
      'payloadFormatIndicator',
      'messageExpiryInterval',
    ]) {
      assert.ok(!(absent in plain), `${absent} is absent when the message has none`);
    }
    assert.ok(Array.isArray(plain['subscriptionIdentifiers']));
    const count = got.length;
    await statusShows('i1', new RegExp(`^connected as in-fields · ${count} received$`));
    assert.equal(lastStatus('i1').fill, 'green');
  });

  it('gives each output type over TCP, auto-detecting by content type, and sends bad JSON to Catch', async () => {
    const port = await freePort();
    const types = ['auto-detect', 'utf8', 'buffer', 'json', 'base64'];
    await helper.load(
      MODULES,
      withHelpers([
        brokerNode(port),
        { id: 'c1', type: 'mqtt5-connection', url: `mqtt://127.0.0.1:${port}` },
        ...types.map((datatype) => inNode(`as-${datatype}`, 'c1', 'dt/#', { datatype })),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['h-catch']] },
        helperNode('h-catch'),
      ]),
    );
    const got = Object.fromEntries(types.map((t) => [t, collect(`h-as-${t}`)]));
    const errors = collect('h-catch');
    const pub = await publisher(`mqtt://127.0.0.1:${port}`);
    // A probe of '0' is valid JSON, so no output type complains about it.
    const all = Object.values(got);
    const deadline = Date.now() + WAIT_MS;
    while (!all.every((c) => c.some((m) => m.topic === 'dt/probe'))) {
      assert.ok(Date.now() < deadline, 'the subscriptions are in place');
      await pub.publishAsync('dt/probe', '0', { qos: 0 });
      await delay(20);
    }

    const sent: [string, string | Buffer, Record<string, unknown>][] = [
      ['dt/json', '{"a":1}', {}],
      ['dt/text', 'hello', {}],
      ['dt/bin', Buffer.from([0xff, 0xfe, 0x00]), {}],
      ['dt/ct-json', '{"b":2}', { contentType: 'application/json' }],
      ['dt/ct-bin', '{"c":3}', { contentType: 'application/octet-stream' }],
      ['dt/pfi', '{"d":4}', { payloadFormatIndicator: true }],
      ['dt/bad', 'not json', { contentType: 'application/json' }],
    ];
    for (const [topic, payload, properties] of sent)
      await pub.publishAsync(topic, payload, { qos: 1, properties });
    const of = (type: string) => (got[type] ?? []).filter((m) => m.topic !== 'dt/probe');
    await until(
      () => of('utf8').length === 7 && of('auto-detect').length === 6 && of('json').length === 4,
      'the messages',
    );
    await until(() => errors.filter((m) => m.topic !== 'dt/probe').length === 4, 'four JSON errors');

    const payloads = (type: string) => Object.fromEntries(of(type).map((m) => [String(m.topic), m.payload]));
    assert.deepEqual(payloads('auto-detect'), {
      'dt/json': { a: 1 },
      'dt/text': 'hello',
      'dt/bin': Buffer.from([0xff, 0xfe, 0x00]),
      'dt/ct-json': { b: 2 },
      'dt/ct-bin': Buffer.from('{"c":3}'),
      'dt/pfi': '{"d":4}',
    });
    assert.deepEqual(payloads('json'), {
      'dt/json': { a: 1 },
      'dt/ct-json': { b: 2 },
      'dt/ct-bin': { c: 3 },
      'dt/pfi': { d: 4 },
    });
    for (const [topic, payload] of sent) {
      const bytes = Buffer.from(payload);
      assert.deepEqual(payloads('utf8')[topic], bytes.toString('utf8'));
      assert.deepEqual(payloads('buffer')[topic], bytes);
      assert.deepEqual(payloads('base64')[topic], bytes.toString('base64'));
    }
    const bad = errors.filter((m) => m.topic !== 'dt/probe');
    assert.deepEqual(bad.map((m) => `${caught(m).source} ${String(m.topic)}`).sort(), [
      'as-auto-detect dt/bad',
      'as-json dt/bad',
      'as-json dt/bin',
      'as-json dt/text',
    ]);
    const autoError = bad.find((m) => caught(m).source === 'as-auto-detect');
    assert.equal(autoError?.payload, 'not json', 'the msg carries the text as received');
    assert.equal(autoError?.['contentType'], 'application/json');
    assert.match(caught(autoError).message, /^The payload is not JSON: /);
  });

  it('honours retain handling, retain as published and no local', async () => {
    const port = await freePort();
    await helper.load(
      MODULES,
      withHelpers([
        brokerNode(port),
        { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'b1' },
        // Overlapping subscriptions of one client may get one merged copy: rap off gets its own.
        { id: 'c2', type: 'mqtt5-connection', target: 'broker', broker: 'b1' },
        dynamicNode('rh0', 'c1'),
        dynamicNode('rh1', 'c2'),
        dynamicNode('rh2', 'c1'),
        inNode('local', 'c1', 'nl/#', { nl: true }),
        inNode('other', 'c1', 'nl/+', { nl: false }),
        { id: 'completer', type: 'complete', scope: ['rh0', 'rh1', 'rh2'], wires: [['h-done']] },
        helperNode('h-done'),
      ]),
    );
    const got = {
      rh0: collect('h-rh0'),
      rh1: collect('h-rh1'),
      rh2: collect('h-rh2'),
      local: collect('h-local'),
      other: collect('h-other'),
    };
    const done = collect('h-done');
    const pub = await publisher(`mqtt://127.0.0.1:${port}`);
    await pub.publishAsync('keep/a', 'stored', { qos: 1, retain: true });
    await statusShows('rh0', /^connected as /);

    inject('rh0', action('subscribe', { topic: 'keep/#', rh: 0 }));
    inject('rh1', action('subscribe', { topic: 'keep/+', rh: '1', rap: false }));
    inject('rh2', action('subscribe', [{ topic: '+/a', rh: 2 }]));
    await until(() => done.length === 3, 'three SUBACKs');
    await pub.publishAsync('keep/a', 'live', { qos: 1, retain: true });
    await until(
      () => got.rh0.length === 2 && got.rh1.length === 2 && got.rh2.length === 1,
      'the retained and live messages',
    );
    const seen = (msgs: NodeMessage[]) => msgs.map((m) => `${String(m.payload)}:${String(m['retain'])}`);
    assert.deepEqual(seen(got.rh0), ['stored:true', 'live:true'], 'rh 0 sends the retained message');
    assert.deepEqual(
      seen(got.rh1),
      ['stored:true', 'live:false'],
      'rh 1 sends it to a new subscription; rap off',
    );
    assert.deepEqual(seen(got.rh2), ['live:true'], 'rh 2 sends no retained message; rap on');

    // No local: what this connection publishes does not come back to the node asking so.
    await primed(pub, 'nl/probe', [got.local, got.other]);
    await connectionNode('c1').publish({ topic: 'nl/self', payload: Buffer.from('self'), qos: 1 });
    await pub.publishAsync('nl/peer', 'peer', { qos: 1 });
    await until(
      () => topics(got.local).length === 1 && topics(got.other).length === 2,
      'the no-local messages',
    );
    assert.deepEqual(topics(got.local), ['nl/peer']);
    assert.deepEqual(topics(got.other), ['nl/self', 'nl/peer']);
  });

  /**
   * Two nodes with overlapping filters and a third with the first one's filter, on one
   * connection: each gets each of its messages exactly once.
   */
  async function overlapping(
    url: string,
    connection: FlowNode,
    extra: FlowNode[] = [],
  ): Promise<NodeMessage[][]> {
    await helper.load(
      MODULES,
      withHelpers([
        ...extra,
        connection,
        inNode('wide', 'c1', 'a/#'),
        inNode('narrow', 'c1', 'a/+/c'),
        inNode('same', 'c1', 'a/#'),
      ]),
    );
    const wide = collect('h-wide');
    const narrow = collect('h-narrow');
    const same = collect('h-same');
    const pub = await publisher(url);
    await primed(pub, 'a/probe/c', [wide, narrow, same]);
    for (const topic of ['a/b/c', 'a/b', 'a/x/c', 'a/b/c/d', 'b/b/c', 'a/end/c']) {
      await pub.publishAsync(topic, topic, { qos: 1 });
    }
    await until(() => [wide, narrow, same].every((c) => topics(c).includes('a/end/c')), 'the last message');
    assert.deepEqual(topics(wide), ['a/b/c', 'a/b', 'a/x/c', 'a/b/c/d', 'a/end/c']);
    assert.deepEqual(topics(same), ['a/b/c', 'a/b', 'a/x/c', 'a/b/c/d', 'a/end/c']);
    assert.deepEqual(topics(narrow), ['a/b/c', 'a/x/c', 'a/end/c']);
    return [wide, narrow, same];
  }

  it('gives each of two nodes with overlapping filters one copy, from our broker', async () => {
    const port = await freePort();
    const [wide] = await overlapping(
      `mqtt://127.0.0.1:${port}`,
      { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'b1' },
      [brokerNode(port)],
    );
    // A message storm: every message arrives, the status changes a few times a second at most.
    const pub = await publisher(`mqtt://127.0.0.1:${port}`);
    const before = statusesOf('wide').length;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => pub.publishAsync(`a/storm/${i}`, 'x', { qos: 0 })),
    );
    await until(
      () => (wide ?? []).filter((m) => String(m.topic).startsWith('a/storm/')).length === 300,
      'the storm',
    );
    const total = wide?.length ?? 0;
    await statusShows('wide', new RegExp(` · ${total} received$`));
    const shown = statusesOf('wide').length - before;
    const seconds = (Date.now() - started) / 1000;
    assert.ok(shown <= Math.ceil(seconds * 2) + 2, `${shown} statuses in ${seconds} s`);
  });

  it('gives each of two nodes with overlapping filters one copy, from mosquitto (one copy per subscription)', async () => {
    const broker = await mosquitto();
    const [wide] = await overlapping(broker.url, { id: 'c1', type: 'mqtt5-connection', url: broker.url });
    const ids = wide?.find((m) => m.topic === 'a/b/c')?.['subscriptionIdentifiers'];
    assert.ok(Array.isArray(ids) && ids.length >= 1, 'mosquitto sends subscription identifiers');
  });

  it('routes exactly on a 3.1.1 connection, by matching topics locally', async () => {
    const port = await freePort();
    const [wide] = await overlapping(
      `mqtt://127.0.0.1:${port}`,
      { id: 'c1', type: 'mqtt5-connection', url: `mqtt://127.0.0.1:${port}`, protocolVersion: '4' },
      [brokerNode(port)],
    );
    const msg = wide?.find((m) => m.topic === 'a/b/c');
    assert.ok(
      msg !== undefined && !('subscriptionIdentifiers' in msg),
      'no subscription identifiers on 3.1.1',
    );
    assert.equal(connectionNode('c1').protocolLevel, 4);
  });

  it('routes exactly on a 3.1.1 connection to mosquitto', async () => {
    const broker = await mosquitto();
    const [wide] = await overlapping(broker.url, {
      id: 'c1',
      type: 'mqtt5-connection',
      url: broker.url,
      protocolVersion: '4',
    });
    assert.ok(wide?.every((m) => !('subscriptionIdentifiers' in m)));
  });

  /**
   * Three nodes share `$share/g/work/+`, on three connections (the broker balances) or on one
   * (the nodes take turns): each gets some, none twice.
   */
  async function shared(url: string, extra: FlowNode[], oneConnection = false): Promise<void> {
    const connections = oneConnection ? [1] : [1, 2, 3];
    await helper.load(
      MODULES,
      withHelpers([
        ...extra,
        ...connections.map((n) => ({ id: `c${n}`, type: 'mqtt5-connection', url, clientId: `share-${n}` })),
        ...[1, 2, 3].map((n) =>
          inNode(`s${n}`, oneConnection ? 'c1' : `c${n}`, '$share/g/work/+', { qos: '1' }),
        ),
      ]),
    );
    const got = [collect('h-s1'), collect('h-s2'), collect('h-s3')];
    const pub = await publisher(url);
    await primed(pub, 'work/probe', got);
    const count = 60;
    for (let i = 0; i < count; i++) await pub.publishAsync('work/job', String(i), { qos: 1 });
    const jobs = () => got.map((c) => real(c).map((m) => String(m.payload)));
    await until(() => jobs().flat().length >= count, 'every job');
    await delay(100);
    const all = jobs().flat();
    assert.equal(all.length, count, 'no job twice');
    assert.deepEqual(
      [...all].sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: count }, (_, i) => String(i)),
    );
    for (const [n, mine] of jobs().entries()) assert.ok(mine.length > 0, `s${n + 1} got some jobs`);
  }

  it('balances a shared subscription across three nodes, on our broker', async () => {
    const port = await freePort();
    await shared(`mqtt://127.0.0.1:${port}`, [brokerNode(port)]);
  });

  it('balances a shared subscription across three nodes on one connection: they take turns', async () => {
    const port = await freePort();
    await shared(`mqtt://127.0.0.1:${port}`, [brokerNode(port)], true);
  });

  it('balances a shared subscription across three nodes, on mosquitto', async () => {
    const broker = await mosquitto();
    await shared(broker.url, []);
  });

  it('subscribes, lists and unsubscribes dynamically, in every form of the core node', async () => {
    const port = await freePort();
    await helper.load(
      MODULES,
      withHelpers([
        brokerNode(port),
        { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'b1', clientId: 'dyn' },
        dynamicNode('d1', 'c1'),
        { id: 'completer', type: 'complete', scope: ['d1'], wires: [['h-done']] },
        { id: 'catcher', type: 'catch', scope: ['d1'], uncaught: false, wires: [['h-catch']] },
        helperNode('h-done'),
        helperNode('h-catch'),
      ]),
    );
    const got = collect('h-d1');
    const done = collect('h-done');
    const errors = collect('h-catch');
    const pub = await publisher(`mqtt://127.0.0.1:${port}`);
    await statusShows('d1', /^connected as dyn$/);
    const completed = async (msg: NodeMessage): Promise<NodeMessage> => {
      const n = done.length;
      inject('d1', msg);
      await until(() => done.length > n, `completion of ${JSON.stringify(msg)}`);
      const last = done[done.length - 1];
      assert.ok(last !== undefined);
      return last;
    };
    const listed = (msg: NodeMessage) => (Array.isArray(msg['subscriptions']) ? msg['subscriptions'] : []);

    let result = await completed(action('subscribe', 'dyn/a'));
    assert.deepEqual(listed(result), [{ topic: 'dyn/a', qos: 2, nl: false, rap: true, rh: 0 }]);
    await completed(action('subscribe', { topic: 'dyn/b', qos: 1, datatype: 'buffer' }));
    await completed(action('subscribe', ['dyn/c', { topic: 'dyn/d/#', qos: '0', rh: 2, nl: 'true' }]));
    inject('d1', action('getSubscriptions'));
    await until(() => got.some((m) => m.topic === 'subscriptions'), 'the subscriptions');
    assert.deepEqual(got.find((m) => m.topic === 'subscriptions')?.payload, [
      { topic: 'dyn/a', qos: 2, nl: false, rap: true, rh: 0 },
      { topic: 'dyn/b', qos: 1, nl: false, rap: true, rh: 0, datatype: 'buffer' },
      { topic: 'dyn/c', qos: 2, nl: false, rap: true, rh: 0 },
      { topic: 'dyn/d/#', qos: 0, nl: true, rap: true, rh: 2 },
    ]);

    for (const topic of ['dyn/a', 'dyn/b', 'dyn/zz', 'dyn/d/e'])
      await pub.publishAsync(topic, topic, { qos: 1 });
    await until(() => topics(got).includes('dyn/d/e'), 'the messages');
    const messages = got.filter((m) => m.topic !== 'subscriptions');
    assert.deepEqual(
      messages.map((m) => [m.topic, m['qos']]),
      [
        ['dyn/a', 1],
        ['dyn/b', 1],
        ['dyn/d/e', 0],
      ],
    );
    assert.equal(messages[0]?.payload, 'dyn/a');
    assert.deepEqual(messages[1]?.payload, Buffer.from('dyn/b'), 'the subscription has its own output type');

    // Subscribing again with other options replaces the subscription.
    result = await completed(action('subscribe', { topic: 'dyn/a', qos: 0 }));
    assert.deepEqual(listed(result)[3], { topic: 'dyn/a', qos: 0, nl: false, rap: true, rh: 0 });

    result = await completed(action('unsubscribe', 'dyn/a'));
    assert.deepEqual(
      listed(result).map((s: unknown) => (isRecord(s) ? s['topic'] : s)),
      ['dyn/b', 'dyn/c', 'dyn/d/#'],
    );
    result = await completed(action('unsubscribe', [{ topic: 'dyn/b' }, 'dyn/c']));
    assert.equal(listed(result).length, 1);
    got.length = 0;
    for (const topic of ['dyn/a', 'dyn/b', 'dyn/d/last']) await pub.publishAsync(topic, topic, { qos: 1 });
    await until(() => topics(got).includes('dyn/d/last'), 'the last message');
    assert.deepEqual(topics(got), ['dyn/d/last'], 'nothing from the unsubscribed filters');

    result = await completed(action('unsubscribe', true));
    assert.deepEqual(listed(result), []);
    await completed(action('subscribe', ['dyn/x', 'dyn/y']));
    result = await completed(action('unsubscribe'));
    assert.deepEqual(listed(result), [], 'no msg.topic: all');

    // Disconnect and connect through the node; its subscriptions come back with the connection.
    await completed(action('subscribe', 'dyn/again'));
    await completed(action('disconnect'));
    await statusShows('d1', /^not connected · 4 received$/);
    await completed(action('connect'));
    await statusShows('d1', /^connected as dyn/);
    await pub.publishAsync('dyn/again', 'back', { qos: 1 });
    await until(() => topics(got).includes('dyn/again'), 'a message after reconnecting');

    // Mistakes reach Catch nodes.
    inject('d1', action('nope'));
    inject('d1', action('subscribe', 'bad/#/x'));
    inject('d1', action('subscribe', 42));
    inject('d1', action('subscribe', { topic: '$share/g/x', nl: true }));
    await until(() => errors.length === 4, 'four errors');
    assert.deepEqual(
      errors.map((m) => caught(m).message.split(/[:"]/)[0]?.trim()),
      [
        'Unknown msg.action',
        'Cannot subscribe',
        'msg.topic must be a topic filter, an object with a topic, or an array of them',
        'No local cannot be used with the shared subscription',
      ],
    );
  });

  it('shows a refused subscription in its status and raises it to Catch, static and dynamic', async () => {
    const acl = [
      { who: 'everyone', access: 'readwrite', topic: '#' },
      { who: 'everyone', access: 'deny', topic: 'secret/#' },
    ];
    await helper.load(
      MODULES,
      withHelpers([
        brokerNode(undefined, { acl }),
        { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'b1', clientId: 'acl' },
        inNode('static', 'c1', 'secret/x'),
        dynamicNode('d1', 'c1'),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['h-catch']] },
        { id: 'completer', type: 'complete', scope: ['d1'], wires: [['h-done']] },
        helperNode('h-catch'),
        helperNode('h-done'),
      ]),
    );
    const errors = collect('h-catch');
    const done = collect('h-done');
    await statusShows('static', /^connected as acl · subscribe refused: 0x87 /);
    assert.deepEqual(lastStatus('static'), {
      fill: 'red',
      shape: 'ring',
      text: 'connected as acl · subscribe refused: 0x87 NotAuthorized',
    });
    await until(() => errors.length === 1, 'the static refusal at Catch');
    assert.equal(caught(errors[0]).source, 'static');
    assert.equal(errors[0]?.topic, 'secret/x');
    assert.equal(errors[0]?.['reasonCode'], 0x87);
    assert.equal(caught(errors[0]).message, 'Subscription to "secret/x" refused: 0x87 NotAuthorized');

    inject('d1', action('subscribe', ['open/#', 'secret/#']));
    await until(() => errors.length === 2, 'the dynamic refusal at Catch');
    assert.equal(caught(errors[1]).source, 'd1');
    assert.equal(errors[1]?.['reasonCode'], 0x87);
    assert.deepEqual(errors[1]?.['subscriptions'], [
      { topic: 'open/#', qos: 2, nl: false, rap: true, rh: 0 },
    ]);
    assert.equal(done.length, 0, 'a refused msg does not complete');
    await statusShows('d1', /subscribe refused: 0x87 NotAuthorized$/);
    inject('d1', action('subscribe', 'open/more'));
    await until(() => done.length === 1, 'a granted subscription');
    await statusShows('d1', /^connected as acl$/);
    assert.equal(lastStatus('d1').fill, 'green');
  });

  it('shows a refusal of the subscription made again after a reconnect, and raises it to Catch', async () => {
    const server = await aclChangingServer();
    cleanups.push(() => server.close());
    await helper.load(
      MODULES,
      withHelpers([
        { id: 'c1', type: 'mqtt5-connection', url: server.url, clientId: 'again' },
        inNode('static', 'c1', 'plant/#'),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['h-catch']] },
        helperNode('h-catch'),
      ]),
    );
    const errors = collect('h-catch');
    await statusShows('static', /^connected as again$/);
    await until(() => server.granted() === 1, 'the subscription granted on the first connection');
    await delay(100);
    assert.equal(errors.length, 0, 'no refusal on the first connection');
    server.drop();
    await until(() => server.connections() === 2, 'the reconnect', 15000);
    await statusShows('static', /^connected as again · subscribe refused: 0x87 NotAuthorized$/);
    assert.equal(lastStatus('static').fill, 'red');
    await until(() => errors.length === 1, 'the refusal at Catch');
    assert.equal(caught(errors[0]).source, 'static');
    assert.equal(errors[0]?.topic, 'plant/#');
    assert.equal(errors[0]?.['reasonCode'], 0x87);
    // The node keeps its filter: the next connection asks again, and its refusal shows again.
    server.drop();
    await until(() => server.connections() === 3, 'the second reconnect', 15000);
    await until(() => errors.length === 2, 'the second refusal at Catch', 15000);
  });

  it('keeps its subscription over a restart of a persistent session: no QoS 1 message is lost', async () => {
    const broker = await mosquitto();
    const flow = withHelpers([
      {
        id: 'c1',
        type: 'mqtt5-connection',
        url: broker.url,
        clientId: 'in-persistent',
        cleanStart: false,
        sessionExpiry: '60',
      },
      inNode('p1', 'c1', 'persist/#', { qos: '1' }),
    ]);
    await helper.load(MODULES, flow);
    const pub = await publisher(broker.url);
    await primed(pub, 'persist/probe', [collect('h-p1')]);
    await helper.unload();

    for (const n of [1, 2, 3]) await pub.publishAsync('persist/n', String(n), { qos: 1 });
    await helper.load(MODULES, flow);
    const got = collect('h-p1');
    await until(() => real(got).length === 3, 'the queued messages');
    assert.deepEqual(
      real(got).map((m) => m.payload),
      [1, 2, 3],
    );
  });

  it('reports an invalid filter, a missing connection and no local on a shared subscription', async () => {
    await helper.load(
      MODULES,
      withHelpers([
        { id: 'c1', type: 'mqtt5-connection', url: 'mqtt://127.0.0.1:1' },
        inNode('bad', 'c1', 'a/#/b'),
        inNode('none', '', 'a/b'),
        inNode('share', 'c1', '$share/g/a', { nl: true }),
        inNode('qos', 'c1', 'a', { qos: '3' }),
      ]),
    );
    const t = translator('en-US', 'mqtt5-in');
    assert.deepEqual(lastStatus('bad'), {
      fill: 'red',
      shape: 'ring',
      text: `Cannot subscribe: Invalid topic filter "a/#/b": '#' must be the last character`,
    });
    assert.equal(lastStatus('none').text, t('mqtt5-in.errors.connection-missing'));
    assert.equal(lastStatus('share').text, t('mqtt5-in.errors.nl-shared', { topic: '$share/g/a' }));
    assert.match(String(lastStatus('qos').text), /^Invalid qos for "a": 3/);
    assert.equal(logged(LOG_ERROR).length, 4);
  });
});

/** The editor's node definition, from running its script against a stub `RED`. */
function editorDefinition(): Record<string, unknown> {
  const html = readFileSync(join(__dirname, '..', '..', 'nodes', 'mqtt5-in.html'), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error('no editor script');
  const registered: { type: string; definition: unknown }[] = [];
  const RED = {
    nodes: { registerType: (type: string, definition: unknown) => registered.push({ type, definition }) },
  };
  runInNewContext(script, { RED, $: () => ({ length: 0 }) });
  assert.equal(registered[0]?.type, 'mqtt5 in');
  const definition = registered[0]?.definition;
  if (!isRecord(definition)) throw new Error('no definition');
  return definition;
}

function validator(field: string): (value: unknown, node: Record<string, unknown>) => unknown {
  const defaults = editorDefinition()['defaults'];
  const entry = isRecord(defaults) ? defaults[field] : undefined;
  const validate = isRecord(entry) ? entry['validate'] : undefined;
  if (typeof validate !== 'function') throw new Error(`${field} has no validator`);
  const t = translator('en-US', 'mqtt5-in');
  return (value, node) => Reflect.apply(validate, { _: t, ...node }, [value, { field }]);
}

describe('mqtt5 in editor and catalog', () => {
  it('validates the topic filter as the runtime does', () => {
    const topic = validator('topic');
    for (const good of ['a/b', 'a/+/c', '#', '+', 'a/#', '/', '$share/g/a/#', '$SYS/#']) {
      assert.equal(topic(good, {}), true, good);
    }
    const t = translator('en-US', 'mqtt5-in');
    assert.equal(topic('', {}), t('mqtt5-in.validation.topic-missing'));
    for (const bad of ['a/#/b', 'a+', 'a/b#', '#/a']) {
      assert.equal(topic(bad, {}), t('mqtt5-in.validation.topic-invalid'), bad);
    }
    for (const bad of ['$share/g', '$share//a', '$share/g+/a', '$share/g/']) {
      assert.equal(topic(bad, {}), t('mqtt5-in.validation.share-invalid'), bad);
    }
    assert.equal(topic('', { inputs: 1 }), true, 'a dynamic node has no topic');
    const nl = validator('nl');
    assert.equal(nl(true, { topic: '$share/g/a' }), t('mqtt5-in.validation.nl-shared'));
    assert.equal(nl(true, { topic: 'a' }), true);
  });

  it('has a catalog entry for every key the node, its lib and its editor use', () => {
    const root = join(__dirname, '..', '..', '..');
    const files = [
      join(root, 'nodes', 'mqtt5-in.ts'),
      join(root, 'nodes', 'mqtt5-in.html'),
      ...['in-actions', 'in-control', 'in-settings', 'in-status', 'in-subscription', 'in-subscriptions'].map(
        (f) => join(root, 'nodes', 'lib', `${f}.ts`),
      ),
    ];
    const t = translator('en-US', 'mqtt5-in');
    const keys = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/mqtt5-in\.([a-z]+\.[A-Za-z0-9-]+)/g)) keys.add(`mqtt5-in.${m[1]}`);
      for (const m of text.matchAll(/(?:fail|problem)\('([a-z-]+)'/g)) {
        if (m[1] !== 'json-invalid') keys.add(`mqtt5-in.errors.${m[1]}`);
      }
    }
    for (const key of ['mqtt5-in.paletteLabel', 'mqtt5-in.inputLabel', 'mqtt5-in.outputLabel']) keys.add(key);
    assert.ok(keys.size > 30, `found ${keys.size} keys`);
    for (const key of keys) assert.doesNotThrow(() => t(key), key);
    assert.ok(isRecord(catalog('en-US', 'mqtt5-in')['mqtt5-in']));
  });
});
