import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { exampleFiles, readExample } from '../../nodes/build/demo-runtime';
import { useCertificate } from '../../nodes/build/example-flows';
import type { NodeMessage } from '../../nodes/lib/node-red-types';
import {
  clearStatuses,
  collect,
  connectClient,
  delay,
  endClient,
  freePort,
  helper,
  inject,
  refusalCode,
  TEST_USER_DIR,
  until,
} from '../nodes/support';
import { makeSelfSignedCert } from '../transport/helpers';
import { loadableExample, loadExample, PROBE } from './flows';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

/** Every wait on a flow here is bounded by this. */
const FLOW_WAIT_MS = 10000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(msg: NodeMessage | undefined, name: string): unknown {
  return msg === undefined ? undefined : msg[name];
}

/** Injects `id` every 250 ms until `check` holds (a subscription may still be on its way at first). */
async function injectUntil(id: string, check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + FLOW_WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    inject(id, {});
    await until(check, what, 250).catch(() => undefined);
  }
}

/** Sends `msg` to a broker node and returns its answer (the broker's output goes to the probe). */
async function askBroker(brokerId: string, msg: NodeMessage): Promise<NodeMessage> {
  const answers = collect(PROBE);
  inject(brokerId, msg);
  const action = String(msg['action']);
  await until(() => answers.some((m) => m.topic === action), `the broker's ${action} answer`, FLOW_WAIT_MS);
  const answer = answers.find((m) => m.topic === action);
  if (answer === undefined) throw new Error('no answer');
  return answer;
}

/** The client ids of the subscriptions that a message on `topic` would reach. */
async function subscribers(brokerId: string, topic: string): Promise<string[]> {
  const answer = await askBroker(brokerId, { action: 'getSubscriptions', topic });
  const list = Array.isArray(answer.payload) ? answer.payload : [];
  return list.map((entry: unknown) => (isRecord(entry) ? String(entry['clientId']) : ''));
}

/** Waits until `count` subscriptions reach `topic` (so a publish now is delivered). */
async function untilSubscribed(brokerId: string, topic: string, count: number): Promise<void> {
  const deadline = Date.now() + FLOW_WAIT_MS;
  while ((await subscribers(brokerId, topic)).length < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} subscriptions to ${topic}`);
    await delay(50);
  }
}

function payloads(msgs: readonly NodeMessage[]): unknown[] {
  return msgs.map((m) => m.payload);
}

describe('examples', function () {
  this.timeout(60000);

  afterEach(async () => {
    await helper.unload();
    clearStatuses();
  });

  describe('the set', () => {
    const files = exampleFiles();
    const flows = files.map((file) => readExample(file));

    it('has the six examples, named for the Import → Examples menu', () => {
      assert.deepEqual(
        files.map((f) => f.slice(0, 5)),
        ['01 - ', '02 - ', '03 - ', '04 - ', '05 - ', '06 - '],
      );
      assert.match(files[0] ?? '', /^01 - Publish and subscribe with user properties\.json$/);
    });

    it('uses every non-config node type of the package somewhere', () => {
      const used = new Set(flows.flat().map((n) => n.type));
      for (const type of ['mqtt5 broker', 'mqtt5 in', 'mqtt5 out', 'mqtt5 request']) {
        assert.ok(used.has(type), `no example uses ${type}`);
      }
    });

    it('each runs on its own tab with its own broker node and a comment explaining it', () => {
      for (const [i, flow] of flows.entries()) {
        const tabs = flow.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1, `${files[i]}: one tab`);
        const tab = tabs[0]?.id;
        const onTab = flow.filter((n) => n.type !== 'tab' && n['z'] !== undefined);
        assert.ok(
          onTab.every((n) => n['z'] === tab && typeof n['x'] === 'number' && typeof n['y'] === 'number'),
          `${files[i]}: every flow node is placed on the tab`,
        );
        assert.equal(flow.filter((n) => n.type === 'mqtt5 broker').length, 1, `${files[i]}: one broker`);
        const comment = flow.find((n) => n.type === 'comment');
        assert.ok(
          typeof comment?.['info'] === 'string' && comment['info'].length > 100,
          `${files[i]}: comment`,
        );
        const ids = new Set(flow.map((n) => n.id));
        assert.equal(ids.size, flow.length, `${files[i]}: unique ids`);
        for (const node of flow) {
          for (const ref of ['connection', 'broker', 'tls']) {
            const id = node[ref];
            if (typeof id === 'string' && id !== '') assert.ok(ids.has(id), `${files[i]}: ${node.id}.${ref}`);
          }
          const wires = Array.isArray(node['wires']) ? node['wires'].flat() : [];
          for (const id of wires) assert.ok(ids.has(String(id)), `${files[i]}: ${node.id} wired to ${id}`);
        }
      }
    });

    it('listens on localhost only, example 1 on 1883, each on a port of its own', () => {
      const ports = flows.map((flow) => {
        const broker = flow.find((n) => n.type === 'mqtt5 broker');
        const listeners = Array.isArray(broker?.['listeners']) ? broker['listeners'] : [];
        assert.ok(listeners.every((l: unknown) => isRecord(l) && l['localOnly'] === true));
        return listeners.map((l: unknown) => (isRecord(l) ? String(l['port']) : ''));
      });
      assert.deepEqual(ports, [['1883'], ['1884'], ['1885'], ['1886'], ['1887'], ['8883']]);
    });
  });

  describe('01 - publish and subscribe with user properties', () => {
    it('delivers the reading with merged user properties, in process and over TCP', async () => {
      const port = await freePort();
      await loadExample(loadableExample('01', { 1883: port }));
      const received = collect('ex1-debug');
      const client = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
      try {
        const overTcp: { topic: string; payload: string; user: unknown }[] = [];
        client.on('message', (topic, payload, packet) =>
          overTcp.push({ topic, payload: payload.toString(), user: packet.properties?.userProperties }),
        );
        await client.subscribeAsync('demo/sensors/#', { qos: 1 });
        await injectUntil('ex1-inject', () => received.length > 0 && overTcp.length > 0, 'the reading');

        const msg = received[0];
        assert.equal(field(msg, 'topic'), 'demo/sensors/kitchen');
        assert.deepEqual(field(msg, 'payload'), { celsius: 21.5, humidity: 40 });
        assert.deepEqual(field(msg, 'userProperties'), { site: 'lab', unit: 'celsius', source: 'node-red' });
        assert.equal(field(msg, 'contentType'), 'application/json');
        assert.equal(field(msg, 'qos'), 1);
        assert.equal(overTcp[0]?.topic, 'demo/sensors/kitchen');
        assert.deepEqual(JSON.parse(overTcp[0]?.payload ?? ''), { celsius: 21.5, humidity: 40 });
        assert.deepEqual(
          { ...(isRecord(overTcp[0]?.user) ? overTcp[0].user : {}) },
          { site: 'lab', unit: 'celsius', source: 'node-red' },
        );
      } finally {
        await endClient(client);
      }
      // The broker's events reach its debug node.
      const events = collect('ex1-events');
      const other = await connectClient(`mqtt://127.0.0.1:${port}`, {
        protocolVersion: 5,
        clientId: 'probe-1',
      });
      await endClient(other);
      await until(() => events.some((m) => m.topic === 'client-connected'), 'a client-connected event');
    });
  });

  describe('02 - request and response', () => {
    it('answers each request through the responder flow', async () => {
      const port = await freePort();
      await loadExample(loadableExample('02', { 1884: port }));
      const replies = collect('ex2-debug');
      const errors = collect('ex2-errors');
      await untilSubscribed('ex2-broker', 'demo/service/add', 1);
      inject('ex2-inject', {});
      await until(() => replies.length === 1, 'the reply', FLOW_WAIT_MS);
      const reply = replies[0];
      assert.deepEqual(field(reply, 'payload'), { a: 2, b: 3, sum: 5 });
      assert.deepEqual(field(reply, 'userProperties'), { handledBy: 'ex2 responder' });
      assert.equal(field(reply, 'contentType'), 'application/json');

      // Two more at once: each reply matches its own request.
      inject('ex2-request', { payload: { a: 10, b: 20 }, tag: 'first' });
      inject('ex2-request', { payload: { a: 1, b: -1 }, tag: 'second' });
      await until(() => replies.length === 3, 'two more replies', FLOW_WAIT_MS);
      const byTag = new Map(replies.slice(1).map((m) => [m['tag'], m.payload]));
      assert.deepEqual(byTag.get('first'), { a: 10, b: 20, sum: 30 });
      assert.deepEqual(byTag.get('second'), { a: 1, b: -1, sum: 0 });
      assert.equal(errors.length, 0);
    });
  });

  describe('03 - shared subscription worker pool', () => {
    it('spreads the jobs over the three workers, each job once', async () => {
      const port = await freePort();
      await loadExample(loadableExample('03', { 1885: port }));
      const done = [1, 2, 3].map((n) => collect(`ex3-done${n}`));
      await untilSubscribed('ex3-broker', 'jobs/1', 3);
      inject('ex3-inject', {});
      await until(() => done.flat().length === 9, 'nine jobs done', FLOW_WAIT_MS);
      await delay(200);
      assert.equal(done.flat().length, 9, 'no job twice');
      const jobs = done.flatMap((msgs) => payloads(msgs).map((p) => (isRecord(p) ? p['job'] : undefined)));
      assert.deepEqual(
        [...jobs].sort((a, b) => Number(a) - Number(b)),
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      // Round-robin: three each.
      assert.deepEqual(
        done.map((msgs) => msgs.length),
        [3, 3, 3],
      );
      for (const msgs of done) assert.ok(msgs.every((m) => String(m.topic).startsWith('jobs/')));
    });
  });

  describe('04 - device status board', () => {
    it('keeps retained statuses, and the will marks a crashed device offline', async () => {
      const port = await freePort();
      await loadExample(loadableExample('04', { 1886: port }));
      const board = collect('ex4-board-debug');
      const status = (device: string) =>
        board.filter((m) => m.topic === `demo/devices/${device}/status`).map((m) => String(m.payload));

      // The thermostat's birth, and the pump's retained status.
      await until(() => status('thermostat-1').includes('online'), 'the birth message', FLOW_WAIT_MS);
      await untilSubscribed('ex4-broker', 'demo/devices/pump-7/status', 1);
      inject('ex4-pump', {});
      inject('ex4-reading', {});
      await until(() => status('pump-7').includes('maintenance'), 'the pump status', FLOW_WAIT_MS);

      // Both are retained: the broker lists them, and a late subscriber gets them at once.
      const retained = await askBroker('ex4-broker', {
        action: 'getRetained',
        topic: 'demo/devices/+/status',
      });
      assert.ok(Array.isArray(retained.payload));
      const stored = retained.payload.map((r: unknown) =>
        isRecord(r)
          ? [r['topic'], Buffer.isBuffer(r['payload']) ? r['payload'].toString() : r['payload']]
          : [],
      );
      assert.deepEqual(stored, [
        ['demo/devices/pump-7/status', 'maintenance'],
        ['demo/devices/thermostat-1/status', 'online'],
      ]);
      const late = await lateStatuses(port);
      assert.deepEqual(late, {
        'demo/devices/pump-7/status': 'maintenance',
        'demo/devices/thermostat-1/status': 'online',
      });

      // A crash: the broker drops the thermostat, publishes its will; it then reconnects.
      const before = status('thermostat-1').length;
      inject('ex4-crash', {});
      await until(
        () => status('thermostat-1').slice(before).includes('offline: connection lost'),
        'the will',
        FLOW_WAIT_MS,
      );
      await until(
        () => status('thermostat-1').slice(before).at(-1) === 'online',
        'the birth after reconnecting',
        FLOW_WAIT_MS,
      );
    });
  });

  describe('05 - dynamic subscriptions', () => {
    it('subscribes, lists and unsubscribes by msg.action', async () => {
      const port = await freePort();
      await loadExample(loadableExample('05', { 1887: port }));
      const received = collect('ex5-debug');
      const rooms = (): string[] =>
        received.filter((m) => m['action'] === undefined).map((m) => String(m.topic).split('/')[2] ?? '');
      const listed = async (): Promise<unknown> => {
        const before = received.length;
        inject('ex5-list', {});
        await until(
          () => received.slice(before).some((m) => Array.isArray(m.payload)),
          'the subscriptions list',
          FLOW_WAIT_MS,
        );
        const answer = received.slice(before).find((m) => Array.isArray(m.payload));
        received.splice(before);
        return answer?.payload;
      };

      assert.deepEqual(await listed(), []);
      inject('ex5-sub-kitchen', {});
      await untilSubscribed('ex5-broker', 'demo/rooms/kitchen/temperature', 1);
      await injectUntil('ex5-rooms', () => rooms().includes('kitchen'), 'a kitchen reading');
      await delay(200);
      assert.ok(!rooms().includes('garage'), 'no garage reading while only the kitchen is subscribed');
      const one = await listed();
      assert.ok(Array.isArray(one) && one.length === 1);
      assert.equal(isRecord(one[0]) ? one[0]['topic'] : undefined, 'demo/rooms/kitchen/#');

      inject('ex5-sub-all', {});
      inject('ex5-unsub-kitchen', {});
      // Both actions done: the node lists only the QoS 1 subscription to every room.
      const deadline = Date.now() + FLOW_WAIT_MS;
      for (;;) {
        const two = await listed();
        const only = Array.isArray(two) && two.length === 1 && isRecord(two[0]) ? two[0] : undefined;
        if (only?.['topic'] === 'demo/rooms/+/temperature') {
          assert.equal(only['qos'], 1);
          break;
        }
        if (Date.now() > deadline) throw new Error(`still subscribed to ${JSON.stringify(two)}`);
        await delay(50);
      }
      await untilSubscribedExactly('ex5-broker', 'demo/rooms/kitchen/temperature', 1);
      received.splice(0);
      await injectUntil('ex5-rooms', () => rooms().includes('garage'), 'a garage reading');
      assert.ok(rooms().includes('kitchen'), 'the kitchen still comes, through the wildcard');

      inject('ex5-unsub-all', {});
      await untilSubscribedExactly('ex5-broker', 'demo/rooms/garage/temperature', 0);
      assert.deepEqual(await listed(), []);
      received.splice(0);
      inject('ex5-rooms', {});
      await delay(300);
      assert.deepEqual(rooms(), [], 'nothing once unsubscribed from all');
    });
  });

  describe('06 - secured broker', () => {
    const certDir = mkdtempSync(join(tmpdir(), 'mqtt5-example-tls-'));
    after(() => rmSync(certDir, { recursive: true, force: true }));

    it('serves TLS with users and the ACL, as the README says to set it up', async () => {
      const certFile = join(certDir, 'broker.crt');
      const keyFile = join(certDir, 'broker.key');
      makeCertificate(certFile, keyFile);
      const port = await freePort();
      const example = loadableExample('06', { 8883: port });
      example.flow = useCertificate(example.flow, certFile, keyFile);
      await loadExample(example);
      const dashboard = collect('ex6-dashboard-debug');
      const refused = collect('ex6-refused');

      await untilSubscribed('ex6-broker', 'secure/sensors/hall', 1);
      inject('ex6-reading', {});
      await until(() => dashboard.length === 1, 'the sensor reading at the dashboard', FLOW_WAIT_MS);
      assert.equal(dashboard[0]?.topic, 'secure/sensors/hall');
      assert.deepEqual(dashboard[0]?.payload, { celsius: 19.5 });

      inject('ex6-forbidden', {});
      await until(() => refused.length === 1, 'the refused publish at Catch', FLOW_WAIT_MS);
      assert.equal(field(refused[0], 'reasonCode'), 0x87);
      await delay(200);
      assert.equal(dashboard.length, 1, 'the refused publish was not delivered');

      // Over TLS from outside: a user with the password gets in and reads; others do not.
      const tls = { protocolVersion: 5 as const, ca: [readFileSync(certFile)], servername: 'localhost' };
      const url = `mqtts://localhost:${port}`;
      const reader = await connectClient(url, {
        ...tls,
        username: 'dashboard',
        password: 'dashboard-secret',
      });
      try {
        const got: string[] = [];
        reader.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
        await reader.subscribeAsync('secure/#', { qos: 1 });
        inject('ex6-reading', {});
        await until(() => got.length === 1, 'the reading over TLS', FLOW_WAIT_MS);
        assert.equal(got[0], 'secure/sensors/hall {"celsius":19.5}');
      } finally {
        await endClient(reader);
      }
      await assert.rejects(
        connectClient(url, { ...tls, username: 'dashboard', password: 'wrong' }),
        (error: unknown) => refusalCode(error) === 134,
      );
      await assert.rejects(connectClient(url, tls), (error: unknown) => refusalCode(error) === 135);
    });
  });
});

/** Waits until exactly `count` subscriptions reach `topic`. */
async function untilSubscribedExactly(brokerId: string, topic: string, count: number): Promise<void> {
  const deadline = Date.now() + FLOW_WAIT_MS;
  while ((await subscribers(brokerId, topic)).length !== count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} subscriptions to ${topic}`);
    await delay(50);
  }
}

/** The retained statuses a new MQTT.js subscriber gets over TCP. */
async function lateStatuses(port: number): Promise<Record<string, string>> {
  const client: MqttClient = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
  try {
    const got: Record<string, string> = {};
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) got[topic] = payload.toString();
    });
    await client.subscribeAsync('demo/devices/+/status', { qos: 1 });
    await until(() => Object.keys(got).length === 2, 'two retained statuses', FLOW_WAIT_MS);
    return got;
  } finally {
    await endClient(client);
  }
}

/** A self-signed certificate for localhost, made with the command the README gives. */
function makeCertificate(certFile: string, keyFile: string): void {
  const made = makeSelfSignedCert();
  writeFileSync(certFile, made.cert);
  writeFileSync(keyFile, made.key);
}
