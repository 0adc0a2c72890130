import assert from 'node:assert/strict';
import type { NodeMessage } from '../../nodes/lib/node-red-types';
import {
  evaluatedDefinition,
  readPublishDefaults,
  staticDefinition,
  typedPublishDefaults,
} from '../../nodes/lib/out-defaults';
import {
  allModules,
  collect,
  connectClient,
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

/** Typed inputs of `mqtt5 out` and `mqtt5 request`: `<field>Type` other than `str`, evaluated per msg. */

const base = { id: 'o1', type: 'mqtt5 out' };
/** An evaluator as `RED.util.evaluateNodeProperty` behaves for msg and env. */
function evaluator(msg: NodeMessage, env: Record<string, string> = {}) {
  return (value: unknown, type: string): unknown => {
    if (type === 'msg') return msg[String(value)];
    if (type === 'env') return env[String(value)];
    throw new Error(`cannot evaluate ${type}`);
  };
}

describe('typed inputs: reading', () => {
  it('reads plain text settings once: nothing to evaluate per msg', () => {
    const definition = { ...base, topic: 'a/b', topicType: 'str', contentType: 'text/plain' };
    assert.equal(evaluatedDefinition(definition, evaluator({})), undefined);
    assert.equal(typedPublishDefaults(definition, evaluator({})), undefined);
    assert.deepEqual(staticDefinition(definition), definition);
  });

  it('blanks typed fields at deploy, so a context reference is not taken for a topic', () => {
    const definition = { ...base, topic: '#:(file)::dest', topicType: 'flow', qos: '1' };
    assert.equal(readPublishDefaults(definition).ok, false);
    const read = readPublishDefaults(staticDefinition(definition));
    assert.ok(read.ok);
    assert.equal(read.value.topic, '');
    assert.equal(read.value.qos, 1);
  });

  it('evaluates msg and env fields for each msg, before the msg mapping', () => {
    const definition = {
      ...base,
      topic: 'dest',
      topicType: 'msg',
      responseTopic: 'REPLY',
      responseTopicType: 'env',
      correlationData: 'id',
      correlationDataType: 'msg',
      contentType: 'CT',
      contentTypeType: 'env',
    };
    const read = typedPublishDefaults(
      definition,
      evaluator({ dest: 'x/y', id: Buffer.from([0, 255]) }, { REPLY: 'r/1', CT: 'application/json' }),
    );
    assert.ok(read?.ok);
    assert.equal(read.value.topic, 'x/y');
    assert.equal(read.value.responseTopic, 'r/1');
    assert.deepEqual(read.value.correlationData, Buffer.from([0, 255]));
    assert.equal(read.value.contentType, 'application/json');
  });

  it('takes a missing value as blank, a number as its text, and refuses a bad topic or a failing expression', () => {
    const blank = typedPublishDefaults({ ...base, topic: 'dest', topicType: 'msg' }, evaluator({}));
    assert.ok(blank?.ok);
    assert.equal(blank.value.topic, '');
    const numeric = typedPublishDefaults({ ...base, topic: 'n', topicType: 'msg' }, evaluator({ n: 7 }));
    assert.ok(numeric?.ok);
    assert.equal(numeric.value.topic, '7');
    const wildcard = typedPublishDefaults(
      { ...base, topic: 'dest', topicType: 'msg' },
      evaluator({ dest: 'a/#' }),
    );
    assert.equal(wildcard?.ok, false);
    const failing = evaluatedDefinition({ ...base, topic: 'x', topicType: 'jsonata' }, evaluator({}));
    assert.deepEqual(failing, { ok: false, problem: { key: 'setting-invalid', params: { field: 'topic' } } });
  });
});

describe('typed inputs: in a flow', () => {
  afterEach(async () => {
    await helper.unload();
    delete process.env['MQTT5_TYPED_TEST_CT'];
  });

  it('publishes to the topic of msg.dest with the content type of an env variable', async () => {
    process.env['MQTT5_TYPED_TEST_CT'] = 'text/x-test';
    const port = await freePort();
    const flow: FlowNode[] = [
      { id: 'tab1', type: 'tab', label: 'typed' },
      {
        id: 'typed-b1',
        type: 'mqtt5 broker',
        z: 'tab1',
        listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
        persistence: 'memory',
        wires: [[]],
      },
      { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'typed-b1' },
      {
        id: 'o1',
        type: 'mqtt5 out',
        z: 'tab1',
        connection: 'c1',
        topic: 'dest',
        topicType: 'msg',
        contentType: 'MQTT5_TYPED_TEST_CT',
        contentTypeType: 'env',
        qos: '1',
      },
      { id: 'done', type: 'complete', z: 'tab1', scope: ['o1'], wires: [['completed']] },
      { id: 'completed', type: 'helper', z: 'tab1' },
    ];
    await helper.load(allModules(), flow);
    const client = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
    try {
      const received: { topic: string; contentType?: string }[] = [];
      client.on('message', (topic, _payload, packet) => {
        received.push({ topic, contentType: packet.properties?.contentType });
      });
      await client.subscribeAsync('typed/#', { qos: 1 });
      const completed = collect('completed');
      inject('o1', { payload: 'hi', dest: 'typed/one' });
      await until(() => received.length === 1 && completed.length === 1, 'the typed publish');
      assert.deepEqual(received, [{ topic: 'typed/one', contentType: 'text/x-test' }]);
    } finally {
      await endClient(client);
    }
  });

  it('sends a request to the topic of msg.dest', async () => {
    const port = await freePort();
    const flow: FlowNode[] = [
      { id: 'tab1', type: 'tab', label: 'typed' },
      {
        id: 'typed-b2',
        type: 'mqtt5 broker',
        z: 'tab1',
        listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
        persistence: 'memory',
        wires: [[]],
      },
      { id: 'c1', type: 'mqtt5-connection', target: 'broker', broker: 'typed-b2' },
      {
        id: 'r1',
        type: 'mqtt5 request',
        z: 'tab1',
        connection: 'c1',
        topic: 'dest',
        topicType: 'msg',
        timeout: '5',
        wires: [['replies']],
      },
      { id: 'replies', type: 'helper', z: 'tab1' },
    ];
    await helper.load(allModules(), flow);
    const responder = await connectClient(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5 });
    try {
      responder.on('message', (topic, payload, packet) => {
        const replyTo = packet.properties?.responseTopic;
        if (replyTo === undefined) return;
        responder.publish(replyTo, `${topic}:${payload.toString()}`, {
          qos: 1,
          properties: { correlationData: packet.properties?.correlationData },
        });
      });
      await responder.subscribeAsync('svc/#', { qos: 1 });
      const replies = collect('replies');
      inject('r1', { payload: 'ping', dest: 'svc/echo' });
      await until(() => replies.length === 1, 'the reply');
      assert.equal(replies[0]?.payload, 'svc/echo:ping');
    } finally {
      await endClient(responder);
    }
  });
});
