import assert from 'node:assert/strict';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { MqttClient as MqttJsClient } from 'mqtt';
import type { ConnectionState, ConnectionUser, Mqtt5Connection } from '../../nodes/lib/connection-api';
import { isConnectionNode } from '../../nodes/lib/connection-api';
import type { NodeStatus } from '../../nodes/lib/node-red-types';
import type { SubscriberOptions } from '../../src/client';
import type { PublishPacket } from '../../src/protocol/types';
import { Mosquitto } from '../client/e2e-support';
import {
  brokerModule,
  connectClient,
  endClient,
  type FlowNode,
  freePort,
  helper,
  nodeModule,
  TEST_USER_DIR,
  until,
} from './support';

helper.init(require.resolve('node-red'));
const MODULES = [brokerModule, nodeModule('mqtt5-connection')];
const QOS1: SubscriberOptions = { qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 };
helper.settings({ userDir: TEST_USER_DIR });

/** A stand-in for an `mqtt5 in` / `mqtt5 out` node: records the states the connection reports. */
class FakeUser implements ConnectionUser {
  readonly states: ConnectionState[] = [];
  readonly statuses: NodeStatus[] = [];
  constructor(readonly id: string) {}
  onState(state: ConnectionState, status: NodeStatus): void {
    this.states.push(state);
    this.statuses.push(status);
  }
  get phase(): string | undefined {
    return this.states[this.states.length - 1]?.phase;
  }
  get text(): string {
    return String(this.statuses[this.statuses.length - 1]?.text ?? '');
  }
}

function connectionNode(id = 'c1'): Mqtt5Connection {
  const node = helper.getNode(id);
  if (!isConnectionNode(node)) throw new Error(`${id} is not an mqtt5-connection node`);
  return node;
}

async function connected(user: FakeUser): Promise<void> {
  await until(
    () => user.phase === 'connected',
    `connected (statuses: ${user.statuses.map((s) => s.text).join(' | ')})`,
  );
}

function brokerNode(port?: number, extra: Record<string, unknown> = {}): FlowNode {
  const listeners = port === undefined ? [] : [{ type: 'tcp', port: String(port), localOnly: true }];
  return { id: 'b1', type: 'mqtt5 broker', listeners, persistence: 'memory', wires: [[]], ...extra };
}

/** Observes a broker with MQTT.js: every message on `#`. */
async function observer(
  url: string,
): Promise<{ client: MqttJsClient; got: { topic: string; payload: string; retain: boolean }[] }> {
  const client = await connectClient(url, { protocolVersion: 5 });
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) =>
    got.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync('#', { qos: 1 });
  return { client, got };
}

/** A TCP relay we can cut, to make the client's connection drop without a DISCONNECT. */
async function relay(target: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = tcpConnect(target, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
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
    cut: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('mqtt5-connection config node', function () {
  this.timeout(30000);
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    await helper.unload();
    for (const f of cleanups.splice(0).reverse()) await f();
  });

  it('connects in-process to an mqtt5 broker node, with no socket, and carries messages both ways', async () => {
    await helper.load(MODULES, [
      brokerNode(),
      { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'b1', clientId: 'inproc' },
    ]);
    const connection = connectionNode();
    const user = new FakeUser('u1');
    connection.register(user);
    await connected(user);
    assert.equal(user.text, 'connected as inproc');
    assert.deepEqual(user.statuses.at(-1)?.fill, 'green');
    const got: PublishPacket[] = [];
    await connection.subscribe('u1', 'inproc/#', QOS1, (p) => got.push(p));
    const result = await connection.publish({ topic: 'inproc/a', payload: Buffer.from('hi'), qos: 1 });
    assert.deepEqual(result.reasonCodes, [0]);
    await until(() => got.length === 1, 'the message');
    assert.equal(got[0]?.payload.toString(), 'hi');
    assert.equal(connection.protocolLevel, 5);
    assert.equal(connection.capabilities?.sharedSubscriptionAvailable, true);
    await connection.deregister(user);
  });

  it('publishes the birth message on connect and the close message when the last user leaves', async () => {
    const port = await freePort();
    await helper.load(MODULES, [
      brokerNode(port),
      {
        id: 'c1',
        type: 'mqtt5-connection',
        url: `mqtt://127.0.0.1:${port}`,
        birth: {
          topic: 'status/nr',
          payload: 'online',
          qos: '1',
          retain: true,
          userProperties: [{ key: 'k', value: 'v' }],
        },
        close: { topic: 'status/nr', payload: 'offline', qos: '1', retain: true },
      },
    ]);
    const watch = await observer(`mqtt://127.0.0.1:${port}`);
    cleanups.push(() => endClient(watch.client));
    const connection = connectionNode();
    const a = new FakeUser('a');
    const b = new FakeUser('b');
    connection.register(a);
    connection.register(b);
    await connected(a);
    await until(() => watch.got.some((m) => m.payload === 'online'), 'the birth message');
    await connection.deregister(a);
    assert.equal(b.phase, 'connected', 'still shared with the other user');
    await connection.deregister(b);
    await until(() => watch.got.some((m) => m.payload === 'offline'), 'the close message');
    assert.deepEqual(
      watch.got.map((m) => m.payload),
      ['online', 'offline'],
    );
  });

  it('leaves a will, with its delay and properties, that the broker publishes when the connection drops', async () => {
    const port = await freePort();
    await helper.load(MODULES, [brokerNode(port)]);
    const cut = await relay(port);
    cleanups.push(() => cut.close());
    const watch = await observer(`mqtt://127.0.0.1:${port}`);
    cleanups.push(() => endClient(watch.client));
    // A second flow load replaces the first, so the connection goes in the same flow.
    await helper.unload();
    await helper.load(MODULES, [
      brokerNode(port),
      {
        id: 'c1',
        type: 'mqtt5-connection',
        url: `mqtt://127.0.0.1:${cut.port}`,
        will: { topic: 'will/nr', payload: 'gone', qos: '1', delay: '0', contentType: 'text/plain' },
      },
    ]);
    const watch2 = await observer(`mqtt://127.0.0.1:${port}`);
    cleanups.push(() => endClient(watch2.client));
    const connection = connectionNode();
    const user = new FakeUser('u');
    connection.register(user);
    await connected(user);
    cut.cut();
    await until(() => watch2.got.some((m) => m.topic === 'will/nr' && m.payload === 'gone'), 'the will');
    await connection.deregister(user);
  });

  it('shows a refusal with its reason code, and keeps retrying', async () => {
    const port = await freePort();
    await helper.load(MODULES, [
      brokerNode(port, { accounts: [{ username: 'alice' }] }),
      { id: 'c1', type: 'mqtt5-connection', url: `mqtt://127.0.0.1:${port}` },
    ]);
    const connection = connectionNode();
    const user = new FakeUser('u');
    connection.register(user);
    await until(
      () => user.text.includes('0x87') || user.text.includes('0x86'),
      `a refusal status (${user.text})`,
    );
    assert.equal(user.phase, 'connecting');
    assert.equal(user.statuses.at(-1)?.fill, 'yellow');
    await connection.deregister(user);
  });

  it('disconnects and connects on msg.action, with msg.broker overrides', async () => {
    const portA = await freePort();
    await helper.load(MODULES, [
      brokerNode(portA),
      { id: 'c1', type: 'mqtt5-connection', url: `mqtt://127.0.0.1:${portA}`, clientId: 'ctl' },
    ]);
    const other = new Mosquitto(await freePort());
    await other.start();
    cleanups.push(() => other.dispose());
    const connection = connectionNode();
    const user = new FakeUser('u');
    connection.register(user);
    await connected(user);
    await connection.control('disconnect', {});
    assert.equal(user.phase, 'idle');
    // Publishes made meanwhile wait in the offline queue and go out on the next connect.
    const held = connection.publish({ topic: 'ctl/held', payload: Buffer.from('x'), qos: 1 });
    const watch = await observer(other.url);
    cleanups.push(() => endClient(watch.client));
    await connection.control('connect', {
      broker: { broker: '127.0.0.1', port: other.port, clientid: 'ctl2' },
    });
    assert.equal(user.phase, 'connected');
    assert.equal(connection.clientId, 'ctl2');
    await held;
    await until(() => watch.got.some((m) => m.topic === 'ctl/held'), 'the queued publish at the new broker');
    await assert.rejects(connection.control('connect', { broker: { port: 'x' } }), /msg\.broker\.port/);
    await connection.deregister(user);
  });

  it('keeps a persistent session across a Node-RED restart: no QoS 1 message is lost', async () => {
    const broker = new Mosquitto(await freePort());
    await broker.start();
    cleanups.push(() => broker.dispose());
    const flow: FlowNode[] = [
      {
        id: 'c1',
        type: 'mqtt5-connection',
        url: broker.url,
        clientId: 'persistent-nr',
        cleanStart: false,
        sessionExpiry: '300',
      },
    ];
    await helper.load(MODULES, flow);
    let connection = connectionNode();
    let user = new FakeUser('in1');
    const got: string[] = [];
    connection.register(user);
    await connection.subscribe('in1', 'persist/#', QOS1, (p) => got.push(p.payload.toString()));
    await connected(user);
    await until(() => connection.subscriptionsOf('in1').length === 1, 'the subscription');
    await helper.unload();

    // While Node-RED is down, 50 QoS 1 messages arrive at the broker.
    const publisher = await connectClient(broker.url, { protocolVersion: 5 });
    cleanups.push(() => endClient(publisher));
    for (let i = 0; i < 50; i++) await publisher.publishAsync(`persist/${i}`, String(i), { qos: 1 });

    await helper.load(MODULES, flow);
    connection = connectionNode();
    user = new FakeUser('in1');
    connection.register(user);
    await connection.subscribe('in1', 'persist/#', QOS1, (p) => got.push(p.payload.toString()));
    await until(() => got.length >= 50, `50 messages (have ${got.length})`);
    assert.deepEqual(
      got,
      Array.from({ length: 50 }, (_, i) => String(i)),
    );
    await connection.deregister(user);
  });

  it('reconnects after the broker restarts and subscribes again', async () => {
    const broker = new Mosquitto(await freePort());
    await broker.start();
    cleanups.push(() => broker.dispose());
    await helper.load(MODULES, [{ id: 'c1', type: 'mqtt5-connection', url: broker.url }]);
    const connection = connectionNode();
    const user = new FakeUser('u');
    const got: string[] = [];
    connection.register(user);
    await connection.subscribe('u', 'again/#', QOS1, (p) => got.push(p.payload.toString()));
    await connected(user);
    await broker.stop();
    await until(() => user.phase === 'connecting', 'the lost connection');
    await broker.start();
    await until(() => user.phase === 'connected', 'the reconnect', 15000);
    const publisher = await connectClient(broker.url, { protocolVersion: 5 });
    cleanups.push(() => endClient(publisher));
    await publisher.publishAsync('again/x', 'back', { qos: 1 });
    await until(() => got.includes('back'), 'the message after the reconnect');
    await connection.deregister(user);
  });

  it('reports a bad setting on its users and refuses requests', async () => {
    await helper.load(MODULES, [{ id: 'c1', type: 'mqtt5-connection', url: 'http://example.invalid' }]);
    const connection = connectionNode();
    const user = new FakeUser('u');
    connection.register(user);
    assert.equal(user.phase, 'disconnected');
    assert.match(user.text, /Invalid broker URL/);
    await assert.rejects(
      connection.publish({ topic: 't', payload: Buffer.alloc(0), qos: 0 }),
      /Invalid broker URL/,
    );
  });
});
