import assert from 'node:assert/strict';
import { parseBrokerNode } from '../../nodes/lib/config';
import { eventMessage } from '../../nodes/lib/events';
import { within } from '../../nodes/lib/lifecycle';
import { listenProblem } from '../../nodes/lib/listen-errors';
import { listenerLabel, parseListener, toListenerConfig } from '../../nodes/lib/listeners';
import { translateProblem } from '../../nodes/lib/problems';
import { nodeStatus, StatusThrottle } from '../../nodes/lib/status';
import { usersWithPasswords } from '../../nodes/lib/users';
import { translator } from './support';

const t = translator('en-US');

function node(props: Record<string, unknown>) {
  return { id: 'n1', type: 'mqtt5 broker', ...props };
}

function settingsOf(props: Record<string, unknown>) {
  const parsed = parseBrokerNode(node(props));
  if (!parsed.ok) throw new Error(`unexpected problem ${parsed.problem.key}`);
  return parsed.value;
}

function problemOf(props: Record<string, unknown>): string {
  const parsed = parseBrokerNode(node(props));
  if (parsed.ok) throw new Error('expected a problem');
  return translateProblem(t, 'errors', parsed.problem);
}

describe('broker node settings', () => {
  it('reads the editor defaults: one TCP listener on localhost, auto anonymous, engine limits', () => {
    const s = settingsOf({
      listeners: [{ type: 'tcp', port: '1883', localOnly: true, host: '', path: '', secure: false }],
      users: [],
      anonymous: 'auto',
      acl: [],
      maxConnections: '',
      maximumQoS: '2',
      retainAvailable: true,
      sharedSubscriptionStrategy: 'round-robin',
      publishEvents: false,
    });
    assert.deepEqual(s.listeners, [
      {
        name: 'tcp-1883',
        kind: 'tcp',
        host: '127.0.0.1',
        port: 1883,
        secure: false,
        requireClientCert: false,
      },
    ]);
    assert.equal(s.allowAnonymous, 'auto');
    assert.deepEqual(s.config, {
      maximumQoS: 2,
      retainAvailable: true,
      sharedSubscriptionStrategy: 'round-robin',
      publishEvents: false,
    });
  });

  it('reads a node with almost nothing set (an old or hand-written flow) with the defaults', () => {
    const s = settingsOf({});
    assert.deepEqual(s.listeners, []);
    assert.deepEqual(s.usernames, []);
    assert.equal(s.allowAnonymous, 'auto');
    assert.equal(s.config.maximumQoS, 2);
  });

  it('maps limits from text and numbers, the connect timeout from seconds to milliseconds', () => {
    const s = settingsOf({
      maxConnections: '10',
      maximumPacketSize: 4096,
      maxQueuedMessages: ' 50 ',
      maxQueuedBytes: '100000',
      receiveMaximum: '20',
      topicAliasMaximum: '0',
      maxKeepAlive: '120',
      maxTopicLevels: '8',
      connectTimeout: '5',
      sysInterval: '0',
      maximumQoS: 1,
      retainAvailable: 'false',
      sharedSubscriptionStrategy: 'random',
      publishEvents: true,
    });
    assert.deepEqual(s.config, {
      maxConnections: 10,
      maximumPacketSize: 4096,
      maxQueuedMessages: 50,
      maxQueuedBytes: 100000,
      receiveMaximum: 20,
      topicAliasMaximum: 0,
      maxKeepAlive: 120,
      maxTopicLevels: 8,
      connectTimeout: 5000,
      sysInterval: 0,
      maximumQoS: 1,
      retainAvailable: false,
      sharedSubscriptionStrategy: 'random',
      publishEvents: true,
    });
  });

  it('refuses limits out of range, naming the field by its label', () => {
    assert.equal(
      problemOf({ receiveMaximum: '0' }),
      'Receive maximum must be a whole number from 1 to 65535',
    );
    assert.equal(problemOf({ maxKeepAlive: '-1' }), 'Max keep alive must be a whole number from 0 to 65535');
    assert.equal(
      problemOf({ maxConnections: '1.5' }),
      'Max connections must be a whole number from 0 to 2147483647',
    );
    assert.equal(problemOf({ maximumQoS: '3' }), 'Max QoS must be a whole number from 0 to 2');
    assert.equal(problemOf({ retainAvailable: 'yes' }), 'retained messages available must be true or false');
    assert.equal(
      problemOf({ sharedSubscriptionStrategy: 'fair' }),
      'the shared subscription strategy must be round-robin or random',
    );
  });

  it('reads each listener kind, with bind address, path and TLS needs', () => {
    const s = settingsOf({
      tls: 'tls1',
      listeners: [
        { type: 'tcp', port: 1883, localOnly: false, host: '' },
        { type: 'tls', port: '8883', localOnly: false, host: '::', requireClientCert: true },
        { type: 'ws', port: '8080', path: '/mqtt', secure: true },
        { type: 'ws-node-red', path: '/mqtt', port: '' },
      ],
    });
    assert.deepEqual(s.listeners, [
      { name: 'tcp-1883', kind: 'tcp', host: '0.0.0.0', port: 1883, secure: false, requireClientCert: false },
      { name: 'tls-8883', kind: 'tls', host: '::', port: 8883, secure: true, requireClientCert: true },
      {
        name: 'ws-8080',
        kind: 'ws',
        host: '127.0.0.1',
        port: 8080,
        path: '/mqtt',
        secure: true,
        requireClientCert: false,
      },
      {
        name: 'ws-/mqtt',
        kind: 'ws-node-red',
        host: '',
        path: '/mqtt',
        secure: false,
        requireClientCert: false,
      },
    ]);
    assert.equal(s.tlsConfigId, 'tls1');
  });

  it('refuses listeners it cannot open, naming them', () => {
    assert.equal(
      problemOf({ listeners: [{ type: 'tcp', port: '' }] }),
      'listener 1 needs a port from 0 to 65535',
    );
    assert.equal(
      problemOf({ listeners: [{ type: 'tcp', port: '70000' }] }),
      'listener 1 needs a port from 0 to 65535',
    );
    assert.equal(problemOf({ listeners: [{ type: 'udp', port: '1' }] }), 'listener 1: unknown type "udp"');
    assert.equal(
      problemOf({ listeners: [{ type: 'ws-node-red', path: '' }] }),
      'listener 1 needs a path starting with /',
    );
    assert.equal(
      problemOf({ listeners: [{ type: 'ws', port: '1', path: 'mqtt' }] }),
      'listener 1 needs a path starting with /',
    );
    assert.equal(
      problemOf({
        listeners: [
          { type: 'tcp', port: '1883' },
          { type: 'ws', port: '1883' },
        ],
      }),
      'port 1883 is used by two listeners',
    );
    assert.equal(
      problemOf({
        listeners: [
          { type: 'ws-node-red', path: '/a' },
          { type: 'ws-node-red', path: '/a' },
        ],
      }),
      'path /a is used by two listeners',
    );
    assert.equal(
      problemOf({ listeners: [{ type: 'ws', port: '1', secure: true }] }),
      'a TLS or WSS listener needs a TLS configuration',
    );
    assert.equal(
      settingsOf({ listeners: [{ type: 'tcp', port: '1', path: 'left over' }] }).listeners[0]?.path,
      undefined,
    );
    assert.equal(problemOf({ listeners: 'tcp' }), 'the listeners setting must be a list');
    assert.equal(problemOf({ listeners: [null] }), 'listener 1 is not valid');
  });

  it('reads users and ACL rows, and refuses incomplete ones', () => {
    const s = settingsOf({
      users: [{ username: ' alice ' }, { username: 'bob' }],
      anonymous: 'deny',
      acl: [
        { who: 'user', username: 'alice', access: 'read', topic: 'a/#' },
        { who: 'everyone', username: 'ignored', access: 'deny', topic: 'secret/#' },
      ],
    });
    assert.deepEqual(s.usernames, ['alice', 'bob']);
    assert.equal(s.allowAnonymous, false);
    assert.deepEqual(s.acl, [
      { username: 'alice', access: 'read', topic: 'a/#' },
      { access: 'deny', topic: 'secret/#' },
    ]);
    assert.equal(settingsOf({ anonymous: 'allow' }).allowAnonymous, true);
    assert.equal(problemOf({ users: [{ username: '' }] }), 'user 1 has no username');
    assert.equal(problemOf({ users: [{ username: 'a' }, { username: 'a' }] }), 'user "a" is listed twice');
    assert.equal(
      problemOf({ acl: [{ who: 'user', access: 'read', topic: 'x' }] }),
      'access rule 1 applies to a user but names none',
    );
    assert.equal(
      problemOf({ acl: [{ who: 'everyone', access: 'read', topic: ' ' }] }),
      'access rule 1 has no topic',
    );
    assert.equal(problemOf({ acl: [{ access: 'all', topic: 'x' }] }), 'access rule 1 is not valid');
    assert.equal(problemOf({ anonymous: 'maybe' }), 'anonymous access must be auto, allow or deny');
  });
});

describe('broker node passwords', () => {
  it('takes passwords from the JSON credential by username', () => {
    const { users, warnings } = usersWithPasswords(['alice', 'bob'], '{"alice":"a","bob":"b","gone":"c"}');
    assert.deepEqual(users, [
      { username: 'alice', password: 'a' },
      { username: 'bob', password: 'b' },
    ]);
    assert.deepEqual(warnings, []);
  });

  it('also reads a JSON list of {username, password}', () => {
    const { users } = usersWithPasswords(['alice'], '[{"username":"alice","password":"a"}]');
    assert.deepEqual(users, [{ username: 'alice', password: 'a' }]);
  });

  it('keeps a user without a password, with an empty one that never logs in, and warns', () => {
    for (const credential of [undefined, '', '{}', '{"alice": 5}']) {
      const { users, warnings } = usersWithPasswords(['alice'], credential);
      assert.deepEqual(users, [{ username: 'alice', password: '' }]);
      assert.deepEqual(warnings, [{ key: 'user-no-password', params: { username: 'alice' } }]);
    }
  });

  it('warns once about a credential it cannot read', () => {
    for (const credential of ['{not json', '"text"', 42]) {
      const { users, warnings } = usersWithPasswords(['alice', 'bob'], credential);
      assert.deepEqual(
        users.map((u) => u.password),
        ['', ''],
      );
      assert.deepEqual(warnings, [{ key: 'passwords-unreadable' }]);
    }
  });
});

describe('broker node listeners', () => {
  const tcp = parseListener({ type: 'tcp', port: '1883' }, 0);
  const wss = parseListener({ type: 'ws', port: '8443', secure: true, requireClientCert: true }, 0);
  const shared = parseListener({ type: 'ws-node-red', path: '/mqtt' }, 0);

  it('labels listeners for the status', () => {
    assert.ok(tcp.ok && wss.ok && shared.ok);
    assert.equal(listenerLabel(tcp.value, 1883), 'tcp:1883');
    assert.equal(listenerLabel(wss.value, 8443), 'wss:8443');
    assert.equal(listenerLabel(shared.value, 1880), 'ws:/mqtt');
  });

  it('hands the driver TLS only where it is needed, asking for client certificates when told', () => {
    assert.ok(tcp.ok && wss.ok);
    const tls = { key: 'k', cert: 'c', ca: 'a' };
    assert.deepEqual(toListenerConfig(tcp.value, tls, undefined), {
      name: 'tcp-1883',
      type: 'tcp',
      host: '127.0.0.1',
      port: 1883,
    });
    assert.deepEqual(toListenerConfig(wss.value, tls, undefined).tls, {
      ...tls,
      requestCert: true,
      rejectUnauthorized: true,
    });
  });

  it('explains why a listener did not open', () => {
    assert.ok(tcp.ok && shared.ok);
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    const notHere = Object.assign(new Error('listen EADDRNOTAVAIL'), { code: 'EADDRNOTAVAIL' });
    const say = (p: ReturnType<typeof listenProblem>) => translateProblem(t, 'errors', p);
    assert.equal(say(listenProblem(tcp.value, inUse)), 'port 1883 is already in use');
    assert.equal(say(listenProblem(tcp.value, denied)), 'no permission to listen on port 1883');
    assert.equal(
      say(listenProblem(tcp.value, notHere)),
      '127.0.0.1 is not an address of this machine (port 1883)',
    );
    assert.equal(say(listenProblem(tcp.value, new Error('boom'))), 'cannot listen on port 1883: boom');
    assert.equal(
      say(listenProblem(shared.value, new Error('boom'))),
      "cannot serve /mqtt on Node-RED's port: boom",
    );
  });
});

describe('broker node status', () => {
  it('shows listeners and clients, green; the last error with a red ring', () => {
    const running = { phase: 'running' as const, listening: ['tcp:1883', 'ws:/mqtt'], clients: 3 };
    assert.deepEqual(nodeStatus(running, t), {
      fill: 'green',
      shape: 'dot',
      text: 'tcp:1883 ws:/mqtt · 3 clients',
    });
    assert.deepEqual(nodeStatus({ ...running, clients: 1 }, t).text, 'tcp:1883 ws:/mqtt · 1 client');
    assert.deepEqual(
      nodeStatus({ ...running, listening: [], clients: 0 }, t).text,
      'in-process only · 0 clients',
    );
    assert.deepEqual(nodeStatus({ ...running, error: 'port 1884 is already in use' }, t), {
      fill: 'red',
      shape: 'ring',
      text: 'port 1884 is already in use · tcp:1883 ws:/mqtt · 3 clients',
    });
    assert.deepEqual(nodeStatus({ phase: 'starting', listening: [], clients: 0 }, t), {
      fill: 'yellow',
      shape: 'ring',
      text: 'starting',
    });
    assert.deepEqual(nodeStatus({ phase: 'failed', listening: [], clients: 0, error: 'bad' }, t), {
      fill: 'red',
      shape: 'ring',
      text: 'bad',
    });
  });

  it('speaks German too', () => {
    const de = translator('de');
    assert.equal(
      nodeStatus({ phase: 'running', listening: ['tcp:1883'], clients: 2 }, de).text,
      'tcp:1883 · 2 Clients',
    );
  });

  it('throttles client count updates, always showing the last one, and nothing after stop', async () => {
    let now = 0;
    const shown: (string | undefined)[] = [];
    const throttle = new StatusThrottle(
      (s) => shown.push(s.text),
      40,
      () => now,
    );
    throttle.immediate({ text: 'a' });
    throttle.throttled({ text: 'b' });
    throttle.throttled({ text: 'c' });
    assert.deepEqual(shown, ['a']);
    now = 40;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(shown, ['a', 'c']);
    now = 200;
    throttle.throttled({ text: 'd' });
    assert.deepEqual(shown, ['a', 'c', 'd']);
    now = 210;
    throttle.throttled({ text: 'e' });
    throttle.stop();
    await new Promise((resolve) => setTimeout(resolve, 60));
    throttle.immediate({ text: 'f' });
    assert.deepEqual(shown, ['a', 'c', 'd']);
  });
});

describe('broker node lifecycle', () => {
  it('bounds a wait: true when the work settles in time, false when it does not', async () => {
    assert.equal(await within(Promise.resolve(), 50), true);
    assert.equal(await within(Promise.reject(new Error('settled anyway')), 50), true);
    const started = Date.now();
    assert.equal(await within(new Promise(() => undefined), 30), false);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('broker node events', () => {
  it('copies a published payload, so the flow cannot change what the broker keeps', () => {
    const payload = Buffer.from('abc');
    const msg = eventMessage({ type: 'published', clientId: 'c', topic: 't', qos: 0, retain: true, payload });
    assert.equal(msg.topic, 'published');
    const out = msg.payload;
    assert.ok(typeof out === 'object' && out !== null && 'payload' in out && Buffer.isBuffer(out.payload));
    out.payload[0] = 0x7a;
    assert.equal(payload.toString(), 'abc');
  });

  it('passes other events on as they are', () => {
    const event = {
      type: 'client-disconnected' as const,
      clientId: 'c',
      reasonCode: 0x8e,
      reason: 'taken over',
    };
    assert.deepEqual(eventMessage(event), { topic: 'client-disconnected', payload: event });
  });
});
