import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { socketLink, TestMqttClient } from '../server/mqtt-client';
import { connectTcp, until, withTimeout } from '../transport/helpers';

const CLI = join(__dirname, '..', '..', 'src', 'cli', 'mqtt5-broker.js');

/** A running `mqtt5-broker` child process and what it has printed. */
class BrokerProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (c: Buffer) => {
      this.stdout += c.toString();
    });
    this.child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The ports of the `listening on <scheme>://127.0.0.1:<port>` lines, once `n` have been printed. */
  async listening(n: number): Promise<string[]> {
    const lines = () => this.stdout.split('\n').filter((l) => l.startsWith('listening on '));
    await until(
      () => lines().length >= n || this.child.exitCode !== null,
      `${n} "listening on" lines`,
      10_000,
    );
    assert.equal(this.child.exitCode, null, `the broker exited early: ${this.stderr}`);
    return lines();
  }

  exitCode(): Promise<number | null> {
    return withTimeout(this.exited, 'the broker to exit', 10_000);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

function portOf(line: string | undefined): number {
  const match = /:(\d+)\/?$/.exec(line ?? '');
  if (match?.[1] === undefined) throw new Error(`no port in ${line}`);
  return Number(match[1]);
}

describe('mqtt5-broker command', function () {
  this.timeout(30_000);
  const running: BrokerProcess[] = [];
  afterEach(() => {
    for (const p of running.splice(0)) p.kill();
  });

  function run(args: string[]): BrokerProcess {
    const p = new BrokerProcess(args);
    running.push(p);
    return p;
  }

  it('prints the free port it got for --port 0, answers a CONNECT, and exits 0 on SIGTERM', async () => {
    const broker = run(['--port', '0', '--sys-interval', '0']);
    const [line] = await broker.listening(1);
    assert.match(line ?? '', /^listening on mqtt:\/\/127\.0\.0\.1:\d+$/);
    const client = new TestMqttClient(socketLink(await connectTcp(portOf(line))));
    client.connect('smoke');
    assert.equal((await client.next('connack')).reasonCode, 0);
    await until(
      () => broker.stdout.includes('client "smoke" connected from 127.0.0.1:'),
      'the connect log line',
    );
    broker.child.kill('SIGTERM');
    assert.equal((await client.next('disconnect')).reasonCode, 0x8b);
    assert.equal(await broker.exitCode(), 0);
  });

  it('exits 0 on SIGINT with a WebSocket listener too', async () => {
    const broker = run(['--port', '0', '--ws-port', '0', '--ws-path', '/mqtt']);
    const lines = await broker.listening(2);
    assert.match(lines[1] ?? '', /^listening on ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    broker.child.kill('SIGINT');
    assert.equal(await broker.exitCode(), 0);
  });

  it('applies users from the command line', async () => {
    const broker = run(['--port', '0', '--user', 'alice:secret']);
    const port = portOf((await broker.listening(1))[0]);
    const anonymous = new TestMqttClient(socketLink(await connectTcp(port)));
    anonymous.connect('anon');
    assert.equal((await anonymous.next('connack')).reasonCode, 0x87, 'anonymous refused once users exist');
    const alice = new TestMqttClient(socketLink(await connectTcp(port)));
    alice.connect('alice', { username: 'alice', password: Buffer.from('secret') });
    assert.equal((await alice.next('connack')).reasonCode, 0);
    broker.child.kill('SIGTERM');
    assert.equal(await broker.exitCode(), 0);
  });

  it('reads a settings file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt5-cli-'));
    try {
      const file = join(dir, 'broker.json');
      writeFileSync(
        file,
        JSON.stringify({ sysInterval: 0, listeners: [{ name: 'main', type: 'tcp', port: 0 }] }),
      );
      const broker = run(['--config', file]);
      const port = portOf((await broker.listening(1))[0]);
      const client = new TestMqttClient(socketLink(await connectTcp(port)));
      client.connect('from-file');
      assert.equal((await client.next('connack')).reasonCode, 0);
      broker.child.kill('SIGTERM');
      assert.equal(await broker.exitCode(), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a retained message across a restart with --persistence file:<dir>', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt5-cli-store-'));
    try {
      const args = ['--port', '0', '--sys-interval', '0', '--persistence', `file:${dir}`];
      const first = run(args);
      const publisher = new TestMqttClient(
        socketLink(await connectTcp(portOf((await first.listening(1))[0]))),
      );
      publisher.connect('writer');
      assert.equal((await publisher.next('connack')).reasonCode, 0);
      publisher.send({
        type: 'publish',
        topic: 'kept',
        payload: Buffer.from('on disk'),
        qos: 1,
        retain: true,
        dup: false,
        packetId: 1,
      });
      // Sync durability: the PUBACK leaves once the message is on disk.
      assert.equal((await publisher.next('puback')).packetId, 1);
      first.child.kill('SIGTERM');
      assert.equal(await first.exitCode(), 0);

      const second = run(args);
      const reader = new TestMqttClient(socketLink(await connectTcp(portOf((await second.listening(1))[0]))));
      reader.connect('reader');
      assert.equal((await reader.next('connack')).reasonCode, 0);
      reader.send({
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'kept', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      });
      const retained = await reader.next('publish');
      assert.equal(retained.payload.toString(), 'on disk');
      assert.equal(retained.retain, true);
      second.child.kill('SIGTERM');
      assert.equal(await second.exitCode(), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with a plain message on a bad --persistence', async () => {
    const broker = run(['--persistence', 'disk']);
    assert.equal(await broker.exitCode(), 1);
    assert.match(broker.stderr, /^error: --persistence must be memory or file:<dir>, not "disk"/);
  });

  it('exits 1 with a plain message on a bad argument', async () => {
    const broker = run(['--port', 'eighty']);
    assert.equal(await broker.exitCode(), 1);
    assert.match(broker.stderr, /^error: --port must be a whole number from 0 to 65535, not "eighty"/);
    assert.match(broker.stderr, /--help/);
  });

  it('exits 1 with a plain message when the port is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const address = blocker.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      const broker = run(['--port', String(port)]);
      assert.equal(await broker.exitCode(), 1);
      assert.match(
        broker.stderr,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(tcp\\): the port is already in use`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('prints its usage for --help and exits 0', async () => {
    const broker = run(['--help']);
    assert.equal(await broker.exitCode(), 0);
    assert.match(broker.stdout, /^Usage: mqtt5-broker \[options\]/);
  });
});
