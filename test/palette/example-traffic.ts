import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import type { NodeRedRuntime } from '../../nodes/build/demo-runtime';
import { deploy, pressInject } from './admin-api';
import { type DebugSidebar, watchDebug } from './debug-sidebar';
import { type FlowNode, idsOfType, onFreePorts } from './example-flow';
import { until } from './net';
import { isRecord } from './packed-package';

/** Every wait of the traffic check. */
const TRAFFIC_TIMEOUT_MS = 15000;

/** A PUBLISH an independent MQTT 5 client (MQTT.js) received from the flow's broker. */
interface Received {
  topic: string;
  payload: string;
  userProperties: Record<string, string | string[]>;
  contentType: string | undefined;
}

function tcpPort(flow: FlowNode[], ports: Map<number, number>): number {
  for (const node of flow) {
    if (node['type'] !== 'mqtt5 broker' || !Array.isArray(node['listeners'])) continue;
    for (const listener of node['listeners']) {
      if (isRecord(listener) && listener['type'] === 'tcp') return Number(listener['port']);
    }
  }
  throw new Error(`the flow has no mqtt5 broker with a tcp listener (ports moved: ${[...ports]})`);
}

/** The static user properties of the flow's `mqtt5 out` nodes, as key/value pairs. */
function staticUserProperties(flow: FlowNode[]): Array<[string, string]> {
  return flow
    .filter((node) => node['type'] === 'mqtt5 out' && Array.isArray(node['userProperties']))
    .flatMap((node) => (Array.isArray(node['userProperties']) ? node['userProperties'] : []))
    .filter(isRecord)
    .map((pair): [string, string] => [String(pair['key']), String(pair['value'])]);
}

/** The debug nodes an `mqtt5 in` node feeds: where the Debug sidebar shows received messages. */
function receivingDebugNodes(flow: FlowNode[]): string[] {
  const debugIds = new Set(idsOfType(flow, 'debug'));
  return flow
    .filter((node) => node['type'] === 'mqtt5 in' && Array.isArray(node['wires']))
    .flatMap((node) => (Array.isArray(node['wires']) ? node['wires'].flat() : []))
    .map(String)
    .filter((id) => debugIds.has(id));
}

function connect(port: number): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 5,
    clientId: `palette-test-${process.pid}`,
    // The broker node opens its listener once the deploy has started it: retry until then.
    reconnectPeriod: 200,
    connectTimeout: 5000,
  });
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      client.end(true);
      fail(new Error(`MQTT.js could not connect to 127.0.0.1:${port} within ${TRAFFIC_TIMEOUT_MS} ms`));
    }, TRAFFIC_TIMEOUT_MS);
    client.once('connect', () => {
      clearTimeout(timer);
      done(client);
    });
  });
}

function hasPair(received: Received, key: string, value: string): boolean {
  const found = received.userProperties[key];
  return Array.isArray(found) ? found.includes(value) : found === value;
}

/**
 * Deploys `imported` (an example as the editor imports it) with its broker on free ports, presses
 * its inject buttons, and asserts that its messages flow: an independent MQTT.js client subscribed
 * on the broker's TCP port receives the `mqtt5 out` publishes with their user properties, and the
 * Debug sidebar shows what the `mqtt5 in` nodes received.
 */
export async function flowsThrough(runtime: NodeRedRuntime, imported: unknown[]): Promise<void> {
  if (!imported.every(isRecord)) throw new Error('the flow is not a list of nodes');
  const { flow, ports } = await onFreePorts(imported);
  const port = tcpPort(flow, ports);
  const received: Received[] = [];
  let sidebar: DebugSidebar | undefined;
  let client: MqttClient | undefined;
  try {
    sidebar = await watchDebug(runtime.url);
    await deploy(runtime, flow);
    client = await connect(port);
    client.on('message', (topic, payload, packet) => {
      received.push({
        topic,
        payload: payload.toString('utf8'),
        userProperties: packet.properties?.userProperties ?? {},
        contentType: packet.properties?.contentType,
      });
    });
    await client.subscribeAsync('#', { qos: 1 });
    for (const id of idsOfType(flow, 'inject')) await pressInject(runtime, id);

    const pairs = staticUserProperties(flow);
    assert.ok(pairs.length > 0, 'the example publishes no user properties');
    const carried = (message: Received): boolean =>
      pairs.every(([key, value]) => hasPair(message, key, value));
    await until(
      () => received.some(carried),
      `a publish carrying ${JSON.stringify(pairs)}`,
      TRAFFIC_TIMEOUT_MS,
    );

    const watched = sidebar;
    const debugIds = receivingDebugNodes(flow);
    assert.ok(debugIds.length > 0, 'no debug node shows what an mqtt5 in node receives');
    await until(
      () => debugIds.every((id) => watched.messages.some((message) => message.id === id)),
      `the Debug sidebar showing messages of ${debugIds.join(', ')}`,
      TRAFFIC_TIMEOUT_MS,
    );
    for (const id of debugIds) {
      const shown = watched.messages.filter((message) => message.id === id).map((message) => message.msg);
      for (const [key] of pairs) {
        assert.ok(
          shown.some((text) => text.includes(`"${key}"`)),
          `debug ${id} shows no user property ${key}: ${shown.join(' | ')}`,
        );
      }
    }
  } finally {
    sidebar?.close();
    await client?.endAsync(true);
  }
}
