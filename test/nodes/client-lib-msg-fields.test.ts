import assert from 'node:assert/strict';
import {
  applyReceivedFields,
  NO_DEFAULTS,
  outgoingMessage,
  type PublishDefaults,
  RECEIVED_FIELD_NAMES,
  receivedFields,
} from '../../nodes/lib/msg-fields';
import type { NodeMessage } from '../../nodes/lib/node-red-types';
import type { Problem } from '../../nodes/lib/problems';
import type { OutgoingMessage } from '../../src/client/types';
import type { PublishPacket } from '../../src/protocol/types';

function publish(extra: Partial<PublishPacket> = {}): PublishPacket {
  return {
    type: 'publish',
    topic: 'sensors/1',
    payload: Buffer.from('{"t":21}'),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 7,
    ...extra,
  };
}

function defaults(extra: Partial<PublishDefaults> = {}): PublishDefaults {
  return { ...NO_DEFAULTS, ...extra };
}

function sent(msg: NodeMessage, d: PublishDefaults = NO_DEFAULTS): OutgoingMessage {
  const result = outgoingMessage(msg, d);
  if (!result.ok) throw new Error(`unexpected problem ${JSON.stringify(result.problem)}`);
  return result.value;
}

function refused(msg: NodeMessage, d: PublishDefaults = NO_DEFAULTS): Problem {
  const result = outgoingMessage(msg, d);
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.value)}`);
  return result.problem;
}

const FULL_PROPERTIES = {
  userProperties: [
    ['unit', 'C'],
    ['tag', 'a'],
    ['tag', 'b'],
  ] satisfies [string, string][],
  responseTopic: 'replies/1',
  correlationData: Buffer.from('req-1'),
  contentType: 'application/json',
  payloadFormatIndicator: true,
  messageExpiryInterval: 30,
  subscriptionIdentifiers: [3, 9],
};

describe('client msg fields of a received message', () => {
  it('maps a full v5 PUBLISH onto the core field names', () => {
    const { fields, jsonError } = receivedFields(
      publish({ retain: true, properties: FULL_PROPERTIES }),
      'auto-detect',
    );
    assert.equal(jsonError, undefined);
    assert.deepEqual(fields, {
      topic: 'sensors/1',
      payload: { t: 21 },
      qos: 1,
      retain: true,
      userProperties: { unit: 'C', tag: ['a', 'b'] },
      responseTopic: 'replies/1',
      correlationData: Buffer.from('req-1'),
      contentType: 'application/json',
      payloadFormatIndicator: true,
      messageExpiryInterval: 30,
      subscriptionIdentifiers: [3, 9],
    });
  });

  it('sets no v5 field for a bare PUBLISH', () => {
    const { fields } = receivedFields(publish({ qos: 0, packetId: undefined }), 'utf8');
    assert.deepEqual(fields, { topic: 'sensors/1', payload: '{"t":21}', qos: 0, retain: false });
    assert.deepEqual(Object.keys(fields), ['topic', 'payload', 'qos', 'retain']);
  });

  it('sets no v5 field for a PUBLISH with an empty property set', () => {
    const { fields } = receivedFields(publish({ properties: {} }), 'buffer');
    assert.deepEqual(Object.keys(fields), ['topic', 'payload', 'qos', 'retain']);
  });

  it('decodes the payload with the hints of the message (a text content type keeps a string)', () => {
    const { fields } = receivedFields(publish({ properties: { contentType: 'text/plain' } }), 'auto-detect');
    assert.equal(fields.payload, '{"t":21}');
    assert.equal(fields.contentType, 'text/plain');
  });

  it('reports a jsonError when JSON is asked for and the payload is not JSON', () => {
    const result = receivedFields(publish({ payload: Buffer.from('nope') }), 'json');
    assert.equal(result.fields.payload, 'nope');
    assert.ok(result.jsonError !== undefined);
  });

  it('lists every field it may set', () => {
    const { fields } = receivedFields(publish({ properties: FULL_PROPERTIES }), 'auto-detect');
    assert.deepEqual([...RECEIVED_FIELD_NAMES].sort(), Object.keys(fields).sort());
  });

  it('copies the fields onto a msg and removes the v5 fields of an earlier message', () => {
    const msg: NodeMessage = { _msgid: 'm1', payload: 'request', topic: 'old', keep: 'me' };
    applyReceivedFields(msg, receivedFields(publish({ properties: FULL_PROPERTIES }), 'utf8').fields);
    assert.equal(msg['responseTopic'], 'replies/1');
    const returned = applyReceivedFields(msg, receivedFields(publish({ topic: 'bare' }), 'utf8').fields);
    assert.equal(returned, msg);
    assert.deepEqual(msg, {
      _msgid: 'm1',
      keep: 'me',
      topic: 'bare',
      payload: '{"t":21}',
      qos: 1,
      retain: false,
    });
  });
});

describe('client msg to publish', () => {
  describe('topic', () => {
    it('takes the node’s topic over msg.topic', () => {
      assert.equal(
        sent({ topic: 'from/msg', payload: 1 }, defaults({ topic: 'from/node' })).topic,
        'from/node',
      );
    });

    it('takes msg.topic when the node’s topic is blank', () => {
      assert.equal(sent({ topic: 'from/msg', payload: 1 }).topic, 'from/msg');
    });

    it('refuses a msg with no topic anywhere', () => {
      assert.deepEqual(refused({ payload: 1 }), { key: 'topic-missing' });
      assert.deepEqual(refused({ topic: '', payload: 1 }), { key: 'topic-missing' });
    });

    it('refuses a topic with a wildcard, naming it', () => {
      assert.deepEqual(refused({ topic: 'a/#' }), { key: 'topic-invalid', params: { topic: 'a/#' } });
      assert.deepEqual(refused({ topic: 'a/+/b' }), { key: 'topic-invalid', params: { topic: 'a/+/b' } });
      assert.equal(refused({}, defaults({ topic: 'bad/+' })).key, 'topic-invalid');
    });

    it('refuses a topic that is not text', () => {
      const msg: NodeMessage = { payload: 1 };
      Reflect.set(msg, 'topic', 5); // as a flow may leave it, whatever NodeMessage says
      assert.deepEqual(refused(msg), { key: 'topic-invalid', params: { topic: '5' } });
    });
  });

  describe('reply shortcut', () => {
    const request: NodeMessage = {
      topic: 'requests/1',
      payload: 'answer',
      responseTopic: 'replies/abc',
      correlationData: Buffer.from('c-1'),
    };

    it('sends a msg carrying responseTopic to it, with its correlationData and no response topic', () => {
      const message = sent(request, defaults({ replyShortcut: true, responseTopic: 'node/default' }));
      assert.equal(message.topic, 'replies/abc');
      assert.deepEqual(message.properties?.correlationData, Buffer.from('c-1'));
      assert.equal(message.properties?.responseTopic, undefined);
    });

    it('does not use the node’s correlation data on a reply', () => {
      const message = sent(
        { payload: 1, responseTopic: 'replies/abc' },
        defaults({ replyShortcut: true, correlationData: Buffer.from('node') }),
      );
      assert.equal(message.topic, 'replies/abc');
      assert.equal(message.properties?.correlationData, undefined);
    });

    it('is off unless asked for: msg.topic is used and responseTopic is passed on', () => {
      const message = sent(request);
      assert.equal(message.topic, 'requests/1');
      assert.equal(message.properties?.responseTopic, 'replies/abc');
      assert.deepEqual(message.properties?.correlationData, Buffer.from('c-1'));
    });

    it('is disabled by a node topic', () => {
      const message = sent(request, defaults({ replyShortcut: true, topic: 'fixed' }));
      assert.equal(message.topic, 'fixed');
      assert.equal(message.properties?.responseTopic, 'replies/abc');
    });

    it('needs msg.responseTopic: without it msg.topic is used', () => {
      assert.equal(sent({ topic: 'plain', payload: 1 }, defaults({ replyShortcut: true })).topic, 'plain');
    });

    it('refuses a responseTopic with a wildcard', () => {
      assert.deepEqual(refused({ topic: 't', responseTopic: 'r/#' }), {
        key: 'response-topic-invalid',
        params: { topic: 'r/#' },
      });
      assert.equal(
        refused({ responseTopic: 'r/+' }, defaults({ replyShortcut: true })).key,
        'response-topic-invalid',
      );
    });
  });

  describe('qos and retain', () => {
    it('defaults to QoS 0, not retained', () => {
      const message = sent({ topic: 't' });
      assert.equal(message.qos, 0);
      assert.equal(message.retain, false);
    });

    it('takes msg.qos and msg.retain when the node leaves them open, as numbers, booleans or text', () => {
      assert.equal(sent({ topic: 't', qos: 2 }).qos, 2);
      assert.equal(sent({ topic: 't', qos: '1' }).qos, 1);
      assert.equal(sent({ topic: 't', retain: true }).retain, true);
      assert.equal(sent({ topic: 't', retain: 'true' }).retain, true);
      assert.equal(sent({ topic: 't', retain: 'false' }).retain, false);
    });

    it('takes the node’s qos and retain over the msg’s', () => {
      const message = sent({ topic: 't', qos: 2, retain: true }, defaults({ qos: 1, retain: false }));
      assert.equal(message.qos, 1);
      assert.equal(message.retain, false);
    });

    it('does not check msg.qos and msg.retain when the node sets them', () => {
      const message = sent({ topic: 't', qos: 3, retain: 'yes' }, defaults({ qos: 0, retain: true }));
      assert.equal(message.qos, 0);
      assert.equal(message.retain, true);
    });

    it('refuses a QoS other than 0, 1 or 2, naming it', () => {
      assert.deepEqual(refused({ topic: 't', qos: 3 }), { key: 'qos-invalid', params: { value: '3' } });
      assert.equal(refused({ topic: 't', qos: 1.5 }).key, 'qos-invalid');
      assert.equal(refused({ topic: 't', qos: 'high' }).key, 'qos-invalid');
      assert.equal(refused({ topic: 't', qos: -1 }).key, 'qos-invalid');
    });

    it('refuses a retain flag that is not a boolean, naming it', () => {
      assert.deepEqual(refused({ topic: 't', retain: 'yes' }), {
        key: 'retain-invalid',
        params: { value: 'yes' },
      });
      assert.equal(refused({ topic: 't', retain: 1 }).key, 'retain-invalid');
    });
  });

  describe('payload', () => {
    it('encodes msg.payload', () => {
      assert.equal(sent({ topic: 't', payload: { a: 1 } }).payload.toString(), '{"a":1}');
      assert.equal(sent({ topic: 't' }).payload.length, 0);
    });

    it('refuses a payload that cannot be encoded', () => {
      const circular: Record<string, unknown> = {};
      circular['me'] = circular;
      assert.equal(refused({ topic: 't', payload: circular }).key, 'payload-invalid');
    });
  });

  describe('v5 properties', () => {
    const nodeDefaults = defaults({
      userProperties: [
        ['site', 'north'],
        ['unit', 'C'],
      ],
      responseTopic: 'node/replies',
      correlationData: Buffer.from('node-corr'),
      contentType: 'text/plain',
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
      topicAlias: 4,
    });

    it('sends an empty property set when neither node nor msg has any', () => {
      assert.deepEqual(sent({ topic: 't' }).properties, {});
    });

    it('takes each property from the node’s defaults', () => {
      assert.deepEqual(sent({ topic: 't' }, nodeDefaults).properties, {
        userProperties: [
          ['site', 'north'],
          ['unit', 'C'],
        ],
        responseTopic: 'node/replies',
        correlationData: Buffer.from('node-corr'),
        contentType: 'text/plain',
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        topicAlias: 4,
      });
    });

    it('takes each property from the msg', () => {
      const message = sent({
        topic: 't',
        userProperties: { a: '1', list: ['x', 'y'] },
        responseTopic: 'msg/replies',
        correlationData: Buffer.from('msg-corr'),
        contentType: 'application/json',
        payloadFormatIndicator: false,
        messageExpiryInterval: 10,
        topicAlias: 2,
      });
      assert.deepEqual(message.properties, {
        userProperties: [
          ['a', '1'],
          ['list', 'x'],
          ['list', 'y'],
        ],
        responseTopic: 'msg/replies',
        correlationData: Buffer.from('msg-corr'),
        contentType: 'application/json',
        payloadFormatIndicator: false,
        messageExpiryInterval: 10,
        topicAlias: 2,
      });
    });

    it('lets the msg override each of the node’s defaults, user properties key by key', () => {
      const message = sent(
        {
          topic: 't',
          userProperties: { unit: 'F' },
          responseTopic: 'msg/replies',
          correlationData: 'msg-corr',
          contentType: 'application/json',
          payloadFormatIndicator: 0,
          messageExpiryInterval: '5',
          topicAlias: '9',
        },
        nodeDefaults,
      );
      assert.deepEqual(message.properties, {
        userProperties: [
          ['site', 'north'],
          ['unit', 'F'],
        ],
        responseTopic: 'msg/replies',
        correlationData: Buffer.from('msg-corr'),
        contentType: 'application/json',
        payloadFormatIndicator: false,
        messageExpiryInterval: 5,
        topicAlias: 9,
      });
    });

    it('keeps the node’s defaults for msg fields that are null', () => {
      const message = sent(
        {
          topic: 't',
          userProperties: null,
          correlationData: null,
          contentType: null,
          payloadFormatIndicator: null,
          messageExpiryInterval: null,
          topicAlias: null,
        },
        nodeDefaults,
      );
      assert.deepEqual(message.properties, sent({ topic: 't' }, nodeDefaults).properties);
    });

    it('accepts the payload format indicator as true/false, 1/0 and "1"/"0"', () => {
      for (const [value, expected] of [
        [true, true],
        [1, true],
        ['1', true],
        [false, false],
        [0, false],
        ['0', false],
      ] as const) {
        assert.equal(
          sent({ topic: 't', payloadFormatIndicator: value }).properties?.payloadFormatIndicator,
          expected,
        );
      }
    });

    it('accepts the extremes of the message expiry and the topic alias', () => {
      assert.equal(sent({ topic: 't', messageExpiryInterval: 0 }).properties?.messageExpiryInterval, 0);
      assert.equal(
        sent({ topic: 't', messageExpiryInterval: 4_294_967_295 }).properties?.messageExpiryInterval,
        4_294_967_295,
      );
      assert.equal(sent({ topic: 't', topicAlias: 1 }).properties?.topicAlias, 1);
      assert.equal(sent({ topic: 't', topicAlias: 65_535 }).properties?.topicAlias, 65_535);
    });

    it('refuses a message expiry that is negative, fractional or above 2^32-1, naming it', () => {
      for (const value of [-1, 1.5, 2 ** 32, '-1', 'soon']) {
        assert.deepEqual(refused({ topic: 't', messageExpiryInterval: value }), {
          key: 'expiry-invalid',
          params: { value: String(value) },
        });
      }
    });

    it('refuses a topic alias of 0 or above 65535, naming it', () => {
      for (const value of [0, 65_536, 2.5]) {
        assert.deepEqual(refused({ topic: 't', topicAlias: value }), {
          key: 'topic-alias-invalid',
          params: { value: String(value) },
        });
      }
    });

    it('refuses a payload format indicator other than true, false, 0 or 1', () => {
      assert.deepEqual(refused({ topic: 't', payloadFormatIndicator: 'x' }), {
        key: 'payload-format-invalid',
        params: { value: 'x' },
      });
      assert.equal(refused({ topic: 't', payloadFormatIndicator: 2 }).key, 'payload-format-invalid');
    });

    it('refuses correlation data that is neither a Buffer nor a string', () => {
      assert.deepEqual(refused({ topic: 't', correlationData: 42 }), { key: 'correlation-data-invalid' });
      assert.equal(refused({ topic: 't', correlationData: { a: 1 } }).key, 'correlation-data-invalid');
    });

    it('refuses a content type that is not a string', () => {
      assert.deepEqual(refused({ topic: 't', contentType: 42 }), { key: 'content-type-invalid' });
    });

    it('refuses user properties with a value that is not text, naming the key', () => {
      assert.deepEqual(refused({ topic: 't', userProperties: { good: 'x', bad: { deep: 1 } } }), {
        key: 'user-property-invalid',
        params: { key: 'bad' },
      });
      assert.deepEqual(refused({ topic: 't', userProperties: 'a=b' }), { key: 'user-properties-invalid' });
    });

    it('sends correlation data given as a string as its UTF-8 bytes', () => {
      assert.deepEqual(
        sent({ topic: 't', correlationData: 'ü' }).properties?.correlationData,
        Buffer.from('ü', 'utf8'),
      );
    });
  });
});
