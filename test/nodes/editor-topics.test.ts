import assert from 'node:assert/strict';
import { TOPIC_LIMIT, TopicCatalog } from '../../nodes/lib/topic-catalog';
import type { BrokerEvent } from '../../src/broker/types';
import {
  allModules,
  connectClient,
  endClient,
  type FlowNode,
  freePort,
  helper,
  TEST_USER_DIR,
} from './support';

helper.init(require.resolve('node-red'));
helper.settings({ userDir: TEST_USER_DIR });

function published(topic: string): BrokerEvent {
  return { type: 'published', clientId: 'c', topic, qos: 0, retain: false, payload: Buffer.alloc(0) };
}

describe('topic catalog', () => {
  it('lists recent topics newest first, then retained ones, without duplicates or $SYS', () => {
    const catalog = new TopicCatalog(() => ['r/1', 'a/1', '$SYS/broker/uptime']);
    catalog.record(published('a/1'));
    catalog.record(published('a/2'));
    catalog.record({ type: 'subscribed', clientId: 'c', filter: 's/#', qos: 1, reasonCode: 1 });
    catalog.record({ type: 'subscribed', clientId: 'c', filter: 'denied/#', qos: 0, reasonCode: 0x87 });
    catalog.record(published('$SYS/x'));
    catalog.record(published('a/1'));
    assert.deepEqual(catalog.topics(), ['a/1', 's/#', 'a/2', 'r/1']);
  });

  it('keeps at most its limit, forgetting the oldest', () => {
    const catalog = new TopicCatalog(() => [], 3);
    for (const t of ['a', 'b', 'c', 'd']) catalog.add(t);
    assert.deepEqual(catalog.topics(), ['d', 'c', 'b']);
    const bounded = new TopicCatalog(() => Array.from({ length: TOPIC_LIMIT + 50 }, (_, i) => `r/${i}`));
    assert.equal(bounded.topics().length, TOPIC_LIMIT);
  });
});

/** supertest against Node-RED's admin app, as `helper.request()` gives it. */
async function adminGet(path: string): Promise<{ status: number; body: unknown }> {
  const request: unknown = Reflect.get(helper, 'request');
  if (typeof request !== 'function') throw new Error('the test helper has no request()');
  const agent: unknown = Reflect.apply(request, helper, []);
  const get: unknown = Reflect.get(Object(agent), 'get');
  if (typeof get !== 'function') throw new Error('no supertest agent');
  const response: unknown = await Reflect.apply(get, agent, [path]);
  return {
    status: Number(Reflect.get(Object(response), 'status')),
    body: Reflect.get(Object(response), 'body'),
  };
}

function topicsOf(body: unknown): string[] {
  const topics: unknown = Reflect.get(Object(body), 'topics');
  assert.ok(Array.isArray(topics));
  return topics.map(String);
}

describe('topic autocomplete endpoint', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('serves the retained, subscribed and published topics of a running broker node', async () => {
    const port = await freePort();
    const broker: FlowNode = {
      id: 'topics-b1',
      type: 'mqtt5 broker',
      listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
      persistence: 'memory',
      publishEvents: true,
      wires: [[]],
    };
    await helper.load(allModules(), [broker]);
    const client = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
    try {
      await client.publishAsync('home/kitchen/temp', '21', { retain: true, qos: 1 });
      await client.subscribeAsync('home/+/humidity');
      await client.publishAsync('alerts/door', 'open', { qos: 1 });
      const response = await adminGet('/mqtt5-broker/topics-b1/topics');
      assert.equal(response.status, 200);
      const topics = topicsOf(response.body);
      assert.ok(topics.includes('home/kitchen/temp'), `retained topic in ${topics.join(', ')}`);
      assert.ok(topics.includes('home/+/humidity'), 'subscribed filter');
      assert.ok(topics.includes('alerts/door'), 'published topic');
    } finally {
      await endClient(client);
    }
  });

  it('answers 404 for an id that is no running broker node', async () => {
    await helper.load(allModules(), [{ id: 'n1', type: 'mqtt5-connection', url: 'mqtt://127.0.0.1:1' }]);
    const response = await adminGet('/mqtt5-broker/nope/topics');
    assert.equal(response.status, 404);
    assert.deepEqual(topicsOf(response.body), []);
  });
});
