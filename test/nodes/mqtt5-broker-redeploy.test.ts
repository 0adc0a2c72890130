import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import type { Server as HttpServer } from 'node:http';
import type { NodeAPI, NodeStatus } from '../../nodes/lib/node-red-types';
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

  it('redeploys 50 times on the same port with clients connected: no port in use, nothing left behind', async () => {
    const port = await freePort();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const upgradeListeners = redServer?.listenerCount('upgrade');
    const listeners = [
      { type: 'tcp', port: String(port), localOnly: true },
      { type: 'ws-node-red', path: '/mqtt' },
    ];
    // One round first, so that what Node-RED and the test helper set up once is in the baseline.
    await deployWithClients(listeners, port, 'warm-up');
    await settle();
    const before = activeCounts();
    const tracker = trackResources();
    try {
      for (let i = 0; i < 50; i++) await deployWithClients(listeners, port, `round ${i}`);
      await settle();
      // Every server, socket and timer made during the 50 rounds (unref'ed ones too) is gone.
      assert.deepEqual(tracker.alive(), []);
      assert.ok(tracker.created() > 50, `tracked only ${tracker.created()} resources`);
      // And what keeps the event loop alive comes back to what it was, once Node-RED's own
      // upgrade timers (see FOREIGN) have run out.
      await until(
        () => sameCounts(activeCounts(), before),
        `the active handles to come back to ${JSON.stringify(before)}`,
        UPGRADE_TIMEOUT_MS + 2000,
      );
      assert.equal(redServer?.listenerCount('upgrade'), upgradeListeners, 'upgrade listeners left behind');
      const leaks = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
      assert.deepEqual(
        leaks.map((w) => w.message),
        [],
      );
      // The loop's last unload happened already; load once more so afterEach has a flow to unload.
      await helper.load(brokerModuleSeeingServer, flow([]));
    } finally {
      tracker.stop();
      process.off('warning', onWarning);
    }
  });
});

/**
 * One deploy of the broker on `port` and on RED.server's /mqtt, a client on each, then the unload
 * with both clients still connected: close must release the port regardless.
 */
async function deployWithClients(listeners: Record<string, unknown>[], port: number, what: string) {
  await helper.load(brokerModuleSeeingServer, flow(listeners));
  const statuses = statusesOf('b1');
  const out = collect('out');
  await until(
    () => lastText(statuses) === `tcp:${port} ws:/mqtt · 0 clients`,
    `${what}: listening (have "${lastText(statuses)}")`,
  );
  const tcpClient = await connectClient(`mqtt://127.0.0.1:${port}`, { clientId: `tcp-${what}` });
  const wsClient = await connectClient(wsUrl('/mqtt'), { clientId: `ws-${what}` });
  await until(() => out.filter((m) => m.topic === 'client-connected').length === 2, `${what}: two connects`);
  assert.deepEqual(logged(LOG_ERROR), [], `${what}: errors logged`);
  await helper.unload();
  clearStatuses();
  await endClient(tcpClient);
  await endClient(wsClient);
}

/**
 * Lets closes run out: a short pause, then a few turns of the event loop, in which async hooks
 * also report the resources destroyed meanwhile (the pause's own timer included).
 */
async function settle(): Promise<void> {
  await delay(100);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The handle kinds a leak would show as, among those keeping the event loop alive. */
const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'] as const;

/** Node-RED's default `inboundWebSocketTimeout`. */
const UPGRADE_TIMEOUT_MS = 5000;

type Counts = Record<(typeof WATCHED)[number], number>;

function sameCounts(a: Counts, b: Counts): boolean {
  return WATCHED.every((kind) => a[kind] === b[kind]);
}

function activeCounts(): Counts {
  const counts = { TCPServerWrap: 0, TCPSocketWrap: 0, Timeout: 0 };
  for (const kind of process.getActiveResourcesInfo()) {
    for (const watched of WATCHED) if (kind === watched) counts[watched]++;
  }
  return counts;
}

/** The async resource types of listening sockets, connections and timers. */
const TRACKED_TYPES = new Set(['TCPSERVERWRAP', 'TCPWRAP', 'Timeout']);

/**
 * Node-RED's runtime gives every WebSocket upgrade on its HTTP server a 5-second timer of its
 * own (it closes an upgrade that no node took); the test helper's server is not ours to judge.
 */
const FOREIGN = ['@node-red/runtime/lib/index.js'];

/**
 * Tracks the servers, sockets and timers created from now on until they are destroyed, unref'ed
 * timers (such as the broker's tick) included, which `getActiveResourcesInfo` does not list.
 */
function trackResources() {
  const live = new Map<number, string>();
  let created = 0;
  const hook = createHook({
    init(id, type) {
      if (!TRACKED_TYPES.has(type)) return;
      const stack = new Error().stack ?? '';
      if (FOREIGN.some((owner) => stack.includes(owner))) return;
      live.set(id, type);
      created++;
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    alive: () => [...live.values()],
    created: () => created,
    stop: () => hook.disable(),
  };
}
