import assert from 'node:assert/strict';
import {
  applyBrokerOverrides,
  type ConnectionCredentials,
  type Overridden,
} from '../../nodes/lib/broker-overrides';
import { type ConnectionSettings, parseConnectionNode } from '../../nodes/lib/connection-settings';
import type { Problem } from '../../nodes/lib/problems';

function node(props: Record<string, unknown>) {
  return { id: 'c1', type: 'mqtt5-connection', ...props };
}

function settingsOf(props: Record<string, unknown>): ConnectionSettings {
  const parsed = parseConnectionNode(node(props));
  if (!parsed.ok) throw new Error(`unexpected problem ${JSON.stringify(parsed.problem)}`);
  return parsed.value;
}

function problemOf(props: Record<string, unknown>): Problem {
  const parsed = parseConnectionNode(node(props));
  if (parsed.ok) throw new Error('expected a problem');
  return parsed.problem;
}

const URL_NODE = { url: 'mqtt://localhost:1883' };

/** The node as the editor saves it with nothing changed. */
const EDITOR_DEFAULTS = {
  target: 'url',
  url: 'mqtt://broker.example:1883',
  broker: '',
  protocolVersion: '5',
  clientId: '',
  cleanStart: true,
  sessionExpiry: '',
  keepAlive: '60',
  autoConnect: true,
  tls: '',
  receiveMaximum: '',
  maximumPacketSize: '',
  topicAliasMaximum: '',
  autoTopicAlias: false,
  requestResponseInformation: false,
  requestProblemInformation: true,
  queueLimit: '',
  userProperties: [],
  birth: { topic: '', payload: '', qos: '0', retain: false },
  close: { topic: '', payload: '', qos: '0', retain: false },
  will: { topic: '', payload: '', qos: '0', retain: false, delay: '' },
};

describe('client connection settings', () => {
  it('reads the editor defaults: a URL target, MQTT 5.0, clean start, keep alive 60', () => {
    assert.deepEqual(settingsOf(EDITOR_DEFAULTS), {
      target: { kind: 'url', url: 'mqtt://broker.example:1883' },
      tlsConfigId: undefined,
      autoConnect: true,
      scram: false,
      session: {
        protocolLevel: 5,
        clientId: '',
        cleanStart: true,
        keepAlive: 60,
        properties: {},
        autoTopicAlias: false,
        queue: { maxMessages: 1000 },
      },
      birth: undefined,
      close: undefined,
    });
  });

  it('reads a node with only a URL (an old or hand-written flow) with the same defaults', () => {
    const s = settingsOf({ url: 'mqtt://broker.example' });
    assert.deepEqual(s.target, { kind: 'url', url: 'mqtt://broker.example' });
    assert.equal(s.session.protocolLevel, 5);
    assert.equal(s.session.keepAlive, 60);
    assert.equal(s.session.cleanStart, true);
    assert.equal(s.autoConnect, true);
  });

  it('accepts the four URL schemes, trimmed', () => {
    for (const url of ['mqtt://h', 'mqtts://h:8883', 'ws://h:8080/mqtt', 'wss://h/path']) {
      assert.deepEqual(settingsOf({ url: ` ${url} ` }).target, { kind: 'url', url });
    }
  });

  it('connects to an mqtt5 broker node in-process', () => {
    assert.deepEqual(settingsOf({ target: 'broker', broker: 'b1', url: '' }).target, {
      kind: 'broker',
      brokerId: 'b1',
    });
  });

  it('refuses a broker target without a broker node', () => {
    assert.deepEqual(problemOf({ target: 'broker', broker: '' }), { key: 'broker-missing' });
  });

  it('refuses an unknown target', () => {
    assert.deepEqual(problemOf({ target: 'cloud' }), { key: 'target-invalid' });
  });

  it('refuses a URL target without a URL', () => {
    assert.deepEqual(problemOf({}), { key: 'url-missing' });
    assert.deepEqual(problemOf({ url: '  ' }), { key: 'url-missing' });
  });

  it('refuses a URL of another scheme, or not a URL, with the reason', () => {
    const http = problemOf({ url: 'http://localhost' });
    assert.equal(http.key, 'url-invalid');
    assert.equal(http.params?.['url'], 'http://localhost');
    assert.match(String(http.params?.['reason']), /scheme http/);
    assert.equal(problemOf({ url: 'localhost:1883' }).key, 'url-invalid');
    assert.equal(problemOf({ url: 'not a url' }).key, 'url-invalid');
  });

  it('keeps the TLS config node, the client id and the auto-connect choice', () => {
    const s = settingsOf({
      ...URL_NODE,
      tls: 'tls1',
      clientId: ' me ',
      autoConnect: false,
      cleanStart: 'false',
    });
    assert.equal(s.tlsConfigId, 'tls1');
    assert.equal(s.session.clientId, 'me');
    assert.equal(s.autoConnect, false);
    assert.equal(s.session.cleanStart, false);
  });

  it('sends the v5 CONNECT properties it is given', () => {
    const s = settingsOf({
      ...URL_NODE,
      sessionExpiry: '3600',
      receiveMaximum: '20',
      maximumPacketSize: 65_536,
      topicAliasMaximum: '10',
      autoTopicAlias: true,
      requestResponseInformation: true,
      requestProblemInformation: false,
      keepAlive: '0',
      userProperties: [
        { key: 'site', value: 'north' },
        { key: 'tag', value: 'a' },
        { key: 'tag', value: 'b' },
      ],
    });
    assert.deepEqual(s.session.properties, {
      sessionExpiryInterval: 3600,
      receiveMaximum: 20,
      maximumPacketSize: 65_536,
      topicAliasMaximum: 10,
      requestResponseInformation: true,
      requestProblemInformation: false,
      userProperties: [
        ['site', 'north'],
        ['tag', 'a'],
        ['tag', 'b'],
      ],
    });
    assert.equal(s.session.keepAlive, 0);
    assert.equal(s.session.autoTopicAlias, true);
  });

  it('sends no session expiry property for 0 (the MQTT default)', () => {
    assert.deepEqual(settingsOf({ ...URL_NODE, sessionExpiry: '0' }).session.properties, {});
  });

  it('drops the v5 CONNECT properties and automatic topic aliases for MQTT 3.1.1', () => {
    const s = settingsOf({
      ...URL_NODE,
      protocolVersion: '4',
      sessionExpiry: '3600',
      receiveMaximum: '20',
      topicAliasMaximum: '10',
      autoTopicAlias: true,
      requestResponseInformation: true,
      userProperties: [{ key: 'site', value: 'north' }],
    });
    assert.equal(s.session.protocolLevel, 4);
    assert.deepEqual(s.session.properties, {});
    assert.equal(s.session.autoTopicAlias, false);
  });

  it('refuses a protocol version other than 4 or 5', () => {
    assert.deepEqual(problemOf({ ...URL_NODE, protocolVersion: '3' }), {
      key: 'setting-invalid',
      params: { field: 'protocolVersion', min: 4, max: 5 },
    });
  });

  it('refuses each number out of its range, naming the field and the range', () => {
    for (const [field, value, min, max] of [
      ['keepAlive', '65536', 0, 65_535],
      ['sessionExpiry', '-1', 0, 4_294_967_295],
      ['sessionExpiry', 4_294_967_296, 0, 4_294_967_295],
      ['receiveMaximum', '0', 1, 65_535],
      ['receiveMaximum', '65536', 1, 65_535],
      ['maximumPacketSize', '0', 1, 268_435_460],
      ['topicAliasMaximum', '1.5', 0, 65_535],
      ['queueLimit', '0', 1, 1_000_000],
    ] as const) {
      assert.deepEqual(
        problemOf({ ...URL_NODE, [field]: value }),
        { key: 'setting-invalid', params: { field, min, max } },
        `${field} = ${value}`,
      );
    }
  });

  it('refuses a flag that is not a boolean, naming it', () => {
    assert.deepEqual(problemOf({ ...URL_NODE, cleanStart: 'yes' }), {
      key: 'setting-invalid',
      params: { field: 'cleanStart', min: 0, max: 1 },
    });
  });

  it('skips user property rows with a blank key and refuses rows that are not text', () => {
    const s = settingsOf({
      ...URL_NODE,
      userProperties: [{ key: '', value: 'ignored' }, { key: 'k', value: '' }, { key: 'n' }],
    });
    assert.deepEqual(s.session.properties?.userProperties, [
      ['k', ''],
      ['n', ''],
    ]);
    assert.deepEqual(problemOf({ ...URL_NODE, userProperties: [{ key: 'k', value: 5 }] }), {
      key: 'user-properties-rows-invalid',
      params: { field: 'userProperties' },
    });
    assert.equal(problemOf({ ...URL_NODE, userProperties: 'k=v' }).key, 'user-properties-rows-invalid');
  });

  it('bounds the offline queue by the queue limit', () => {
    assert.deepEqual(settingsOf({ ...URL_NODE, queueLimit: '50' }).session.queue, { maxMessages: 50 });
  });

  it('reads the birth and close messages with their properties', () => {
    const s = settingsOf({
      ...URL_NODE,
      birth: {
        topic: 'status/me',
        payload: 'online',
        qos: '1',
        retain: true,
        contentType: 'text/plain',
        payloadFormatIndicator: true,
        messageExpiryInterval: '120',
        userProperties: [{ key: 'kind', value: 'birth' }],
      },
      close: { topic: 'status/me', payload: 'offline', qos: '0', retain: 'true', contentType: '' },
    });
    assert.deepEqual(s.birth, {
      topic: 'status/me',
      payload: Buffer.from('online'),
      qos: 1,
      retain: true,
      properties: {
        userProperties: [['kind', 'birth']],
        contentType: 'text/plain',
        payloadFormatIndicator: true,
        messageExpiryInterval: 120,
      },
    });
    assert.deepEqual(s.close, {
      topic: 'status/me',
      payload: Buffer.from('offline'),
      qos: 0,
      retain: true,
      properties: {},
    });
  });

  it('reads the will with its properties and delay', () => {
    const s = settingsOf({
      ...URL_NODE,
      will: {
        topic: 'status/me',
        payload: 'gone',
        qos: 2,
        retain: true,
        contentType: 'text/plain',
        messageExpiryInterval: '300',
        userProperties: [{ key: 'kind', value: 'will' }],
        delay: '30',
      },
    });
    assert.deepEqual(s.session.will, {
      topic: 'status/me',
      payload: Buffer.from('gone'),
      qos: 2,
      retain: true,
      properties: {
        userProperties: [['kind', 'will']],
        contentType: 'text/plain',
        messageExpiryInterval: 300,
        willDelayInterval: 30,
      },
    });
  });

  it('reads a will without properties as a bare will', () => {
    const s = settingsOf({ ...URL_NODE, will: { topic: 'gone', payload: '' } });
    assert.deepEqual(s.session.will, { topic: 'gone', payload: Buffer.alloc(0), qos: 0, retain: false });
  });

  it('has no birth, close or will message when its topic is blank', () => {
    const s = settingsOf({
      ...URL_NODE,
      birth: { topic: ' ', payload: 'x' },
      will: { topic: '', payload: 'x' },
    });
    assert.equal(s.birth, undefined);
    assert.equal(s.session.will, undefined);
  });

  it('refuses a birth, close or will message that is invalid, naming which', () => {
    assert.deepEqual(problemOf({ ...URL_NODE, birth: { topic: 'a/#' } }), {
      key: 'lifecycle-invalid',
      params: { field: 'birth' },
    });
    assert.deepEqual(problemOf({ ...URL_NODE, close: { topic: 't', qos: '3' } }), {
      key: 'lifecycle-invalid',
      params: { field: 'close' },
    });
    assert.deepEqual(problemOf({ ...URL_NODE, will: { topic: 't', delay: '-1' } }), {
      key: 'lifecycle-invalid',
      params: { field: 'will' },
    });
    assert.deepEqual(problemOf({ ...URL_NODE, will: { topic: 't', messageExpiryInterval: 'x' } }), {
      key: 'lifecycle-invalid',
      params: { field: 'will' },
    });
    assert.deepEqual(problemOf({ ...URL_NODE, will: 'status/me' }), {
      key: 'lifecycle-invalid',
      params: { field: 'will' },
    });
    assert.deepEqual(problemOf({ ...URL_NODE, birth: { topic: 't', userProperties: [{ key: 1 }] } }), {
      key: 'user-properties-rows-invalid',
      params: { field: 'birth' },
    });
  });

  it('authenticates with SCRAM only on MQTT 5.0', () => {
    assert.equal(settingsOf({ ...URL_NODE, scram: true }).scram, true);
    assert.deepEqual(problemOf({ ...URL_NODE, scram: true, protocolVersion: '4' }), {
      key: 'scram-needs-v5',
    });
  });
});

describe('client msg.broker overrides', () => {
  const none: ConnectionCredentials = { username: undefined, password: undefined };
  const base = settingsOf({ url: 'mqtt://configured:1883', clientId: 'cfg', sessionExpiry: '60' });

  function overridden(value: unknown, settings = base, credentials = none): Overridden {
    const result = applyBrokerOverrides(settings, credentials, value);
    if (!result.ok) throw new Error(`unexpected problem ${JSON.stringify(result.problem)}`);
    return result.value;
  }

  function refusedOverride(value: unknown, settings = base): Problem {
    const result = applyBrokerOverrides(settings, none, value);
    if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.value.settings.target)}`);
    return result.problem;
  }

  function urlOf(value: unknown, settings = base): string {
    const target = overridden(value, settings).settings.target;
    if (target.kind !== 'url') throw new Error('expected a URL target');
    return target.url;
  }

  it('changes nothing without msg.broker', () => {
    const creds = { username: 'u', password: 'p' };
    for (const value of [undefined, null]) {
      const result = overridden(value, base, creds);
      assert.equal(result.settings, base);
      assert.equal(result.credentials, creds);
      assert.equal(result.force, false);
    }
  });

  it('changes nothing for an empty msg.broker', () => {
    const result = overridden({});
    assert.deepEqual(result.settings, base);
    assert.equal(result.force, false);
  });

  it('refuses a msg.broker that is not an object', () => {
    assert.deepEqual(refusedOverride('mqtt://other'), { key: 'overrides-invalid' });
  });

  it('connects to msg.broker.url', () => {
    assert.equal(urlOf({ url: 'mqtts://other:8883' }), 'mqtts://other:8883');
  });

  it('refuses a msg.broker.url of another scheme', () => {
    assert.equal(refusedOverride({ url: 'http://other' }).key, 'url-invalid');
  });

  it('builds the URL from broker host, port and usetls', () => {
    assert.equal(urlOf({ broker: 'other.example', port: 8883, usetls: true }), 'mqtts://other.example:8883');
    assert.equal(urlOf({ broker: 'other.example' }), 'mqtt://other.example:1883');
    assert.equal(urlOf({ port: '1884' }), 'mqtt://configured:1884');
    assert.equal(urlOf({ usetls: true }), 'mqtts://configured:1883');
  });

  it('switches tls off with usetls false', () => {
    const secure = settingsOf({ url: 'mqtts://configured:8883' });
    assert.equal(urlOf({ usetls: false }, secure), 'mqtt://configured:8883');
    assert.equal(urlOf({ usetls: 'false' }, secure), 'mqtt://configured:8883');
  });

  it('keeps a WebSocket URL a WebSocket URL: ws becomes wss with usetls', () => {
    const ws = settingsOf({ url: 'ws://configured:8080/mqtt' });
    assert.equal(urlOf({ usetls: true }, ws), 'wss://configured:8080/mqtt');
    assert.equal(urlOf({ broker: 'other', port: 9001 }, ws), 'ws://other:9001/mqtt');
    const wss = settingsOf({ url: 'wss://configured/mqtt' });
    assert.equal(urlOf({ usetls: false }, wss), 'ws://configured/mqtt');
  });

  it('takes msg.broker.broker given as a URL as the URL', () => {
    assert.equal(urlOf({ broker: 'ws://other:9001/mqtt' }), 'ws://other:9001/mqtt');
  });

  it('takes an IPv6 address as the broker host, with or without brackets', () => {
    assert.equal(urlOf({ broker: '::1', port: 1884 }), 'mqtt://[::1]:1884');
    assert.equal(urlOf({ broker: '[::1]' }), 'mqtt://[::1]:1883');
  });

  it('refuses a broker host that is not a host alone, instead of keeping the configured one', () => {
    for (const broker of ['bad host', 'other:1884', 'other/path', 'user@other']) {
      assert.deepEqual(
        refusedOverride({ broker }),
        { key: 'override-invalid', params: { field: 'broker' } },
        broker,
      );
    }
  });

  it('switches an in-process target to a URL', () => {
    const inProcess = settingsOf({ target: 'broker', broker: 'b1' });
    assert.equal(urlOf({ broker: 'other', port: 1884 }, inProcess), 'mqtt://other:1884');
    assert.equal(urlOf({ url: 'mqtt://x:1' }, inProcess), 'mqtt://x:1');
    assert.deepEqual(overridden({ clientid: 'only' }, inProcess).settings.target, {
      kind: 'broker',
      brokerId: 'b1',
    });
  });

  it('overrides the client id, keep alive, clean session, protocol version and session expiry', () => {
    const { settings } = overridden({
      clientid: 'new-id',
      keepalive: '30',
      cleansession: false,
      protocolVersion: 4,
      sessionExpiry: 0,
    });
    assert.equal(settings.session.clientId, 'new-id');
    assert.equal(settings.session.keepAlive, 30);
    assert.equal(settings.session.cleanStart, false);
    assert.equal(settings.session.protocolLevel, 4);
    assert.equal(settings.session.properties?.sessionExpiryInterval, 0);
    assert.equal(base.session.clientId, 'cfg', 'the configured settings stay as they were');
    assert.equal(base.session.properties?.sessionExpiryInterval, 60);
  });

  it('takes the protocol version as text too', () => {
    assert.equal(
      overridden({ protocolVersion: '5' }, settingsOf({ ...URL_NODE, protocolVersion: '4' })).settings.session
        .protocolLevel,
      5,
    );
  });

  it('overrides the username and password, keeping the other', () => {
    const creds = { username: 'u', password: 'p' };
    assert.deepEqual(overridden({ username: 'v' }, base, creds).credentials, {
      username: 'v',
      password: 'p',
    });
    assert.deepEqual(overridden({ password: 'q' }, base, creds).credentials, {
      username: 'u',
      password: 'q',
    });
    assert.deepEqual(creds, { username: 'u', password: 'p' });
  });

  it('reads force', () => {
    assert.equal(overridden({ force: true }).force, true);
    assert.equal(overridden({ force: 'false' }).force, false);
  });

  it('refuses each invalid value, naming the field', () => {
    for (const [field, value] of [
      ['url', 5],
      ['broker', 5],
      ['port', 0],
      ['port', 65_536],
      ['usetls', 'yes'],
      ['clientid', 7],
      ['keepalive', -1],
      ['keepalive', 70_000],
      ['cleansession', 'no'],
      ['protocolVersion', 3],
      ['protocolVersion', '6'],
      ['sessionExpiry', 2 ** 32],
      ['force', 1],
      ['username', 5],
      ['password', { secret: 1 }],
    ] as const) {
      assert.deepEqual(
        refusedOverride({ [field]: value }),
        { key: 'override-invalid', params: { field } },
        `${field} = ${String(value)}`,
      );
    }
  });

  it('refuses switching a SCRAM connection to MQTT 3.1.1', () => {
    const scram = settingsOf({ ...URL_NODE, scram: true });
    assert.deepEqual(refusedOverride({ protocolVersion: 4 }, scram), { key: 'scram-needs-v5' });
    assert.equal(overridden({ protocolVersion: 5 }, scram).settings.session.protocolLevel, 5);
  });
});
