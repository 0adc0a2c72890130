import assert from 'node:assert/strict';
import { parseConfigText } from '../../src/cli/config-file';

describe('mqtt5-broker settings file', () => {
  it('reads broker limits, listeners, users and acl', () => {
    const config = parseConfigText(
      JSON.stringify({
        maxConnections: 10,
        maximumQoS: 1,
        sharedSubscriptionStrategy: 'random',
        retainAvailable: false,
        responseTopicPrefix: 'r/',
        listeners: [
          { type: 'tcp', port: 1883, host: '0.0.0.0' },
          { name: 'secure', type: 'tls', port: 8883, cert: 'c.pem', key: 'k.pem', requestCert: true },
          { type: 'ws', port: 8080, path: '/mqtt' },
        ],
        users: [{ username: 'alice', password: 'secret' }],
        acl: [
          { username: 'alice', access: 'readwrite', topic: 'alice/#' },
          { access: 'read', topic: '%c/in' },
        ],
      }),
    );
    assert.deepEqual(config.broker, {
      maxConnections: 10,
      maximumQoS: 1,
      sharedSubscriptionStrategy: 'random',
      retainAvailable: false,
      responseTopicPrefix: 'r/',
    });
    assert.equal(config.listeners?.length, 3);
    assert.equal(config.listeners?.[1]?.name, 'secure');
    assert.equal(config.listeners?.[1]?.requestCert, true);
    assert.deepEqual(config.users, [{ username: 'alice', password: 'secret' }]);
    assert.deepEqual(config.acl, [
      { username: 'alice', access: 'readwrite', topic: 'alice/#' },
      { access: 'read', topic: '%c/in' },
    ]);
  });

  it('reads persistence and durability', () => {
    assert.deepEqual(parseConfigText('{"persistence": "memory"}'), {
      broker: {},
      persistence: { kind: 'memory' },
    });
    assert.deepEqual(parseConfigText('{"persistence": "file:data", "durability": "periodic"}'), {
      broker: {},
      persistence: { kind: 'file', directory: 'data' },
      durability: 'periodic',
    });
  });

  const bad: [string, RegExp][] = [
    ['{', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"maxConections": 1}', /unknown setting "maxConections"/],
    ['{"maxConnections": -1}', /"maxConnections" must be a whole number/],
    ['{"maxConnections": 1.5}', /"maxConnections" must be a whole number/],
    ['{"maximumQoS": 3}', /"maximumQoS" must be 0, 1 or 2/],
    ['{"retainAvailable": "yes"}', /"retainAvailable" must be true or false/],
    ['{"sharedSubscriptionStrategy": "sticky"}', /"round-robin" or "random"/],
    ['{"listeners": {}}', /"listeners" must be a list/],
    ['{"listeners": [{"type": "udp"}]}', /listener 1: "type" must be "tcp", "tls" or "ws"/],
    ['{"listeners": [{"type": "tcp", "port": 70000}]}', /listener 1: "port" must be a port number/],
    ['{"listeners": [{"type": "tcp", "prot": 1}]}', /listener 1: unknown setting "prot"/],
    ['{"users": [{"username": "a"}]}', /user 1 must be an object with a "username" and a "password"/],
    ['{"acl": [{"access": "all", "topic": "#"}]}', /acl rule 1: "access" must be/],
    ['{"acl": [{"access": "read"}]}', /acl rule 1: "topic" must be a topic filter/],
    ['{"persistence": "disk"}', /"persistence" must be memory or file:<dir>, not "disk"/],
    ['{"persistence": "file:"}', /"persistence" must be memory or file:<dir>/],
    ['{"persistence": true}', /"persistence" must be memory or file:<dir>, not true/],
    ['{"durability": "always"}', /"durability" must be "sync" or "periodic", not "always"/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${text} with a plain message`, () => {
      assert.throws(() => parseConfigText(text), message);
    });
  }
});
