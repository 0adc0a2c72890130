import assert from 'node:assert/strict';
import type { IDisconnectPacket, IPublishPacket, MqttClient } from 'mqtt';
import type { NodeMessage } from '../../nodes/lib/node-red-types';
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
  TEST_USER_DIR,
  until,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

/** A broker node on a loopback port, wired to helper `out`; a Catch node (the helper's) on it into `caught`. */
function flow(id: string, port: number, extra: Record<string, unknown> = {}): FlowNode[] {
  return [
    {
      id,
      type: 'mqtt5 broker',
      listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
      persistence: 'memory',
      wires: [['out']],
      ...extra,
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: [id], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
}

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  properties: IPublishPacket['properties'];
}

function errorText(msg: NodeMessage | undefined): string {
  const error = msg?.['error'];
  return typeof error === 'object' && error !== null ? String(Reflect.get(error, 'message')) : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Record<string, unknown>[] {
  assert.ok(Array.isArray(value), 'a list');
  return value.filter(isRecord);
}

describe('mqtt5 broker node: msg.action', function () {
  this.timeout(30000);
  const clients: MqttClient[] = [];
  let url = '';
  /** A new broker node id per test: a memory store outlives a redeploy of the same id. */
  let brokerId = '';
  let loads = 0;
  let out: NodeMessage[] = [];
  let caught: NodeMessage[] = [];

  async function open(
    clientId: string,
    options: Parameters<typeof connectClient>[1] = {},
  ): Promise<MqttClient> {
    const client = await connectClient(url, { protocolVersion: 5, clientId, ...options });
    clients.push(client);
    return client;
  }

  async function subscriber(
    clientId: string,
    filter: string,
  ): Promise<{ client: MqttClient; got: Received[] }> {
    const client = await open(clientId);
    const got: Received[] = [];
    client.on('message', (topic, payload, packet) =>
      got.push({ topic, payload: payload.toString(), retain: packet.retain, properties: packet.properties }),
    );
    await client.subscribeAsync(filter, { qos: 1 });
    return { client, got };
  }

  /** Sends a msg in and waits for its answer on the output (topic = the action) or at the Catch node. */
  async function act(msg: NodeMessage, answer = String(msg['action'])): Promise<NodeMessage> {
    const before = { out: out.length, caught: caught.length };
    inject(brokerId, msg);
    const answered = () => out.slice(before.out).find((m) => m.topic === answer);
    await until(() => answered() !== undefined || caught.length > before.caught, `an answer to ${answer}`);
    const found = answered();
    if (found === undefined) throw new Error(`no ${answer} msg: ${errorText(caught[caught.length - 1])}`);
    return found;
  }

  async function refused(msg: NodeMessage): Promise<NodeMessage> {
    const before = caught.length;
    inject(brokerId, msg);
    await until(() => caught.length > before, `the refusal of ${JSON.stringify(msg)}`);
    const got = caught[before];
    assert.ok(got !== undefined);
    return got;
  }

  async function load(extra: Record<string, unknown> = {}): Promise<void> {
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    brokerId = `actions-${++loads}`;
    await helper.load(brokerModule, flow(brokerId, port, extra));
    out = collect('out');
    caught = collect('caught');
    // The listeners open once the store has loaded: wait for them with a throwaway client.
    await endClient(await connectClient(url, { clientId: 'probe' }));
  }

  /** Loads the flow of broker `id` on a new port, without waiting for its listeners or store. */
  async function loadNow(id: string, extra: Record<string, unknown>): Promise<void> {
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    brokerId = id;
    await helper.load(brokerModule, flow(id, port, extra));
    out = collect('out');
    caught = collect('caught');
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(endClient));
    await helper.unload();
    clearStatuses();
  });

  it('publishes as the broker: a subscriber gets the 5.0 properties, a late one the retained copy', async () => {
    await load();
    const early = await subscriber('early', 'plant/#');
    const answer = await act({
      action: 'publish',
      topic: 'plant/1/temp',
      payload: { celsius: 21.5 },
      qos: 1,
      retain: true,
      userProperties: { origin: 'flow' },
      contentType: 'application/json',
      responseTopic: 'plant/1/reply',
      correlationData: Buffer.from('c-1'),
      payloadFormatIndicator: true,
      messageExpiryInterval: 300,
    });
    assert.deepEqual(answer.payload, { topic: 'plant/1/temp', qos: 1, retain: true, delivered: 1 });
    await until(() => early.got.length === 1, 'the message at the subscriber');
    const [got] = early.got;
    assert.equal(got?.topic, 'plant/1/temp');
    assert.equal(got?.payload, '{"celsius":21.5}');
    assert.equal(got?.retain, false);
    const props = got?.properties;
    assert.deepEqual({ ...props?.userProperties }, { origin: 'flow' });
    assert.equal(props?.contentType, 'application/json');
    assert.equal(props?.responseTopic, 'plant/1/reply');
    assert.equal(props?.correlationData?.toString(), 'c-1');
    assert.equal(props?.payloadFormatIndicator, true);
    assert.ok((props?.messageExpiryInterval ?? 0) > 290);

    const late = await subscriber('late', 'plant/#');
    await until(() => late.got.length === 1, 'the retained message');
    assert.equal(late.got[0]?.retain, true);
    assert.equal(late.got[0]?.payload, '{"celsius":21.5}');
    assert.deepEqual({ ...late.got[0]?.properties?.userProperties }, { origin: 'flow' });
  });

  it('disconnects a 5.0 client with 0x98 and its reason string, and its will is published', async () => {
    await load();
    const watcher = await subscriber('watcher', 'will/#');
    const kicked = await open('kick', {
      will: { topic: 'will/kick', payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    const disconnects: IDisconnectPacket[] = [];
    kicked.on('disconnect', (packet) => disconnects.push(packet));
    const answer = await act({ action: 'disconnect', clientId: 'kick', reasonString: 'maintenance' });
    assert.deepEqual(answer.payload, { clientId: 'kick', reasonCode: 0x98, protocolLevel: 5 });
    await until(() => disconnects.length === 1, 'DISCONNECT at the client');
    assert.equal(disconnects[0]?.reasonCode, 0x98);
    assert.equal(disconnects[0]?.properties?.reasonString, 'maintenance');
    await until(() => watcher.got.length === 1, 'the will');
    assert.deepEqual(
      watcher.got.map((m) => [m.topic, m.payload]),
      [['will/kick', 'gone']],
    );
    const kickedEvent = () =>
      out.find(
        (m) => m.topic === 'client-disconnected' && isRecord(m.payload) && m.payload['clientId'] === 'kick',
      );
    await until(() => kickedEvent() !== undefined, 'the disconnected event');
    const event = kickedEvent()?.payload;
    assert.ok(isRecord(event));
    assert.equal(event['reasonCode'], 0x98);
    assert.equal(event['reason'], 'maintenance');
  });

  it('closes a 3.1.1 client when told to, with another reason code', async () => {
    await load();
    const old = await open('old', { protocolVersion: 4 });
    const closed = new Promise<void>((resolve) => old.once('close', () => resolve()));
    const answer = await act({ action: 'disconnect', clientId: 'old', reasonCode: 0x8b });
    assert.deepEqual(answer.payload, { clientId: 'old', reasonCode: 0x8b, protocolLevel: 4 });
    await closed;
  });

  it('lists clients, subscriptions and retained messages', async () => {
    await load();
    const a = await subscriber('a', 'x/#');
    await a.client.subscribeAsync('$share/g/y/+', { qos: 0 });
    await open('b', { protocolVersion: 4, keepalive: 30 });
    const keeper = await open('keeper', { clean: false, properties: { sessionExpiryInterval: 600 } });
    await keeper.subscribeAsync('k', { qos: 1 });
    await endClient(keeper);
    await a.client.publishAsync('x/r', 'kept', {
      qos: 1,
      retain: true,
      properties: { userProperties: { u: '1' } },
    });
    await until(() => a.got.length === 1, 'the own message');

    const clientsNow = records((await act({ action: 'getClients' })).payload);
    assert.deepEqual(
      clientsNow.map((c) => [c['clientId'], c['connected'], c['protocolLevel'], c['subscriptions']]),
      [
        ['a', true, 5, 2],
        ['b', true, 4, 0],
      ],
    );
    const b = clientsNow[1] ?? {};
    assert.equal(b['keepAlive'], 30);
    assert.match(String(b['listener']), /^tcp/);
    assert.match(String(b['remoteAddress']), /^127\.0\.0\.1:\d+$/);
    assert.ok(Math.abs(Number(b['connectedAt']) - Date.now()) < 10_000);
    const withOffline = records((await act({ action: 'getClients', includeOffline: true })).payload);
    const offline = withOffline.find((c) => c['clientId'] === 'keeper');
    assert.equal(offline?.['connected'], false);
    assert.equal(offline?.['sessionExpiryInterval'], 600);

    const subs = records((await act({ action: 'getSubscriptions' })).payload);
    assert.deepEqual(
      subs.map((s) => [s['clientId'], s['filter'], s['qos'], s['group'] ?? null]),
      [
        ['a', 'x/#', 1, null],
        ['a', '$share/g/y/+', 0, 'g'],
        ['keeper', 'k', 1, null],
      ],
    );
    const ofKeeper = records((await act({ action: 'getSubscriptions', clientId: 'keeper' })).payload);
    assert.deepEqual(
      ofKeeper.map((s) => s['filter']),
      ['k'],
    );
    const forTopic = records((await act({ action: 'getSubscriptions', topic: 'y/1' })).payload);
    assert.deepEqual(
      forTopic.map((s) => s['filter']),
      ['$share/g/y/+'],
    );

    assert.deepEqual(
      records((await act({ action: 'getRetained' })).payload).map((m) => m['topic']),
      ['x/r'],
    );
    const retained = records((await act({ action: 'getRetained', topic: 'x/#' })).payload);
    assert.equal(retained.length, 1);
    assert.equal(retained[0]?.['topic'], 'x/r');
    assert.ok(Buffer.isBuffer(retained[0]?.['payload']));
    assert.equal(String(retained[0]?.['payload']), 'kept');
    assert.equal(retained[0]?.['qos'], 1);
    assert.deepEqual(retained[0]?.['properties'], { userProperties: { u: '1' } });
    assert.deepEqual((await act({ action: 'getRetained', topic: 'other/#' })).payload, []);
  });

  it('replaces a stored retained message with one published right after a redeploy (file store)', async () => {
    const id = `actions-file-${++loads}`;
    const settings = { persistence: 'file' };
    await loadNow(id, settings);
    await act({ action: 'publish', topic: 'cfg', payload: 'old', retain: true });
    await helper.unload();
    await loadNow(id, settings);
    // At once, as an inject node firing on deploy would (the node holds actions until the store is read).
    await act({ action: 'publish', topic: 'cfg', payload: 'new', retain: true });
    const retained = records((await act({ action: 'getRetained', topic: 'cfg' })).payload);
    assert.deepEqual(
      retained.map((m) => String(m['payload'])),
      ['new'],
    );
  });

  it('answers a msg without an action, or getStats, with the stats as before', async () => {
    await load();
    const plain = await act({ payload: 'anything' }, 'stats');
    assert.ok(isRecord(plain.payload));
    assert.equal(typeof plain.payload['clients'], 'number');
    assert.ok(Array.isArray(plain.payload['listening']));
    const asked = await act({ action: 'getStats' }, 'stats');
    assert.ok(isRecord(asked.payload) && isRecord(asked.payload['counters']));
  });

  it('sends bad requests to Catch with the reason, and the reason code where there is one', async () => {
    await load({ maximumQoS: '1' });
    await open('here');
    const cases: [NodeMessage, RegExp, number | undefined][] = [
      [{ action: 'explode' }, /Unknown msg.action "explode"/, undefined],
      [{ action: 'publish', payload: 'x' }, /No topic to publish to/, undefined],
      [{ action: 'publish', topic: 'a/#', payload: 'x' }, /Invalid topic "a\/#"/, undefined],
      [{ action: 'publish', topic: 'a', payload: 'x', qos: 5 }, /msg.qos must be 0, 1 or 2/, undefined],
      [{ action: 'publish', topic: '$SYS/x', payload: 'x' }, /\$SYS topics are the broker's own/, 0x87],
      [{ action: 'publish', topic: 'a', payload: 'x', qos: 2 }, /above the broker's maximum QoS 1/, 0x9b],
      [
        { action: 'publish', topic: 'a', payload: 'x', userProperties: 'no' },
        /msg.userProperties/,
        undefined,
      ],
      [{ action: 'disconnect' }, /msg.clientId must name the client/, undefined],
      [{ action: 'disconnect', clientId: 'nobody' }, /No client "nobody" is connected/, undefined],
      // The msg's own reasonCode stays as it came in when the refusal has none.
      [{ action: 'disconnect', clientId: 'here', reasonCode: 4 }, /msg.reasonCode 4 is not/, 4],
      [{ action: 'getRetained', topic: 'a/#/b' }, /Invalid topic filter "a\/#\/b"/, 0x8f],
      [{ action: 'getSubscriptions', clientId: 7 }, /msg.clientId must be a string/, undefined],
      [
        { action: 'getClients', includeOffline: 'maybe' },
        /msg.includeOffline must be true or false/,
        undefined,
      ],
    ];
    for (const [msg, text, reasonCode] of cases) {
      const got = await refused(msg);
      assert.match(errorText(got), text, JSON.stringify(msg));
      assert.equal(got['reasonCode'], reasonCode, JSON.stringify(msg));
    }
    // None of them answered on the output (only broker events came out), and the client is still there.
    await delay(50);
    assert.deepEqual(
      out.filter((m) => !String(m.topic).startsWith('client-')),
      [],
    );
    const clientsNow = records((await act({ action: 'getClients' })).payload);
    assert.deepEqual(
      clientsNow.map((c) => c['clientId']),
      ['here'],
    );
  });
});
