import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseCliArgs } from '../../src/cli/args';
import { type ReadText, resolveSettings } from '../../src/cli/settings';

/** A file system of a few named texts. */
function files(contents: Record<string, string>): ReadText {
  return async (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}

describe('mqtt5-broker settings', () => {
  it('listens on 127.0.0.1:1883 with anonymous access decided by the users when given nothing', async () => {
    const settings = await resolveSettings(parseCliArgs([]), files({}));
    assert.deepEqual(settings.listeners, [{ name: 'tcp', type: 'tcp', host: undefined, port: 1883 }]);
    assert.equal(settings.allowAnonymous, 'auto');
    assert.equal(settings.logLevel, 'info');
    assert.deepEqual(settings.config, {});
  });

  it('maps the command line onto listeners and limits', async () => {
    const read = files({ [resolve('c.pem')]: 'CERT', [resolve('k.pem')]: 'KEY' });
    const settings = await resolveSettings(
      parseCliArgs([
        '--host',
        '::',
        '--port',
        '0',
        '--ws-port',
        '9001',
        '--ws-path',
        '/mqtt',
        '--tls-port',
        '8883',
        '--tls-cert',
        'c.pem',
        '--tls-key',
        'k.pem',
        '--max-connections',
        '5',
        '--max-packet-size',
        '1000',
        '--sys-interval',
        '0',
        '--allow-anonymous',
        'false',
        '--log-level',
        'debug',
      ]),
      read,
    );
    assert.deepEqual(settings.listeners, [
      { name: 'tcp', type: 'tcp', host: '::', port: 0 },
      { name: 'ws', type: 'ws', host: '::', port: 9001, path: '/mqtt' },
      { name: 'tls', type: 'tls', host: '::', port: 8883, tls: { cert: 'CERT', key: 'KEY' } },
    ]);
    assert.deepEqual(settings.config, {
      maxConnections: 5,
      maximumPacketSize: 1000,
      sysInterval: 0,
      allowAnonymous: false,
      publishEvents: true,
    });
    assert.equal(settings.allowAnonymous, false);
  });

  it('takes listeners, users and acl from the file, with the command line winning', async () => {
    const read = files({
      '/etc/mqtt/broker.json': JSON.stringify({
        maxConnections: 50,
        listeners: [
          { type: 'tcp', port: 1884 },
          { type: 'tls', port: 8884, cert: 'certs/c.pem', key: '/abs/k.pem' },
          { type: 'ws', port: 9002 },
          { type: 'ws', port: 9003 },
        ],
        users: [{ username: 'alice', password: 'from-file' }],
        acl: [{ access: 'readwrite', topic: '#' }],
      }),
      '/etc/mqtt/certs/c.pem': 'CERT',
      '/abs/k.pem': 'KEY',
    });
    const settings = await resolveSettings(
      parseCliArgs(['--config', '/etc/mqtt/broker.json', '--max-connections', '7', '--user', 'alice:cli']),
      read,
    );
    assert.deepEqual(
      settings.listeners.map((l) => [l.name, l.type, l.port]),
      [
        ['tcp', 'tcp', 1884],
        ['tls', 'tls', 8884],
        ['ws', 'ws', 9002],
        ['ws-2', 'ws', 9003],
      ],
    );
    assert.deepEqual(settings.listeners[1]?.tls, { cert: 'CERT', key: 'KEY' });
    assert.equal(settings.config.maxConnections, 7);
    assert.deepEqual(settings.users, [
      { username: 'alice', password: 'cli' },
      { username: 'alice', password: 'from-file' },
    ]);
    assert.deepEqual(settings.acl, [{ access: 'readwrite', topic: '#' }]);
    const overridden = await resolveSettings(
      parseCliArgs(['--config', '/etc/mqtt/broker.json', '--port', '0']),
      read,
    );
    assert.equal(overridden.listeners[0]?.port, 0, '--port replaces the file listener named tcp');
  });

  it('keeps everything in memory unless told where to keep it on disk', async () => {
    const memory = await resolveSettings(parseCliArgs(['--persistence', 'memory']), files({}));
    assert.equal(memory.dataDir, undefined);
    assert.equal((await resolveSettings(parseCliArgs([]), files({}))).dataDir, undefined);
    const file = await resolveSettings(parseCliArgs(['--persistence', 'file:data']), files({}));
    assert.equal(file.dataDir, resolve('data'));
    assert.equal(file.durability, 'sync');
    const alias = await resolveSettings(
      parseCliArgs(['--data-dir', 'data', '--durability', 'periodic']),
      files({}),
    );
    assert.equal(alias.dataDir, resolve('data'));
    assert.equal(alias.durability, 'periodic');
  });

  it('takes persistence from the settings file, relative to it, with the command line winning', async () => {
    const read = files({
      '/etc/mqtt/broker.json': JSON.stringify({ persistence: 'file:state', durability: 'periodic' }),
    });
    const fromFile = await resolveSettings(parseCliArgs(['--config', '/etc/mqtt/broker.json']), read);
    assert.equal(fromFile.dataDir, '/etc/mqtt/state');
    assert.equal(fromFile.durability, 'periodic');
    const memory = await resolveSettings(
      parseCliArgs(['--config', '/etc/mqtt/broker.json', '--persistence', 'memory']),
      read,
    );
    assert.equal(memory.dataDir, undefined);
    const elsewhere = await resolveSettings(
      parseCliArgs([
        '--config',
        '/etc/mqtt/broker.json',
        '--persistence',
        'file:/srv/mqtt',
        '--durability',
        'sync',
      ]),
      read,
    );
    assert.equal(elsewhere.dataDir, '/srv/mqtt');
    assert.equal(elsewhere.durability, 'sync');
  });

  it('refuses a durability without a file store', async () => {
    await assert.rejects(
      resolveSettings(parseCliArgs(['--durability', 'sync']), files({})),
      /durability applies to a file store: it needs --persistence file:<dir>/,
    );
    const read = files({ 'b.json': JSON.stringify({ durability: 'periodic' }) });
    await assert.rejects(
      resolveSettings(parseCliArgs(['--config', 'b.json']), read),
      /durability applies to a file store/,
    );
  });

  it('names the file it cannot read', async () => {
    await assert.rejects(
      resolveSettings(parseCliArgs(['--config', 'missing.json']), files({})),
      /cannot read the settings file "missing.json": no such file/,
    );
    await assert.rejects(
      resolveSettings(parseCliArgs(['--tls-port', '1', '--tls-cert', 'c', '--tls-key', 'k']), files({})),
      /cannot read the TLS certificate ".*c": no such file/,
    );
    await assert.rejects(
      resolveSettings(parseCliArgs(['--config', 'b.json']), files({ 'b.json': '{"bad": 1}' })),
      /settings file "b.json": unknown setting "bad"/,
    );
  });
});
