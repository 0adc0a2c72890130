import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exampleFiles,
  type FlowNode,
  moveBrokerPort,
  type NodeRedRuntime,
  readExample,
  startNodeRed,
} from '../../nodes/build/demo-runtime';
import { useCertificate } from '../../nodes/build/example-flows';
import { connectClient, endClient, freePort, until } from '../nodes/support';
import { makeSelfSignedCert } from '../transport/helpers';

/** The ports the examples listen on, in order. */
const EXAMPLE_PORTS = [1883, 1884, 1885, 1886, 1887, 8883];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A self-signed certificate for localhost, made as the README says. */
function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'broker.crt');
  const key = join(dir, 'broker.key');
  const made = makeSelfSignedCert();
  writeFileSync(cert, made.cert);
  writeFileSync(key, made.key);
  return { cert, key };
}

/**
 * All six examples deployed at once through the admin API (`POST /flows`, as the editor deploys
 * an import, credentials included) into a real Node-RED, each broker on a free port.
 */
describe('the examples deployed together in a real Node-RED', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-examples-red-'));
  let runtime: NodeRedRuntime | undefined;
  const ports: number[] = [];

  before(async () => {
    const certificate = makeCertificate(dir);
    for (const _ of EXAMPLE_PORTS) ports.push(await freePort());
    runtime = await startNodeRed({ userDir: join(dir, 'user'), editorPort: await freePort(), flows: [] });
    let flows: FlowNode[] = exampleFiles().flatMap((file) => readExample(file));
    for (const [i, from] of EXAMPLE_PORTS.entries()) flows = moveBrokerPort(flows, from, ports[i] ?? 0);
    flows = useCertificate(flows, certificate.cert, certificate.key);
    const deployed = await runtime.request('POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full' });
    assert.ok(deployed.status === 200 || deployed.status === 204, JSON.stringify(deployed.body));
  });

  after(async () => {
    await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function active(): NodeRedRuntime {
    if (runtime === undefined) throw new Error('Node-RED did not start');
    return runtime;
  }

  it('starts every flow without an error or a missing node type', async () => {
    await until(
      () => active().output().split('Started flows').length > 2,
      'the deployed flows to start',
      20000,
    );
    assert.doesNotMatch(active().output(), /\[error\]|Waiting for missing types/);
  });

  it('runs example 6 over TLS with the credentials carried in the flow', async () => {
    const port = ports[5] ?? 0;
    const ca = readFileSync(join(dir, 'broker.crt'));
    const tls = { protocolVersion: 5 as const, ca: [ca], servername: 'localhost' };
    const reader = await connectClient(`mqtts://localhost:${port}`, {
      ...tls,
      username: 'dashboard',
      password: 'dashboard-secret',
    });
    try {
      const got: string[] = [];
      reader.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
      await reader.subscribeAsync('secure/#', { qos: 1 });
      // The inject node's button, as the editor presses it.
      const deadline = Date.now() + 10000;
      while (got.length === 0) {
        const pressed = await active().request('POST', '/inject/ex6-reading');
        assert.equal(pressed.status, 200);
        await until(() => got.length > 0, 'the sensor reading', 500).catch(() => undefined);
        if (Date.now() > deadline) throw new Error('no sensor reading over TLS');
      }
      assert.equal(got[0], 'secure/sensors/hall {"celsius":19.5}');
    } finally {
      await endClient(reader);
    }
  });

  it('answers a request of example 2 through its responder flow', async () => {
    const client = await connectClient(`mqtt://127.0.0.1:${ports[1] ?? 0}`, { protocolVersion: 5 });
    try {
      const replies: unknown[] = [];
      client.on('message', (_topic, payload, packet) =>
        replies.push({
          payload: JSON.parse(payload.toString()),
          correlation: packet.properties?.correlationData,
        }),
      );
      await client.subscribeAsync('test/replies', { qos: 1 });
      const correlationData = Buffer.from('req-42');
      await client.publishAsync('demo/service/add', JSON.stringify({ a: 40, b: 2 }), {
        qos: 1,
        properties: { responseTopic: 'test/replies', correlationData, contentType: 'application/json' },
      });
      await until(() => replies.length === 1, 'the reply', 10000);
      const reply = replies[0];
      assert.ok(isRecord(reply));
      assert.deepEqual(reply['payload'], { a: 40, b: 2, sum: 42 });
      assert.ok(Buffer.isBuffer(reply['correlation']) && reply['correlation'].equals(correlationData));
    } finally {
      await endClient(client);
    }
  });

  it('serves example 4 retained statuses to a late subscriber', async () => {
    const pressed = await active().request('POST', '/inject/ex4-pump');
    assert.equal(pressed.status, 200);
    const client = await connectClient(`mqtt://127.0.0.1:${ports[3] ?? 0}`, { protocolVersion: 5 });
    try {
      const statuses = new Map<string, string>();
      client.on('message', (topic, payload, packet) => {
        if (packet.retain) statuses.set(topic, payload.toString());
      });
      // Subscribing again sends the retained messages again, in case the pump's was not stored yet.
      const deadline = Date.now() + 10000;
      while (statuses.size < 2) {
        if (Date.now() > deadline) throw new Error(`only ${[...statuses.keys()]} retained`);
        await client.unsubscribeAsync('demo/devices/+/status');
        await client.subscribeAsync('demo/devices/+/status', { qos: 1 });
        await until(() => statuses.size === 2, 'two retained statuses', 1000).catch(() => undefined);
      }
      assert.equal(statuses.get('demo/devices/pump-7/status'), 'maintenance');
      assert.equal(statuses.get('demo/devices/thermostat-1/status'), 'online');
    } finally {
      await endClient(client);
    }
  });
});
