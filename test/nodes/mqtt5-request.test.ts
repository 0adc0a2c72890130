import assert from 'node:assert/strict';
import type { IPublishPacket, MqttClient as MqttJsClient } from 'mqtt';
import type { ConnectionState, Mqtt5Connection } from '../../nodes/lib/connection-api';
import type { NodeMessage, NodeStatus } from '../../nodes/lib/node-red-types';
import { evaluatedDefinition, staticDefinition } from '../../nodes/lib/out-defaults';
import type { Problem } from '../../nodes/lib/problems';
import { correlationKey, PendingRequests } from '../../nodes/lib/request-pending';
import { ReplyTopics } from '../../nodes/lib/request-replies';
import {
  DEFAULT_MAX_PENDING,
  DEFAULT_TIMEOUT_S,
  readRequestSettings,
} from '../../nodes/lib/request-settings';
import type { RequestResult, SubscriberOptions } from '../../src/client';
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
  until,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

const MODULES = [...allModules(), functionModule];

function load(flow: FlowNode[]): Promise<void> {
  return loadOnTab(MODULES, flow);
}

/** An `mqtt5 broker` node on a loopback TCP port, kept in memory, with a new id each time. */
let brokers = 0;
function brokerNode(port: number, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: `req-b${++brokers}`,
    type: 'mqtt5 broker',
    listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
    persistence: 'memory',
    wires: [[]],
    ...extra,
  };
}

function inProcess(broker: FlowNode, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: broker.id, ...extra };
}

/** The request node `r1`: replies to `replies`, timed-out msgs (with the option) to `timeouts`. */
function requestNode(extra: Record<string, unknown> = {}): FlowNode {
  const two = extra['timeoutOutput'] === true;
  return {
    id: 'r1',
    type: 'mqtt5 request',
    connection: 'c1',
    qos: '1',
    outputs: two ? 2 : 1,
    wires: two ? [['replies'], ['timeouts']] : [['replies']],
    ...extra,
  };
}

const WATCHERS: FlowNode[] = [
  { id: 'replies', type: 'helper' },
  { id: 'timeouts', type: 'helper' },
  { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper' },
];

/** `msg.error.message` as a Catch node gives it: Node-RED writes the Error as `Error: <message>`. */
function errorText(msg: NodeMessage | undefined): string {
  const error = msg?.['error'];
  const text = typeof error === 'object' && error !== null ? String(Reflect.get(error, 'message')) : '';
  assert.match(text, /^Error: /);
  return text.slice('Error: '.length);
}

/** The errors a node reports from now on (`done(error)` reports through `node.error`), even on close. */
function recordErrors(id: string): string[] {
  const node: unknown = helper.getNode(id);
  if (typeof node !== 'object' || node === null) throw new Error(`no node ${id}`);
  const report: unknown = Reflect.get(node, 'error');
  if (typeof report !== 'function') throw new Error(`${id} has no error method`);
  const errors: string[] = [];
  Reflect.set(node, 'error', (error: unknown, msg?: unknown) => {
    errors.push(error instanceof Error ? error.message : String(error));
    return Reflect.apply(report, node, [error, msg]);
  });
  return errors;
}

function lastStatus(id: string): NodeStatus {
  return statusesOf(id).at(-1) ?? {};
}

function connected(id: string): Promise<void> {
  return until(() => String(lastStatus(id).text).startsWith('connected'), `${id} connected`);
}

/** What a responder saw of a request. */
interface Seen {
  topic: string;
  payload: string;
  qos: number;
  properties: IPublishPacket['properties'];
}

/**
 * An MQTT.js responder on `svc/#`: answers each request on its response topic with its
 * correlation data, a JSON payload `{ echo, n }` and a user property, after `wait(n)` ms.
 */
async function responder(
  url: string,
  wait: (n: number) => number = () => 0,
): Promise<{ client: MqttJsClient; seen: Seen[] }> {
  const client = await connectClient(url, { protocolVersion: 5 });
  const seen: Seen[] = [];
  client.on('message', (topic, payload, packet) => {
    const properties = packet.properties;
    seen.push({ topic, payload: payload.toString(), qos: packet.qos, properties });
    const responseTopic = properties?.responseTopic;
    if (responseTopic === undefined) return;
    const n = seen.length;
    setTimeout(() => {
      client.publish(responseTopic, JSON.stringify({ echo: payload.toString(), n }), {
        qos: 1,
        properties: {
          correlationData: properties?.correlationData,
          contentType: 'application/json',
          userProperties: { answeredBy: 'mqttjs' },
        },
      });
    }, wait(n));
  });
  await client.subscribeAsync('svc/#', { qos: 1 });
  return { client, seen };
}

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
        flow: [{ id: 'c1', type: 'mqtt5-connection', url: mosquitto.url, clientId: 'req-nr' }],
        url: mosquitto.url,
        stop: () => mosquitto.dispose(),
      };
    },
  },
];

describe('mqtt5 request node', function () {
  this.timeout(30000);
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    await helper.unload();
    for (const f of cleanups.splice(0).reverse()) await f();
    clearStatuses();
  });

  for (const target of TARGETS) {
    describe(`through ${target.name}`, () => {
      it('sends a request and emits the reply fields on the request msg, keeping its other fields', async () => {
        const started = await target.start();
        cleanups.push(() => started.stop());
        await load([
          ...started.flow,
          requestNode({ topic: 'svc/echo', timeout: '5', userProperties: [{ key: 'from', value: 'node' }] }),
          ...WATCHERS,
        ]);
        const answer = await responder(started.url);
        cleanups.push(() => endClient(answer.client));
        const replies = collect('replies');
        await connected('r1');
        inject('r1', {
          topic: 'ignored/by-node-topic',
          payload: 'hi',
          keep: 'me',
          userProperties: { extra: 'x' },
          contentType: 'text/plain',
          responseTopic: 'not/used',
        });
        await until(() => replies.length === 1, 'the reply');
        const request = answer.seen[0];
        assert.equal(request?.topic, 'svc/echo');
        assert.equal(request?.payload, 'hi');
        assert.equal(request?.qos, 1);
        const props = request?.properties;
        assert.match(String(props?.responseTopic), /^node-red-mqtt5\/replies\/[\w-]+\/r1$/);
        if (target.name === 'mosquitto')
          assert.equal(props?.responseTopic, 'node-red-mqtt5/replies/req-nr/r1');
        assert.equal(props?.correlationData?.length, 16);
        assert.equal(props?.contentType, 'text/plain');
        assert.deepEqual({ ...props?.userProperties }, { from: 'node', extra: 'x' });
        const expiry = props?.messageExpiryInterval ?? 0;
        assert.ok(expiry > 0 && expiry <= 5, `message expiry ${expiry} from the 5 s timeout`);

        const reply = replies[0];
        assert.deepEqual(reply?.payload, { echo: 'hi', n: 1 });
        assert.equal(reply?.topic, props?.responseTopic);
        assert.equal(reply?.['keep'], 'me');
        assert.deepEqual(reply?.['correlationData'], props?.correlationData);
        assert.deepEqual(reply?.['userProperties'], { answeredBy: 'mqttjs' });
        assert.equal(reply?.['contentType'], 'application/json');
        assert.equal(reply?.['responseTopic'], undefined);
        assert.equal(reply?.['qos'], 1);
        await until(() => String(lastStatus('r1').text).endsWith(' · 1 answered'), 'the answered count');
      });

      it('matches 50 concurrent requests to replies that come back out of order', async () => {
        const started = await target.start();
        cleanups.push(() => started.stop());
        await load([...started.flow, requestNode(), ...WATCHERS]);
        // The later a request came, the sooner it is answered.
        const answer = await responder(started.url, (n) => Math.max(0, 100 - 2 * n));
        cleanups.push(() => endClient(answer.client));
        const replies = collect('replies');
        await connected('r1');
        for (let i = 0; i < 50; i++) inject('r1', { topic: `svc/n/${i}`, payload: `req-${i}`, i });
        await until(() => replies.length === 50, 'the 50 replies');
        for (const reply of replies) {
          const payload = reply.payload;
          assert.ok(typeof payload === 'object' && payload !== null);
          assert.equal(Reflect.get(payload, 'echo'), `req-${String(reply['i'])}`);
        }
        const order = replies.map((r) => Number(r['i']));
        assert.notDeepEqual(
          order,
          [...order].sort((a, b) => a - b),
          'replies came out of order',
        );
        assert.deepEqual(
          [...order].sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i),
        );
      });
    });
  }

  it('answers 200 concurrent requests through a responder flow: mqtt5 in → function → mqtt5 out', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker, { requestResponseInformation: true, clientId: 'rr' }),
      requestNode({ topic: 'calc/square' }),
      { id: 'in1', type: 'mqtt5 in', connection: 'c1', topic: 'calc/square', qos: '1', wires: [['fn']] },
      {
        id: 'fn',
        type: 'function',
        func: 'msg.payload = { square: msg.payload * msg.payload }; return msg;',
        outputs: 1,
        wires: [['o1']],
      },
      { id: 'o1', type: 'mqtt5 out', connection: 'c1', qos: '1' },
      ...WATCHERS,
    ]);
    const replies = collect('replies');
    const caught = collect('caught');
    await connected('r1');
    await connected('in1');
    // The in node's subscription is up once one request is answered.
    inject('r1', { payload: 0, warmUp: true });
    await until(() => replies.length === 1, 'the first reply', 10000);
    // Response Information from the broker node: the reply topic is under `response/<client id>/`.
    assert.equal(replies[0]?.topic, 'response/rr/r1');
    for (let i = 1; i <= 200; i++) inject('r1', { payload: i, i });
    await until(() => replies.length === 201, `the 200 replies (have ${replies.length - 1})`, 15000);
    for (const reply of replies.slice(1)) {
      const i = Number(reply['i']);
      assert.deepEqual(reply.payload, { square: i * i });
    }
    assert.equal(new Set(replies.map((r) => r['i'])).size, 201);
    assert.equal(caught.length, 0);
    await until(() => String(lastStatus('r1').text) === 'connected as rr · 201 answered', 'the status');
  });

  it('uses msg.correlationData, as a Buffer or a string, and refuses one already waiting', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([broker, inProcess(broker), requestNode({ topic: 'svc/corr', timeout: '5' }), ...WATCHERS]);
    const answer = await responder(`mqtt://127.0.0.1:${port}`, () => 200);
    cleanups.push(() => endClient(answer.client));
    const replies = collect('replies');
    const caught = collect('caught');
    await connected('r1');
    inject('r1', { payload: 'a', correlationData: Buffer.from([9, 8, 7]) });
    inject('r1', { payload: 'b', correlationData: 'text-id' });
    inject('r1', { payload: 'c', correlationData: 'text-id' });
    await until(() => caught.length === 1, 'the refusal of the duplicate');
    assert.equal(caught[0]?.payload, 'c');
    assert.match(errorText(caught[0]), /same correlation data \(746578742d6964\) is already waiting/);
    await until(() => replies.length === 2, 'both replies');
    assert.deepEqual(
      answer.seen.map((s) => s.properties?.correlationData?.toString('hex')),
      ['090807', Buffer.from('text-id').toString('hex')],
    );
    assert.deepEqual(
      replies
        .map((r) => (Buffer.isBuffer(r['correlationData']) ? r['correlationData'].toString('hex') : ''))
        .sort(),
      ['090807', Buffer.from('text-id').toString('hex')],
    );
  });

  it('raises a catchable error when no reply comes in time', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker),
      requestNode({ topic: 'nobody/home', timeout: '0.2' }),
      ...WATCHERS,
    ]);
    const caught = collect('caught');
    const replies = collect('replies');
    await connected('r1');
    const started = Date.now();
    inject('r1', { payload: 'anyone?', mine: 1 });
    await until(() => caught.length === 1, 'the timeout error');
    assert.ok(Date.now() - started >= 190, 'not before the timeout');
    assert.equal(errorText(caught[0]), 'No reply within 0.2 s');
    assert.equal(caught[0]?.['mine'], 1);
    assert.equal(caught[0]?.payload, 'anyone?');
    assert.equal(replies.length, 0);
    await until(() => String(lastStatus('r1').text).endsWith(' · 1 timed out'), 'the timed-out count');
  });

  it('sends timed-out msgs to the second output when asked, and ignores their late replies', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker),
      requestNode({ topic: 'svc/slow', timeout: '0.2', timeoutOutput: true }),
      ...WATCHERS,
    ]);
    const answer = await responder(`mqtt://127.0.0.1:${port}`, () => 400);
    cleanups.push(() => endClient(answer.client));
    const caught = collect('caught');
    const replies = collect('replies');
    const timeouts = collect('timeouts');
    await connected('r1');
    inject('r1', { payload: 'slow', mine: 2 });
    await until(() => timeouts.length === 1, 'the msg on the timeout output');
    assert.equal(timeouts[0]?.['mine'], 2);
    assert.equal(timeouts[0]?.payload, 'slow');
    // The late reply matches nothing any more: counted, not sent.
    await until(() => String(lastStatus('r1').text).includes('1 unmatched'), 'the late reply counted');
    assert.match(String(lastStatus('r1').text), / · 1 timed out · 1 unmatched$/);
    assert.equal(replies.length, 0);
    assert.equal(caught.length, 0);
  });

  it('fails a msg at once past the bound of waiting requests, and the waiting ones on close', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker),
      requestNode({ topic: 'nobody/home', timeout: '20', maxPending: '3' }),
      ...WATCHERS,
    ]);
    const caught = collect('caught');
    const errors = recordErrors('r1');
    await connected('r1');
    for (let i = 1; i <= 4; i++) inject('r1', { payload: i });
    await until(() => caught.length === 1, 'the refusal of the fourth');
    assert.equal(caught[0]?.payload, 4);
    assert.equal(
      errorText(caught[0]),
      'Too many requests waiting for their reply (at most 3): this msg was not sent',
    );
    await until(() => String(lastStatus('r1').text).endsWith(' · 3 waiting · 1 failed'), 'the waiting count');
    await helper.unload();
    assert.deepEqual(errors.slice(1), Array(3).fill('The node was stopped before the reply came'));
  });

  it('ignores messages on the reply topic whose correlation data matches no request', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker),
      requestNode({ topic: 'svc/x', responseTopic: 'my/replies', timeout: '5' }),
      ...WATCHERS,
    ]);
    const replies = collect('replies');
    await connected('r1');
    const stranger = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
    cleanups.push(() => endClient(stranger));
    // The node subscribes to its configured response topic when connected.
    const deadline = Date.now() + 5000;
    while (!String(lastStatus('r1').text).includes('unmatched')) {
      assert.ok(Date.now() < deadline, 'the stray messages were never counted');
      await stranger.publishAsync('my/replies', 'stray', {
        qos: 1,
        properties: { correlationData: Buffer.from('unknown') },
      });
      await stranger.publishAsync('my/replies', 'no correlation', { qos: 1 });
      await delay(50);
    }
    assert.match(String(lastStatus('r1').text), / · \d+ unmatched$/);
    assert.equal(replies.length, 0);
  });

  it('gives a Catch node the msg with reasonCode 0x87 when the broker refuses the request', async () => {
    const port = await freePort();
    const broker = brokerNode(port, {
      acl: [
        { who: 'everyone', access: 'readwrite', topic: 'node-red-mqtt5/#' },
        { who: 'everyone', access: 'read', topic: 'locked/#' },
      ],
    });
    await load([broker, inProcess(broker), requestNode({ topic: 'locked/svc' }), ...WATCHERS]);
    const caught = collect('caught');
    await connected('r1');
    inject('r1', { payload: 'x', mine: 3 });
    await until(() => caught.length === 1, 'the refusal');
    assert.equal(caught[0]?.['reasonCode'], 0x87);
    assert.equal(caught[0]?.['mine'], 3);
    assert.match(errorText(caught[0]), /^Publish of the request to locked\/svc failed: 0x87 NotAuthorized/);
    await until(() => String(lastStatus('r1').text).endsWith(' · 1 failed'), 'the failed count');
  });

  it('sends user property values read per msg from msg, flow and env, and fails a msg whose value is an object', async () => {
    process.env['MQTT5_REQUEST_TEST_ZONE'] = 'zone-r';
    cleanups.push(() => {
      delete process.env['MQTT5_REQUEST_TEST_ZONE'];
    });
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker),
      // Sets the flow context the request node reads, then passes the msg on.
      {
        id: 'fn',
        type: 'function',
        func: "flow.set('line', 'L' + msg.n); return msg;",
        outputs: 1,
        wires: [['r1']],
      },
      requestNode({
        topic: 'svc/props',
        timeout: '5',
        userProperties: [
          { key: 'site', value: 'site', type: 'msg' },
          { key: 'line', value: 'line', type: 'flow' },
          { key: 'zone', value: 'MQTT5_REQUEST_TEST_ZONE', type: 'env' },
          { key: 'gone', value: 'missing', type: 'msg' },
          { key: 'fixed', value: 'plain' },
        ],
      }),
      ...WATCHERS,
    ]);
    const answer = await responder(`mqtt://127.0.0.1:${port}`);
    cleanups.push(() => endClient(answer.client));
    const replies = collect('replies');
    const caught = collect('caught');
    await connected('r1');
    // One at a time: each msg reads the flow context its own pass through the function set.
    inject('fn', { payload: 'a', n: 1, site: true });
    await until(() => replies.length === 1, 'the first reply');
    inject('fn', { payload: 'b', n: 2, site: 'north', userProperties: { fixed: 'from-msg' } });
    await until(() => replies.length === 2, 'the second reply');
    inject('fn', { payload: 'c', n: 3, site: Buffer.from('x') });
    await until(() => replies.length === 2 && caught.length === 1, 'the second reply and the refusal');
    assert.deepEqual(
      answer.seen.map((s) => ({ ...s.properties?.userProperties })),
      [
        { site: 'true', line: 'L1', zone: 'zone-r', fixed: 'plain' },
        { site: 'north', line: 'L2', zone: 'zone-r', fixed: 'from-msg' },
      ],
    );
    assert.equal(caught[0]?.payload, 'c');
    assert.equal(
      errorText(caught[0]),
      'User property "site": msg.site must be text, a number, a boolean or an array of them, not an object or a Buffer',
    );
    await until(() => String(lastStatus('r1').text).endsWith(' · 2 answered · 1 failed'), 'the counts');
  });

  it('refuses requests on an MQTT 3.1.1 connection, a bad setting, or no connection', async () => {
    const port = await freePort();
    const broker = brokerNode(port);
    await load([
      broker,
      inProcess(broker, { protocolVersion: '4' }),
      requestNode({ topic: 'svc/x' }),
      { id: 'r2', type: 'mqtt5 request', connection: 'c1', timeout: '-1', wires: [['replies']] },
      { id: 'r3', type: 'mqtt5 request', connection: 'none', wires: [['replies']] },
      ...WATCHERS,
    ]);
    const caught = collect('caught');
    assert.equal(lastStatus('r2').text, 'Invalid setting: Timeout');
    assert.equal(lastStatus('r3').text, 'Choose the mqtt5-connection this node sends requests through');
    await connected('r1');
    inject('r1', { payload: 'x' });
    inject('r2', { payload: 'x' });
    await until(() => caught.length === 2, 'both refusals');
    assert.deepEqual(caught.map(errorText).sort(), [
      'Invalid setting: Timeout',
      'Requests need an MQTT 5.0 connection (response topic and correlation data are 5.0 properties)',
    ]);
  });
});

describe('mqtt5 request: the table of waiting requests', () => {
  it('bounds the entries, refuses a key in use, and times each entry out once', async () => {
    const timedOut: string[] = [];
    const table = new PendingRequests<string>({
      limit: 2,
      timeoutMs: 30,
      onTimeout: (entry, key) => timedOut.push(`${key}=${entry}`),
    });
    assert.equal(table.add('a', 'A'), 'added');
    assert.equal(table.add('a', 'A2'), 'duplicate');
    assert.equal(table.add('b', 'B'), 'added');
    assert.equal(table.full, true);
    assert.equal(table.add('c', 'C'), 'full');
    assert.equal(table.take('b'), 'B');
    assert.equal(table.take('b'), undefined, 'an entry leaves once');
    assert.equal(table.remove('a', 'other'), false, 'only the entry given is removed');
    assert.equal(
      table.count((e) => e === 'A'),
      1,
    );
    await until(() => timedOut.length === 1, 'the timeout');
    await delay(50);
    assert.deepEqual(timedOut, ['a=A']);
    assert.equal(table.size, 0);
    assert.equal(table.add('d', 'D'), 'added');
    assert.deepEqual(table.drain(), ['D']);
    await delay(50);
    assert.deepEqual(timedOut, ['a=A'], 'a drained entry does not time out');
    assert.equal(correlationKey(Buffer.from([0, 255])), '00ff');
  });
});

/** A connection with only what `ReplyTopics` uses: its identity, subscribe and unsubscribe. */
class FakeConnection implements Mqtt5Connection {
  readonly calls: string[] = [];
  readonly state: ConnectionState = { phase: 'connected' };
  readonly protocolLevel = 5;
  readonly capabilities = undefined;
  readonly persistentSession = false;
  responseInformation: string | undefined;
  refuse = false;
  constructor(readonly clientId: string) {}
  describe(problem: Problem): string {
    return problem.key;
  }
  register(): void {}
  deregister(): Promise<void> {
    return Promise.resolve();
  }
  subscribe(id: string, filter: string, options: SubscriberOptions): Promise<RequestResult | undefined> {
    this.calls.push(`sub ${id} ${filter} qos${options.qos} rh${options.retainHandling}`);
    if (this.refuse) return Promise.reject(new Error('refused'));
    return Promise.resolve({ reasonCodes: [1], reasonString: undefined });
  }
  unsubscribe(id: string, filter: string): Promise<void> {
    this.calls.push(`unsub ${id} ${filter}`);
    return Promise.resolve();
  }
  subscriptionsOf(): { topic: string; options: SubscriberOptions }[] {
    return [];
  }
  publish(): Promise<RequestResult> {
    return Promise.reject(new Error('not used'));
  }
  publishWith(): void {
    throw new Error('not used');
  }
  control(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
}

describe('mqtt5 request: the reply topic', () => {
  function topics(connection: FakeConnection, configured = '', waiting: string[] = []) {
    const errors: string[] = [];
    const replies = new ReplyTopics({
      connection,
      subscriberId: 'node/1+#',
      configured,
      handler: () => undefined,
      inUse: (topic) => waiting.includes(topic),
      onError: (topic) => errors.push(topic),
      random: () => 'rnd',
    });
    return { replies, errors };
  }

  it('is unique per connection and node, and subscribed once at QoS 1 with no retained messages', () => {
    const connection = new FakeConnection('client/a');
    const { replies } = topics(connection);
    assert.equal(replies.topic(), 'node-red-mqtt5/replies/client_a/node_1__');
    assert.equal(replies.topic(), 'node-red-mqtt5/replies/client_a/node_1__');
    assert.deepEqual(connection.calls, ['sub node/1+# node-red-mqtt5/replies/client_a/node_1__ qos1 rh2']);
    assert.equal(topics(new FakeConnection('')).replies.topic(), 'node-red-mqtt5/replies/rnd/node_1__');
    assert.equal(topics(new FakeConnection('c'), 'fixed/replies').replies.topic(), 'fixed/replies');
  });

  it('uses the Response Information, and moves there, keeping the old topic while a request waits on it', async () => {
    const connection = new FakeConnection('c');
    const waiting: string[] = [];
    const { replies } = topics(connection, '', waiting);
    const first = replies.topic();
    waiting.push(first);
    connection.responseInformation = 'response/c/';
    assert.equal(replies.topic(), 'response/c/node_1__');
    assert.equal(connection.calls.length, 2, 'the old topic stays while a request waits on it');
    waiting.length = 0;
    replies.settled(first);
    assert.deepEqual(connection.calls.at(-1), `unsub node/1+# ${first}`);
    connection.responseInformation = 'info';
    assert.equal(replies.topic(), 'info/node_1__');
    assert.deepEqual(connection.calls.slice(-2), [
      'sub node/1+# info/node_1__ qos1 rh2',
      'unsub node/1+# response/c/node_1__',
    ]);
    await replies.close();
    assert.deepEqual(connection.calls.at(-1), 'unsub node/1+# info/node_1__');
  });

  it('reports a refused subscription, and subscribes again for the next request', async () => {
    const connection = new FakeConnection('c');
    connection.refuse = true;
    const { replies, errors } = topics(connection);
    const topic = replies.topic();
    await until(() => errors.length === 1, 'the refusal');
    assert.deepEqual(errors, [topic]);
    connection.refuse = false;
    assert.equal(replies.topic(), topic);
    assert.equal(connection.calls.filter((c) => c.startsWith('sub')).length, 2);
  });
});

describe('mqtt5 request: settings', () => {
  it('reads the timeout (fractions allowed), the bound, the outputs, and derives the expiry', () => {
    const read = readRequestSettings({
      id: 'r',
      type: 'mqtt5 request',
      topic: 'svc/a',
      qos: '2',
      timeout: '2.5',
      maxPending: '7',
      timeoutOutput: true,
      output: 'buffer',
      responseTopic: 'my/replies',
      retain: 'true',
      correlationData: 'from-flow',
      contentType: 'text/plain',
    });
    assert.ok(read.ok);
    const s = read.value;
    assert.deepEqual(
      [s.timeoutMs, s.maxPending, s.timeoutOutput, s.output, s.replyTopic],
      [2500, 7, true, 'buffer', 'my/replies'],
    );
    assert.equal(s.publish.topic, 'svc/a');
    assert.equal(s.publish.qos, 2);
    assert.equal(s.publish.retain, false, 'a request is never retained');
    assert.equal(s.publish.replyShortcut, false);
    assert.equal(s.publish.correlationData, undefined);
    assert.equal(s.publish.responseTopic, undefined);
    assert.equal(s.publish.messageExpiryInterval, 3);
    assert.equal(s.publish.contentType, 'text/plain');

    const plain = readRequestSettings({ id: 'r', type: 'mqtt5 request', messageExpiryInterval: '60' });
    assert.ok(plain.ok);
    assert.deepEqual(
      [plain.value.timeoutMs, plain.value.maxPending, plain.value.timeoutOutput, plain.value.output],
      [DEFAULT_TIMEOUT_S * 1000, DEFAULT_MAX_PENDING, false, 'auto-detect'],
    );
    assert.equal(plain.value.publish.messageExpiryInterval, 60);
    assert.equal(plain.value.publish.qos, undefined);

    for (const [field, value] of [
      ['timeout', '0'],
      ['timeout', 'abc'],
      ['timeout', '9999999'],
      ['maxPending', '0'],
      ['output', 'xml'],
      ['timeoutOutput', 'maybe'],
      ['qos', '3'],
    ] as const) {
      const bad = readRequestSettings({ id: 'r', type: 'mqtt5 request', [field]: value });
      assert.deepEqual(
        bad.ok ? undefined : bad.problem,
        { key: 'setting-invalid', params: { field } },
        field,
      );
    }
    const wildcard = readRequestSettings({ id: 'r', type: 'mqtt5 request', responseTopic: 'a/+' });
    assert.deepEqual(wildcard.ok ? undefined : wildcard.problem.key, 'topic-invalid');
  });

  it('reads typed user property values per msg, as the node does, and text rows once', () => {
    const definition = {
      id: 'r',
      type: 'mqtt5 request',
      userProperties: [
        { key: 'fixed', value: 'plain' },
        { key: 'site', value: 'site', type: 'msg' },
        { key: 'zone', value: 'ZONE', type: 'env' },
      ],
    };
    const deployed = readRequestSettings(staticDefinition(definition));
    assert.ok(deployed.ok);
    assert.deepEqual(deployed.value.publish.userProperties, [['fixed', 'plain']]);
    const evaluate = (value: unknown, type: string): unknown =>
      type === 'msg' ? Reflect.get({ site: 3 }, String(value)) : type === 'env' ? undefined : value;
    const evaluated = evaluatedDefinition(definition, evaluate);
    assert.ok(evaluated?.ok);
    const read = readRequestSettings(evaluated.value);
    assert.ok(read.ok);
    assert.deepEqual(read.value.publish.userProperties, [
      ['fixed', 'plain'],
      ['site', '3'],
    ]);
    const plain = { id: 'r', type: 'mqtt5 request', userProperties: [{ key: 'k', value: 'v' }] };
    assert.equal(
      evaluatedDefinition(plain, () => assert.fail('nothing is evaluated for text rows')),
      undefined,
    );
    const refused = evaluatedDefinition(definition, () => ({ an: 'object' }));
    assert.deepEqual(refused?.ok === false ? refused.problem : refused, {
      key: 'user-property-value-invalid',
      params: { key: 'site', source: 'msg.site' },
    });
  });
});
