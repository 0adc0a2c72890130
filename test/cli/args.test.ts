import assert from 'node:assert/strict';
import { parseCliArgs, UsageError } from '../../src/cli/args';

/** The fields that were set, for comparing without the absent ones. */
function given(args: object): object {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

describe('mqtt5-broker arguments', () => {
  it('leaves everything to the defaults when given nothing', () => {
    assert.deepEqual(given(parseCliArgs([])), { help: false, version: false, users: [] });
  });

  it('reads -h and -v', () => {
    assert.equal(parseCliArgs(['-h']).help, true);
    assert.equal(parseCliArgs(['-v']).version, true);
  });

  it('reads every option', () => {
    const args = parseCliArgs([
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--ws-port',
      '8080',
      '--ws-path',
      '/mqtt',
      '--tls-port',
      '8883',
      '--tls-cert',
      'cert.pem',
      '--tls-key',
      'key.pem',
      '--config',
      'broker.json',
      '--max-connections',
      '100',
      '--max-packet-size',
      '65536',
      '--sys-interval',
      '0',
      '--user',
      'alice:secret',
      '--user',
      'bob:pa:ss',
      '--allow-anonymous',
      'false',
      '--log-level',
      'debug',
    ]);
    assert.deepEqual(given(args), {
      help: false,
      version: false,
      host: '0.0.0.0',
      port: 0,
      wsPort: 8080,
      wsPath: '/mqtt',
      tlsPort: 8883,
      tlsCert: 'cert.pem',
      tlsKey: 'key.pem',
      configFile: 'broker.json',
      maxConnections: 100,
      maxPacketSize: 65536,
      sysInterval: 0,
      users: [
        { username: 'alice', password: 'secret' },
        { username: 'bob', password: 'pa:ss' },
      ],
      allowAnonymous: false,
      logLevel: 'debug',
    });
  });

  it('reads --persistence memory and file:<dir>, and --data-dir as file:<dir>', () => {
    assert.deepEqual(parseCliArgs(['--persistence', 'memory']).persistence, { kind: 'memory' });
    assert.deepEqual(parseCliArgs(['--persistence', 'file:./data']).persistence, {
      kind: 'file',
      directory: './data',
    });
    // A directory may itself hold a colon.
    assert.deepEqual(parseCliArgs(['--persistence=file:/var/lib/a:b']).persistence, {
      kind: 'file',
      directory: '/var/lib/a:b',
    });
    assert.deepEqual(parseCliArgs(['--data-dir', 'd']).persistence, { kind: 'file', directory: 'd' });
    assert.deepEqual(
      parseCliArgs(['--persistence', 'file:d', '--durability', 'periodic']).durability,
      'periodic',
    );
    assert.equal(parseCliArgs([]).persistence, undefined);
  });

  const bad: [string[], RegExp][] = [
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--port=-1'], /--port must be a whole number/],
    [['--port', '-1'], /ambiguous/],
    [['--port', '1e3'], /--port must be a whole number/],
    [['--port'], /argument missing/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /positional argument/],
    [['--user', 'nopassword'], /--user must look like name:password/],
    [['--user', ':x'], /--user must look like name:password/],
    [['--allow-anonymous', 'yes'], /--allow-anonymous must be true or false/],
    [['--log-level', 'trace'], /--log-level must be info or debug/],
    [['--ws-path', 'mqtt'], /--ws-path must start with "\/"/],
    [['--tls-port', '8883'], /--tls-port needs --tls-cert and --tls-key/],
    [['--tls-cert', 'c.pem'], /need --tls-port/],
    [['--max-packet-size', '1'], /--max-packet-size must be a whole number from 2/],
    [['--host', ''], /--host must not be empty/],
    [['--persistence', 'disk'], /--persistence must be memory or file:<dir>, not "disk"/],
    [['--persistence', 'file:'], /--persistence must be memory or file:<dir>, not "file:"/],
    [['--persistence', 'Memory'], /--persistence must be memory or file:<dir>/],
    [['--persistence'], /argument missing/],
    [['--persistence', 'memory', '--data-dir', 'd'], /--data-dir is another way to write --persistence/],
    [['--data-dir', ''], /--data-dir must not be empty/],
    [['--persistence', 'memory', '--durability', 'sync'], /--durability applies to a file store/],
    [['--persistence', 'file:d', '--durability', 'always'], /--durability must be sync or periodic/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')} with a plain message`, () => {
      assert.throws(
        () => parseCliArgs(argv),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});
