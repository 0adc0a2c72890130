import assert from 'node:assert/strict';
import type { Server as HttpServer } from 'node:http';
import type { NodeAPI, NodeStatus } from '../../nodes/lib/node-red-types';
import {
  brokerModule,
  clearStatuses,
  collect,
  connectClient,
  endClient,
  type FlowNode,
  freePort,
  helper,
  LOG_ERROR,
  logged,
  statusesOf,
  TEST_USER_DIR,
  until,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

/** The HTTP server Node-RED handed the node as `RED.server`. */
let redServer: HttpServer | undefined;

function brokerModuleSeeingServer(red: NodeAPI): void {
  redServer = red.server;
  brokerModule(red);
}

function flow(listeners: Record<string, unknown>[]): FlowNode[] {
  return [
    { id: 'b1', type: 'mqtt5 broker', listeners, wires: [['out']] },
    { id: 'out', type: 'helper' },
    { id: 'st', type: 'status', scope: ['b1'], wires: [['sh']] },
    { id: 'sh', type: 'helper' },
  ];
}

function lastText(statuses: NodeStatus[]): string {
  return statuses[statuses.length - 1]?.text ?? '';
}

function wsUrl(path: string): string {
  return `${helper.url().replace(/^http/, 'ws')}${path}`;
}

describe('mqtt5 broker node on Node-RED’s own HTTP server, and across redeploys', function () {
  this.timeout(120000);

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await helper.unload();
    clearStatuses();
  });

  it('serves MQTT.js over WebSocket at a path of RED.server', async () => {
    await helper.load(brokerModuleSeeingServer, flow([{ type: 'ws-node-red', path: '/mqtt' }]));
    const statuses = statusesOf('b1');
    await until(() => lastText(statuses) === 'ws:/mqtt · 0 clients', 'the ws status');
    const sub = await connectClient(wsUrl('/mqtt'), { clientId: 'ws-sub', protocolVersion: 5 });
    const pub = await connectClient(wsUrl('/mqtt'), { clientId: 'ws-pub', protocolVersion: 4 });
    try {
      const got: string[] = [];
      sub.on('message', (topic, payload) => got.push(`${topic}=${payload.toString()}`));
      await sub.subscribeAsync('nr/#', { qos: 1 });
      await pub.publishAsync('nr/a', 'via node-red', { qos: 1 });
      await until(() => got.includes('nr/a=via node-red'), 'the message');
      await until(() => lastText(statuses) === 'ws:/mqtt · 2 clients', 'two clients');
    } finally {
      await endClient(sub);
      await endClient(pub);
    }
  });

  it('can be stopped while it is still starting, and the port is free for the next deploy', async () => {
    const port = await freePort();
    const listeners = [
      { type: 'tcp', port: String(port), localOnly: true },
      { type: 'ws', port: String(await freePort()), localOnly: true },
      { type: 'ws-node-red', path: '/mqtt' },
    ];
    for (let i = 0; i < 5; i++) {
      await helper.load(brokerModuleSeeingServer, flow(listeners));
      await helper.unload(); // at once: the listeners may still be opening
      clearStatuses();
    }
    await helper.load(brokerModuleSeeingServer, flow(listeners));
    const statuses = statusesOf('b1');
    await until(() => lastText(statuses).endsWith('· 0 clients'), 'listening');
    assert.match(lastText(statuses), new RegExp(`^tcp:${port} ws:\\d+ ws:/mqtt · 0 clients$`));
  });

  it('redeploys 20 times on the same port with a client connected: no port in use, no listener leak', async () => {
    const port = await freePort();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const upgradeListeners = redServer?.listenerCount('upgrade');
    try {
      for (let i = 0; i < 20; i++) {
        await helper.load(
          brokerModuleSeeingServer,
          flow([
            { type: 'tcp', port: String(port), localOnly: true },
            { type: 'ws-node-red', path: '/mqtt' },
          ]),
        );
        const statuses = statusesOf('b1');
        const out = collect('out');
        await until(
          () => lastText(statuses) === `tcp:${port} ws:/mqtt · 0 clients`,
          `round ${i}: listening (have "${lastText(statuses)}")`,
        );
        const tcpClient = await connectClient(`mqtt://127.0.0.1:${port}`, { clientId: `tcp-${i}` });
        const wsClient = await connectClient(wsUrl('/mqtt'), { clientId: `ws-${i}` });
        await until(() => out.filter((m) => m.topic === 'client-connected').length === 2, 'two connects');
        assert.deepEqual(logged(LOG_ERROR), [], `round ${i}: errors logged`);
        // Unload with both clients still connected: close must release the port regardless.
        await helper.unload();
        clearStatuses();
        await endClient(tcpClient);
        await endClient(wsClient);
      }
      assert.equal(redServer?.listenerCount('upgrade'), upgradeListeners, 'upgrade listeners left behind');
      const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
      assert.deepEqual(
        leaks.map((w) => w.message),
        [],
      );
      // The loop's last unload happened already; load once more so afterEach has a flow to unload.
      await helper.load(brokerModuleSeeingServer, flow([]));
    } finally {
      process.off('warning', onWarning);
    }
  });
});
