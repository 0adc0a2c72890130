import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { IPublishPacket, MqttClient as MqttJsClient } from 'mqtt';
import type { NodeMessage, NodeStatus } from '../../nodes/lib/node-red-types';
import {
  evaluatedDefinition,
  readPublishDefaults,
  staticDefinition,
  typedPublishDefaults,
} from '../../nodes/lib/out-defaults';
import { markFailure, publishFailure } from '../../nodes/lib/out-failure';
import { settingProblemText } from '../../nodes/lib/out-problems';
import { ClientError } from '../../src/client';
import { Mosquitto } from '../client/e2e-support';
import {
  allModules,
  clearStatuses,
  collect,
  connectClient,
  delay,
  endClient,
  type FlowNode,
  freePort,
  functionModule,
  helper,
  inject,
  loadOnTab,
  statusesOf,
  TEST_USER_DIR,
  translator,
  until,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

const MODULES = [...allModules(), functionModule];

function load(flow: FlowNode[]): Promise<void> {
  return loadOnTab(MODULES, flow);
}

/**
 * An `mqtt5 broker` node on a loopback TCP port, kept in memory, allowing topic aliases up to 10
 * as mosquitto does. Its memory store outlives a redeploy, so each test gets a new node id: no
 * retained message of one test reaches the next.
 */
let brokers = 0;
function brokerNode(port: number, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: `out-b${++brokers}`,
    type: 'mqtt5 broker',
    listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
    persistence: 'memory',
    topicAliasMaximum: '10',
    wires: [[]],
    ...extra,
  };
}

/** The connection `c1`, in-process to the broker node. */
function inProcess(broker: FlowNode): FlowNode {
  return { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: broker.id };
}

function withInProcess(broker: FlowNode): FlowNode[] {
  return [broker, inProcess(broker)];
}

function outNode(extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'o1', type: 'mqtt5 out', connection: 'c1', ...extra };
}

/** A Catch node for every node of the flow, and a Complete node for `o1`, each into a helper. */
const WATCHERS: FlowNode[] = [
  { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
  { id: 'complete', type: 'complete', scope: ['o1'], uncaught: false, wires: [['completed']] },
  { id: 'completed', type: 'helper' },
];

interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: IPublishPacket['properties'];
}

/** An MQTT.js v5 client subscribed to `filter` at QoS 2, recording every message. */
async function subscriber(url: string, filter = '#'): Promise<{ client: MqttJsClient; got: Received[] }> {
  const client = await connectClient(url, { protocolVersion: 5 });
  const got: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    got.push({ topic, payload, qos: packet.qos, retain: packet.retain, properties: packet.properties }),
  );
  await client.subscribeAsync(filter, { qos: 2 });
  return { client, got };
}

/** `msg.error.message` as a Catch node gives it: Node-RED writes the Error as `Error: <message>`. */
function errorText(msg: NodeMessage | undefined): string {
  const error = msg?.['error'];
  const text = typeof error === 'object' && error !== null ? String(Reflect.get(error, 'message')) : '';
  assert.match(text, /^Error: /);
  return text.slice('Error: '.length);
}

function lastStatus(id: string): NodeStatus {
  return statusesOf(id).at(-1) ?? {};
}

/** A TCP relay whose broker → client direction can be held, to delay the acknowledgements. */
async function relay(target: number): Promise<{
  port: number;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let held = false;
  const backlog: { to: Socket; data: Buffer }[] = [];
  const server: Server = createServer((inbound) => {
    const outbound = tcpConnect(target, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.on('data', (data) => outbound.write(data));
    outbound.on('data', (data) => {
      if (held) backlog.push({ to: inbound, data });
      else inbound.write(data);
    });
    const end = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const { to, data } of backlog.splice(0)) to.write(data);
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Where the connection goes: our broker node (in-process or over TCP), or a real mosquitto. */
interface Target {
  name: string;
  start(): Promise<{ flow: FlowNode[]; url: string; stop(): Promise<void> }>;
}

const TARGETS: Target[] = [
  {
    name: 'an mqtt5 broker node, in-process',
    async start() {
      const port = await freePort();
      const broker = brokerNode(port);
      return { flow: [broker, inProcess(broker)], url: `mqtt://127.0.0.1:${port}`, stop: async () => {} };
    },
  },
  {
    name: 'an mqtt5 broker node over TCP',
    async start() {
      const port = await freePort();
      const url = `mqtt://127.0.0.1:${port}`;
      return {
        flow: [brokerNode(port), { id: 'c1', type: 'mqtt5-connection', url }],
        url,
        stop: async () => {},
      };
    },
  },
  {
    name: 'mosquitto',
    async start() {
      const mosquitto = new Mosquitto(await freePort());
      await mosquitto.start();
      return {
        flow: [{ id: 'c1', type: 'mqtt5-connection', url: mosquitto.url }],
        url: mosquitto.url,
        stop: () => mosquitto.dispose(),
      };
    },
  },
];

describe('mqtt5 out node', function () {
  this.timeout(30000);
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    await helper.unload();
    for (const f of cleanups.splice(0).reverse()) await f();
    clearStatuses();
  });

  for (const target of TARGETS) {
    describe(`publishing to ${target.name}`, () => {
      /** Loads the flow with an out node, and subscribes an MQTT.js client to `#`. */
      async function setUp(out: Record<string, unknown> = {}) {
        const started = await target.start();
        cleanups.push(() => started.stop());
        await load([...started.flow, outNode(out), ...WATCHERS]);
        const watch = await subscriber(started.url);
        cleanups.push(() => endClient(watch.client));
        const caught = collect('caught');
        const completed = collect('completed');
        return { ...started, ...watch, caught, completed };
      }

      it('sends every msg field, with the node user properties merged key by key', async () => {
        const { got, completed } = await setUp({
          replyShortcut: false,
          userProperties: [
            { key: 'site', value: 'north' },
            { key: 'unit', value: 'C' },
            { key: 'site', value: 'south' },
            { key: 'unit', value: 'K' },
          ],
        });
        const correlation = Buffer.from([0, 1, 2, 255]);
        inject('o1', {
          topic: 'fields/all',
          payload: { t: 21.5 },
          qos: 1,
          retain: false,
          userProperties: { unit: 'F', tag: ['a', 'b'], n: 3 },
          responseTopic: 'fields/reply',
          correlationData: correlation,
          contentType: 'application/json',
          payloadFormatIndicator: true,
          messageExpiryInterval: 600,
        });
        inject('o1', {
          topic: 'fields/text',
          payload: 'x',
          correlationData: 'corr-text',
          payloadFormatIndicator: 0,
        });
        await until(() => got.length === 2 && completed.length === 2, 'both messages');
        const [all, text] = got;
        assert.equal(all?.topic, 'fields/all');
        assert.equal(all?.payload.toString(), '{"t":21.5}');
        assert.equal(all?.qos, 1);
        const p = all?.properties;
        // The msg's `unit` replaces both of the node's; the node's repeated `site` stays.
        assert.deepEqual(
          { ...p?.userProperties },
          { site: ['north', 'south'], unit: 'F', tag: ['a', 'b'], n: '3' },
        );
        assert.equal(p?.responseTopic, 'fields/reply');
        assert.deepEqual(p?.correlationData, correlation);
        assert.equal(p?.contentType, 'application/json');
        assert.equal(p?.payloadFormatIndicator, true);
        assert.ok(
          p?.messageExpiryInterval !== undefined &&
            p.messageExpiryInterval > 590 &&
            p.messageExpiryInterval <= 600,
        );
        // Only the node's user properties, and correlation data given as a string.
        assert.equal(text?.qos, 0);
        assert.deepEqual(
          { ...text?.properties?.userProperties },
          { site: ['north', 'south'], unit: ['C', 'K'] },
        );
        assert.deepEqual(text?.properties?.correlationData, Buffer.from('corr-text'));
        assert.notEqual(text?.properties?.payloadFormatIndicator, true);
        assert.equal(text?.properties?.responseTopic, undefined);
      });

      it('lets the node topic, QoS and retain win, and msg v5 fields override the node defaults', async () => {
        const { url, got, completed } = await setUp({
          topic: 'prec/node',
          qos: '1',
          retain: 'true',
          contentType: 'text/plain',
          messageExpiryInterval: '300',
          responseTopic: 'prec/node-reply',
          correlationData: 'node-corr',
        });
        inject('o1', { topic: 'prec/msg', payload: 'a', qos: 0, retain: false });
        inject('o1', {
          topic: 'prec/msg',
          payload: 'b',
          qos: 2,
          contentType: 'application/xml',
          messageExpiryInterval: 30,
          responseTopic: 'prec/msg-reply',
          correlationData: Buffer.from('msg-corr'),
        });
        await until(() => got.length === 2 && completed.length === 2, 'two messages');
        const [a, b] = got;
        assert.deepEqual([a?.topic, a?.qos, b?.topic, b?.qos], ['prec/node', 1, 'prec/node', 1]);
        assert.equal(a?.properties?.contentType, 'text/plain');
        assert.ok((a?.properties?.messageExpiryInterval ?? 0) > 290);
        assert.equal(a?.properties?.responseTopic, 'prec/node-reply');
        assert.deepEqual(a?.properties?.correlationData, Buffer.from('node-corr'));
        assert.equal(b?.properties?.contentType, 'application/xml');
        assert.ok((b?.properties?.messageExpiryInterval ?? 99) <= 30);
        assert.equal(b?.properties?.responseTopic, 'prec/msg-reply');
        assert.deepEqual(b?.properties?.correlationData, Buffer.from('msg-corr'));
        // The node's retain won over msg.retain false: a new subscriber gets the last one retained.
        const late = await subscriber(url, 'prec/node');
        cleanups.push(() => endClient(late.client));
        await until(() => late.got.length === 1, 'the retained message');
        assert.equal(late.got[0]?.retain, true);
        assert.equal(late.got[0]?.payload.toString(), 'b');
      });

      it('retains from msg.retain, and converts every payload type', async () => {
        const { url, got, completed } = await setUp();
        const payloads: [unknown, Buffer][] = [
          ['text é', Buffer.from('text é', 'utf8')],
          [Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3])],
          [{ a: [1, null] }, Buffer.from('{"a":[1,null]}')],
          [[1, 'x'], Buffer.from('[1,"x"]')],
          [42.5, Buffer.from('42.5')],
          [false, Buffer.from('false')],
          [null, Buffer.alloc(0)],
          [undefined, Buffer.alloc(0)],
        ];
        payloads.forEach(([payload], i) => {
          inject('o1', { topic: `types/${i}`, payload, qos: 1 });
        });
        await until(() => got.length === payloads.length, 'every payload');
        payloads.forEach(([, expected], i) => {
          assert.deepEqual(got.find((r) => r.topic === `types/${i}`)?.payload, expected, `payload ${i}`);
        });
        inject('o1', { topic: 'types/kept', payload: 'r', retain: true, qos: 1 });
        inject('o1', { topic: 'types/kept-too', payload: 'r', retain: 'true', qos: 1 });
        await until(() => completed.length === payloads.length + 2, 'the retained publishes');
        const late = await subscriber(url, 'types/#');
        cleanups.push(() => endClient(late.client));
        await until(() => late.got.length === 2, 'the retained messages');
        assert.deepEqual(
          late.got.map((m) => m.retain),
          [true, true],
        );
      });

      it('uses an explicit topic alias, and refuses one past the server maximum with 0x94', async () => {
        const { got, caught, completed } = await setUp();
        inject('o1', { topic: 'alias/a', payload: '1', topicAlias: 3, qos: 1 });
        await until(() => completed.length === 1, 'the first aliased publish');
        inject('o1', { topic: 'alias/a', payload: '2', topicAlias: 3, qos: 1 });
        inject('o1', { topic: 'alias/b', payload: '3', topicAlias: 4, qos: 1 });
        await until(() => got.length === 3, 'three aliased messages');
        assert.deepEqual(
          got.map((m) => `${m.topic}=${m.payload.toString()}`),
          ['alias/a=1', 'alias/a=2', 'alias/b=3'],
        );
        inject('o1', { topic: 'alias/c', payload: '4', topicAlias: 11, qos: 1, tag: 'too-high' });
        await until(() => caught.length === 1, 'the refusal');
        assert.equal(caught[0]?.['reasonCode'], 0x94);
        assert.equal(caught[0]?.['tag'], 'too-high');
        assert.match(errorText(caught[0]), /alias\/c.*0x94/);
      });
    });
  }

  it('calls done only after the PUBACK (QoS 1) or PUBCOMP (QoS 2), after the write at QoS 0, many in flight', async () => {
    const port = await freePort();
    const cut = await relay(port);
    cleanups.push(() => cut.close());
    await load([
      brokerNode(port),
      { id: 'c1', type: 'mqtt5-connection', url: `mqtt://127.0.0.1:${cut.port}` },
      outNode(),
      ...WATCHERS,
    ]);
    const watch = await subscriber(`mqtt://127.0.0.1:${port}`);
    cleanups.push(() => endClient(watch.client));
    const completed = collect('completed');
    await until(() => String(lastStatus('o1').text).startsWith('connected'), 'the connection');
    cut.hold();
    for (let i = 0; i < 20; i++) inject('o1', { topic: `acked/${i}`, payload: String(i), qos: 1 });
    // All 20 reach the broker (and the subscriber) before any acknowledgement: none waits for another.
    await until(() => watch.got.length === 20, 'the 20 messages at the subscriber');
    await delay(100);
    assert.equal(completed.length, 0, 'no msg is done before its PUBACK');
    inject('o1', { topic: 'acked/q2', payload: 'q2', qos: 2, tag: 'qos2' });
    await until(() => watch.got.length === 21, 'the QoS 2 message at the subscriber');
    inject('o1', { topic: 'acked/q0', payload: 'q0', qos: 0, tag: 'qos0' });
    await until(() => completed.length === 1, 'the QoS 0 msg done once written');
    assert.equal(completed[0]?.['tag'], 'qos0');
    await delay(100);
    assert.equal(completed.length, 1, 'the QoS 2 msg waits for its PUBREC and PUBCOMP');
    cut.release();
    await until(() => completed.length === 22, 'every QoS 1 and 2 msg done after its acknowledgement');
    assert.ok(completed.some((m) => m['tag'] === 'qos2'));
    await until(() => String(lastStatus('o1').text).includes('22 sent'), 'the sent count in the status');
    assert.match(String(lastStatus('o1').text), /^connected as .+ · 22 sent$/);
  });

  it('gives a Catch node the msg with reasonCode 0x87 when the broker refuses a publish', async () => {
    const port = await freePort();
    await load([
      ...withInProcess(
        brokerNode(port, {
          acl: [
            { who: 'everyone', access: 'readwrite', topic: 'open/#' },
            { who: 'everyone', access: 'read', topic: 'locked/#' },
          ],
        }),
      ),
      outNode(),
      ...WATCHERS,
    ]);
    const caught = collect('caught');
    const completed = collect('completed');
    inject('o1', { topic: 'open/a', payload: 'ok', qos: 1 });
    inject('o1', { topic: 'locked/a', payload: 'no', qos: 1, _keep: 'mine' });
    await until(() => caught.length === 1 && completed.length === 1, 'the refusal and the success');
    const msg = caught[0];
    assert.equal(msg?.['reasonCode'], 0x87);
    assert.equal(typeof msg?.['reasonString'], 'string');
    assert.equal(msg?.['_keep'], 'mine');
    assert.equal(msg?.topic, 'locked/a');
    assert.match(errorText(msg), /^Publish to locked\/a failed: 0x87 NotAuthorized/);
    assert.equal(completed[0]?.topic, 'open/a');
    await until(
      () => /1 failed \(last 0x87\)/.test(String(lastStatus('o1').text)),
      'the failure in the status',
    );
    assert.match(String(lastStatus('o1').text), /1 sent · 1 failed \(last 0x87\)$/);
  });

  it('queues publishes while the broker is away, fails the one past the bound with 0x97, then delivers', async () => {
    const mosquitto = new Mosquitto(await freePort());
    cleanups.push(() => mosquitto.dispose());
    await load([
      { id: 'c1', type: 'mqtt5-connection', url: mosquitto.url, queueLimit: '5' },
      outNode({ qos: '1', retain: 'true' }),
      ...WATCHERS,
    ]);
    const caught = collect('caught');
    const completed = collect('completed');
    for (let i = 1; i <= 6; i++) inject('o1', { topic: `queued/${i}`, payload: String(i) });
    await until(() => caught.length === 1, 'the refusal past the bound');
    assert.equal(caught[0]?.['reasonCode'], 0x97);
    assert.equal(caught[0]?.topic, 'queued/6');
    assert.match(errorText(caught[0]), /queued\/6 failed: 0x97/);
    assert.equal(completed.length, 0);
    await mosquitto.start();
    await until(() => completed.length === 5, 'the 5 queued msgs done once delivered', 15000);
    assert.deepEqual(
      completed.map((m) => m.topic),
      ['queued/1', 'queued/2', 'queued/3', 'queued/4', 'queued/5'],
    );
    // They were retained at the broker, so a subscriber now sees all five.
    const late = await subscriber(mosquitto.url, 'queued/#');
    cleanups.push(() => endClient(late.client));
    await until(() => late.got.length === 5, 'the 5 messages at mosquitto');
    assert.deepEqual(late.got.map((m) => m.payload.toString()).sort(), ['1', '2', '3', '4', '5']);
    assert.equal(caught.length, 1);
  });

  it('sends an online burst far past the offline bound to a stock mosquitto (Receive Maximum 20)', async () => {
    const mosquitto = new Mosquitto(await freePort());
    cleanups.push(() => mosquitto.dispose());
    await mosquitto.start();
    await load([
      { id: 'c1', type: 'mqtt5-connection', url: mosquitto.url, queueLimit: '5' },
      outNode({ qos: '1' }),
      ...WATCHERS,
    ]);
    const watch = await subscriber(mosquitto.url, 'burst/#');
    cleanups.push(() => endClient(watch.client));
    const caught = collect('caught');
    const completed = collect('completed');
    await until(() => String(lastStatus('o1').text).startsWith('connected'), 'the connection');
    for (let i = 0; i < 300; i++) inject('o1', { topic: `burst/${i}`, payload: String(i) });
    await until(() => completed.length === 300, 'all 300 msgs done', 15000);
    assert.equal(caught.length, 0, 'no msg refused');
    await until(() => watch.got.length === 300, 'all 300 at the subscriber');
    assert.deepEqual(
      watch.got.map((m) => m.payload.toString()),
      Array.from({ length: 300 }, (_, i) => String(i)),
      'in order',
    );
  });

  it('disconnects and connects on msg.action, holding publishes in between', async () => {
    const port = await freePort();
    await load([
      brokerNode(port),
      { id: 'c1', type: 'mqtt5-connection', url: `mqtt://127.0.0.1:${port}`, clientId: 'act' },
      outNode(),
      ...WATCHERS,
    ]);
    const watch = await subscriber(`mqtt://127.0.0.1:${port}`, 'act/#');
    cleanups.push(() => endClient(watch.client));
    const caught = collect('caught');
    const completed = collect('completed');
    await until(() => lastStatus('o1').text === 'connected as act', 'the connection');
    inject('o1', { action: 'disconnect' });
    await until(() => completed.length === 1, 'the disconnect done');
    assert.equal(lastStatus('o1').text, 'not connected');
    inject('o1', { topic: 'act/held', payload: 'h', qos: 1 });
    await delay(100);
    assert.equal(completed.length, 1, 'the publish waits for the connection');
    assert.equal(watch.got.length, 0);
    inject('o1', { action: 'connect' });
    await until(() => completed.length === 3, 'the connect and the held publish done');
    await until(() => watch.got.length === 1, 'the held message');
    assert.equal(watch.got[0]?.topic, 'act/held');
    await until(() => lastStatus('o1').text === 'connected as act · 1 sent', 'the status');
    inject('o1', { action: 'subscribe', topic: 'x' });
    await until(() => caught.length === 1, 'the invalid action');
    assert.match(errorText(caught[0]), /Unknown msg.action "subscribe"/);
    // msg.broker goes to the connection, which checks it.
    inject('o1', { action: 'connect', broker: { port: 'x' } });
    await until(() => caught.length === 2, 'the bad override');
    assert.match(errorText(caught[1]), /msg\.broker\.port/);
  });

  it('answers a request through the reply shortcut: mqtt5 in → function → mqtt5 out', async () => {
    const port = await freePort();
    await load([
      ...withInProcess(brokerNode(port)),
      { id: 'in1', type: 'mqtt5 in', connection: 'c1', topic: 'svc/+', qos: '1', wires: [['fn']] },
      {
        id: 'fn',
        type: 'function',
        func: "msg.payload = 'echo:' + msg.payload; msg.topic = msg.topic.replace('svc/', 'svc-out/'); return msg;",
        outputs: 1,
        wires: [['o1', 'o2']],
      },
      outNode({ userProperties: [{ key: 'by', value: 'nr' }] }),
      { id: 'o2', type: 'mqtt5 out', connection: 'c1', replyShortcut: false },
      ...WATCHERS,
    ]);
    const requester = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
    cleanups.push(() => endClient(requester));
    const got: Received[] = [];
    requester.on('message', (topic, payload, packet) =>
      got.push({ topic, payload, qos: packet.qos, retain: packet.retain, properties: packet.properties }),
    );
    await requester.subscribeAsync(['client/replies', 'svc-out/#'], { qos: 1 });
    // The responder is up once a probe comes back.
    const deadline = Date.now() + 5000;
    while (!got.some((m) => m.topic === 'svc-out/probe')) {
      assert.ok(Date.now() < deadline, 'the responder never answered the probe');
      await requester.publishAsync('svc/probe', 'p', { qos: 1 });
      await delay(50);
    }
    got.length = 0;
    const correlation = Buffer.from('req-1');
    await requester.publishAsync('svc/echo', 'ping', {
      qos: 1,
      properties: { responseTopic: 'client/replies', correlationData: correlation },
    });
    await requester.publishAsync('svc/plain', 'hello', { qos: 1 });
    await until(() => got.length === 4, 'the reply and three plain publishes');
    const reply = got.filter((r) => r.topic === 'client/replies');
    assert.equal(reply.length, 1);
    assert.equal(reply[0]?.payload.toString(), 'echo:ping');
    assert.deepEqual(reply[0]?.properties?.correlationData, correlation);
    assert.equal(reply[0]?.properties?.responseTopic, undefined);
    assert.deepEqual({ ...reply[0]?.properties?.userProperties }, { by: 'nr' });
    // With the shortcut off (o2), or for a msg without a response topic, msg.topic is used.
    const echoed = got.find((r) => r.topic === 'svc-out/echo');
    assert.equal(echoed?.payload.toString(), 'echo:ping');
    assert.equal(echoed?.properties?.responseTopic, 'client/replies');
    assert.deepEqual(
      got.filter((r) => r.topic === 'svc-out/plain').map((r) => r.payload.toString()),
      ['echo:hello', 'echo:hello'],
    );
  });

  it('sends user property values read per msg from msg, flow and env, the msg still overriding key by key', async () => {
    process.env['MQTT5_OUT_TEST_ZONE'] = 'zone-9';
    cleanups.push(() => {
      delete process.env['MQTT5_OUT_TEST_ZONE'];
    });
    const port = await freePort();
    await load([
      ...withInProcess(brokerNode(port)),
      // Sets the flow context the out node reads, then passes the msg on.
      {
        id: 'fn',
        type: 'function',
        func: "flow.set('line', 'L' + msg.n); return msg;",
        outputs: 1,
        wires: [['o1']],
      },
      outNode({
        topic: 'props/typed',
        qos: '1',
        userProperties: [
          { key: 'site', value: 'site', type: 'msg' },
          { key: 'line', value: 'line', type: 'flow' },
          { key: 'zone', value: 'MQTT5_OUT_TEST_ZONE', type: 'env' },
          { key: 'gone', value: 'missing', type: 'msg' },
          { key: 'fixed', value: 'plain' },
        ],
      }),
      ...WATCHERS,
    ]);
    const watch = await subscriber(`mqtt://127.0.0.1:${port}`, 'props/#');
    cleanups.push(() => endClient(watch.client));
    const caught = collect('caught');
    const completed = collect('completed');
    // One at a time: each msg reads the flow context its own pass through the function set.
    inject('fn', { payload: 'a', n: 1, site: 'north' });
    await until(() => completed.length === 1, 'the first publish');
    inject('fn', { payload: 'b', n: 2, site: 42, userProperties: { fixed: 'from-msg', site: 'msg-site' } });
    await until(() => completed.length === 2, 'the second publish');
    inject('fn', { payload: 'c', n: 3, site: { not: 'text' } });
    await until(
      () => watch.got.length === 2 && completed.length === 2 && caught.length === 1,
      'two publishes, one refusal',
    );
    assert.deepEqual(
      watch.got.map((m) => ({ ...m.properties?.userProperties })),
      [
        { site: 'north', line: 'L1', zone: 'zone-9', fixed: 'plain' },
        { line: 'L2', zone: 'zone-9', fixed: 'from-msg', site: 'msg-site' },
      ],
    );
    assert.equal(caught[0]?.payload, 'c');
    assert.equal(
      errorText(caught[0]),
      'User property "site": msg.site must be text, a number, a boolean or an array of them, not an object or a Buffer',
    );
  });

  it('shows a bad setting or a missing connection in the status, and fails msgs with it', async () => {
    await load([
      { id: 'c1', type: 'mqtt5-connection', url: 'mqtt://127.0.0.1:1', autoConnect: false },
      outNode({ qos: '5' }),
      { id: 'o2', type: 'mqtt5 out', connection: 'nope' },
      { id: 'o3', type: 'mqtt5 out', connection: 'c1', topic: 'a/#' },
      ...WATCHERS,
    ]);
    const caught = collect('caught');
    assert.deepEqual(lastStatus('o1'), { fill: 'red', shape: 'ring', text: 'Invalid setting: QoS' });
    assert.equal(lastStatus('o2').text, 'Choose the mqtt5-connection this node publishes through');
    assert.match(String(lastStatus('o3').text), /Invalid Topic "a\/#"/);
    inject('o1', { topic: 't', payload: 'x' });
    inject('o2', { topic: 't', payload: 'x' });
    await until(() => caught.length === 2, 'both failures');
    assert.deepEqual(caught.map(errorText).sort(), [
      'Choose the mqtt5-connection this node publishes through',
      'Invalid setting: QoS',
    ]);
  });

  it('refuses a bad msg with the reason, and keeps going', async () => {
    await load([...withInProcess(brokerNode(await freePort())), outNode(), ...WATCHERS]);
    const caught = collect('caught');
    const completed = collect('completed');
    inject('o1', { topic: 'bad/#', payload: 'x' });
    inject('o1', { payload: 'no topic' });
    inject('o1', { topic: 'ok', payload: 'x', qos: 7 });
    inject('o1', { topic: 'ok', payload: 'x', userProperties: { a: { b: 1 } } });
    inject('o1', { topic: 'ok', payload: 'fine', qos: 1 });
    await until(() => caught.length === 4 && completed.length === 1, 'four refusals and one publish');
    assert.deepEqual(caught.map(errorText), [
      'Invalid topic "bad/#": a topic to publish to must not be empty or contain + or #',
      "No topic: set the node's topic or msg.topic",
      'msg.qos must be 0, 1 or 2, not 7',
      'msg.userProperties.a must be text, a number, a boolean, or an array of them',
    ]);
  });
});

describe('mqtt5 out: reading the node settings', () => {
  const base = { id: 'o', type: 'mqtt5 out' };

  it('reads blank settings as "from the msg", with the reply shortcut on', () => {
    const read = readPublishDefaults(base);
    assert.deepEqual(read, {
      ok: true,
      value: { topic: '', qos: undefined, retain: undefined, userProperties: [], replyShortcut: true },
    });
  });

  it('reads every field as the editor stores it', () => {
    const read = readPublishDefaults({
      ...base,
      topic: ' a/b ',
      qos: '2',
      retain: 'false',
      userProperties: [
        { key: 'k', value: 'v' },
        { key: 'k', value: 'w' },
        { key: '', value: 'dropped' },
      ],
      responseTopic: 'r/t',
      correlationData: 'id-1',
      contentType: 'text/plain',
      payloadFormatIndicator: true,
      messageExpiryInterval: '60',
      topicAlias: '3',
      replyShortcut: false,
    });
    assert.deepEqual(read, {
      ok: true,
      value: {
        topic: 'a/b',
        qos: 2,
        retain: false,
        userProperties: [
          ['k', 'v'],
          ['k', 'w'],
        ],
        replyShortcut: false,
        responseTopic: 'r/t',
        correlationData: Buffer.from('id-1'),
        contentType: 'text/plain',
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        topicAlias: 3,
      },
    });
    const numeric = readPublishDefaults({ ...base, qos: 0, retain: true, payloadFormatIndicator: false });
    assert.ok(numeric.ok);
    assert.deepEqual(
      [numeric.value.qos, numeric.value.retain, numeric.value.payloadFormatIndicator],
      [0, true, undefined],
    );
  });

  it('names the field of a bad setting', () => {
    for (const [field, value] of [
      ['qos', '3'],
      ['retain', 'sometimes'],
      ['messageExpiryInterval', '-1'],
      ['topicAlias', '0'],
      ['topicAlias', '65536'],
      ['payloadFormatIndicator', 'x'],
      ['replyShortcut', 'x'],
      ['contentType', 5],
    ] as const) {
      const read = readPublishDefaults({ ...base, [field]: value });
      assert.deepEqual(
        read.ok ? undefined : read.problem,
        { key: 'setting-invalid', params: { field } },
        field,
      );
    }
    assert.deepEqual(readPublishDefaults({ ...base, responseTopic: 'a/#' }), {
      ok: false,
      problem: { key: 'topic-invalid', params: { field: 'responseTopic', topic: 'a/#' } },
    });
    const rows = readPublishDefaults({ ...base, userProperties: [{ key: 1 }] });
    assert.equal(rows.ok ? undefined : rows.problem.key, 'user-properties-rows-invalid');
  });

  describe('user property values as typed inputs', () => {
    /** An evaluator as `RED.util.evaluateNodeProperty` behaves for msg, flow and env; anything else throws. */
    function evaluator(
      msg: NodeMessage,
      flow: Record<string, unknown> = {},
      env: Record<string, string> = {},
      seen: string[] = [],
    ) {
      return (value: unknown, type: string): unknown => {
        seen.push(`${type}.${String(value)}`);
        if (type === 'msg') return msg[String(value)];
        if (type === 'flow') return flow[String(value)];
        if (type === 'env') return env[String(value)];
        throw new Error(`cannot evaluate ${type}`);
      };
    }

    it('reads rows without a type (older flows) and str rows as text, and evaluates nothing per msg', () => {
      const definition = {
        ...base,
        userProperties: [
          { key: 'old', value: 'row' },
          { key: 'new', value: 'text', type: 'str' },
          { key: 'blank', value: 'type', type: '' },
        ],
      };
      const pairs = [
        ['old', 'row'],
        ['new', 'text'],
        ['blank', 'type'],
      ];
      const read = readPublishDefaults(staticDefinition(definition));
      assert.deepEqual(read.ok ? read.value.userProperties : read.problem, pairs);
      const seen: string[] = [];
      assert.equal(typedPublishDefaults(definition, evaluator({}, {}, {}, seen)), undefined);
      assert.equal(evaluatedDefinition(definition, evaluator({}, {}, {}, seen)), undefined);
      assert.deepEqual(seen, [], 'nothing evaluated');
    });

    it('leaves typed rows out at deploy, and knows that msgs need evaluating', () => {
      const definition = {
        ...base,
        userProperties: [
          { key: 'fixed', value: 'f' },
          { key: 'site', value: 'site', type: 'msg' },
        ],
      };
      const read = readPublishDefaults(staticDefinition(definition));
      assert.deepEqual(read.ok ? read.value.userProperties : read.problem, [['fixed', 'f']]);
      // The out node's test for "any per-msg evaluation at all".
      assert.notEqual(
        typedPublishDefaults(definition, () => undefined),
        undefined,
      );
    });

    it('evaluates each typed value for the msg, in row order: text, numbers, booleans, arrays; missing is left out', () => {
      const seen: string[] = [];
      const read = typedPublishDefaults(
        {
          ...base,
          userProperties: [
            { key: 'site', value: 'site', type: 'msg' },
            { key: 'fixed', value: 'f' },
            { key: 'line', value: 'line', type: 'flow' },
            { key: 'zone', value: 'ZONE', type: 'env' },
            { key: 'n', value: 'n', type: 'msg' },
            { key: 'on', value: 'on', type: 'msg' },
            { key: 'gone', value: 'nothing', type: 'msg' },
            { key: 'null', value: 'nil', type: 'msg' },
            { key: 'tag', value: 'tags', type: 'msg' },
            { key: 'empty', value: 'none', type: 'msg' },
            { key: 'spaced', value: 'spaced', type: 'msg' },
            { key: '', value: 'keyless', type: 'msg' },
          ],
        },
        evaluator(
          { site: 'north', n: 7, on: false, nil: null, tags: ['a', 2, true], none: '', spaced: ' x ' },
          { line: 'L1' },
          { ZONE: 'z9' },
          seen,
        ),
      );
      assert.ok(read?.ok);
      assert.deepEqual(read.value.userProperties, [
        ['site', 'north'],
        ['fixed', 'f'],
        ['line', 'L1'],
        ['zone', 'z9'],
        ['n', '7'],
        ['on', 'false'],
        ['tag', 'a'],
        ['tag', '2'],
        ['tag', 'true'],
        ['empty', ''],
        ['spaced', ' x '],
      ]);
      assert.ok(!seen.includes('msg.keyless'), 'a row without a key is not evaluated');
    });

    it('fails the msg on an object or a Buffer, or a reference that cannot be read, naming the key', () => {
      const rows = (type: string, value: string) => ({
        ...base,
        userProperties: [
          { key: 'ok', value: 'v' },
          { key: 'k', value, type },
        ],
      });
      const msg = { obj: { a: 1 }, buf: Buffer.from('x'), nested: ['a', { b: 1 }], deep: [['a']] };
      for (const field of ['obj', 'buf', 'nested', 'deep']) {
        const read = typedPublishDefaults(rows('msg', field), evaluator(msg));
        assert.deepEqual(
          read?.ok === false ? read.problem : read,
          { key: 'user-property-value-invalid', params: { key: 'k', source: `msg.${field}` } },
          field,
        );
      }
      const unreadable = typedPublishDefaults(rows('jsonata', '$x('), evaluator(msg));
      assert.deepEqual(unreadable?.ok === false ? unreadable.problem : unreadable, {
        key: 'user-property-unreadable',
        params: { key: 'k', source: 'jsonata.$x(', reason: 'cannot evaluate jsonata' },
      });
      // As the node says it, in English.
      const t = translator('en-US', 'mqtt5-out');
      const invalid = typedPublishDefaults(rows('msg', 'obj'), evaluator(msg));
      assert.equal(
        invalid?.ok === false ? settingProblemText(t, 'mqtt5-out', invalid.problem) : '',
        'User property "k": msg.obj must be text, a number, a boolean or an array of them, not an object or a Buffer',
      );
    });

    it('refuses a row whose type is not text, and keeps reading the rows of older flows', () => {
      for (const row of [{ key: 'k', value: 'v', type: 5 }, { key: 'k', value: 2 }, { value: 'v' }]) {
        const read = readPublishDefaults(staticDefinition({ ...base, userProperties: [row] }));
        assert.deepEqual(
          read.ok ? read.value : read.problem,
          { key: 'user-properties-rows-invalid', params: { field: 'userProperties' } },
          JSON.stringify(row),
        );
      }
      const notAList = staticDefinition({ ...base, userProperties: 'k=v' });
      assert.equal(notAList['userProperties'], 'k=v', 'left for the reading to report');
    });
  });

  it('turns a failed publish into msg.reasonCode and msg.reasonString', () => {
    const refused = publishFailure(new ClientError(0x87, 'publish to a failed', 'denied by ACL'));
    assert.deepEqual(refused, {
      reasonCode: 0x87,
      reasonString: 'denied by ACL',
      reason: '0x87 NotAuthorized: denied by ACL',
    });
    const local = publishFailure(new ClientError(0x97, 'publish queue full'));
    assert.deepEqual(local, {
      reasonCode: 0x97,
      reasonString: 'publish queue full',
      reason: '0x97 QuotaExceeded',
    });
    const other = publishFailure(new Error('Invalid broker URL'));
    assert.deepEqual(other, {
      reasonCode: undefined,
      reasonString: 'Invalid broker URL',
      reason: 'Invalid broker URL',
    });
    const msg: NodeMessage = { payload: 1 };
    markFailure(msg, refused);
    assert.deepEqual(msg, { payload: 1, reasonCode: 0x87, reasonString: 'denied by ACL' });
  });
});
