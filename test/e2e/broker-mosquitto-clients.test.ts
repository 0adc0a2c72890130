import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { type RunningBroker, requireCommand, startBroker, waitFor } from './broker-fixture';

/**
 * End to end: Debian's mosquitto_pub and mosquitto_sub, clients we did not write, against our
 * broker at -V 5 and -V 311. `.ci/run` installs the mosquitto-clients package.
 */

interface Sub {
  proc: ChildProcess;
  lines: string[];
  done: Promise<number | null>;
}

function sub(args: string[]): Sub {
  const proc = spawn('mosquitto_sub', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const done = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return { proc, lines, done };
}

function pub(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('mosquitto_pub', args, { timeout: 10000 }, (error, _stdout, stderr) =>
      error === null
        ? resolve()
        : reject(new Error(`mosquitto_pub ${args.join(' ')}: ${stderr || error.message}`)),
    );
  });
}

describe('broker with mosquitto_pub and mosquitto_sub', function () {
  this.timeout(30000);
  let broker: RunningBroker;
  const subs: Sub[] = [];

  before(() => {
    requireCommand('mosquitto_sub', 'install the Debian package mosquitto-clients (.ci/run does)');
    requireCommand('mosquitto_pub', 'install the Debian package mosquitto-clients (.ci/run does)');
  });
  beforeEach(async () => {
    broker = await startBroker();
  });
  afterEach(async () => {
    for (const s of subs.splice(0)) s.proc.kill('SIGKILL');
    await broker.close();
  });

  const base = (v: string) => ['-h', '127.0.0.1', '-p', String(broker.port), '-V', v];
  const subscribed = (count: number) =>
    waitFor(() => broker.engine.counters.subscriptions >= count, 5000, `${count} subscriptions`);

  for (const v of ['5', '311']) {
    describe(`at -V ${v}`, () => {
      it('delivers QoS 0, 1 and 2 messages', async () => {
        const s = sub([...base(v), '-t', 'mq/+', '-q', '2', '-C', '3', '-W', '10', '-F', '%t %q %p']);
        subs.push(s);
        await subscribed(1);
        for (const q of ['0', '1', '2'])
          await pub([...base(v), '-t', `mq/q${q}`, '-q', q, '-m', `hello${q}`]);
        assert.equal(await s.done, 0);
        assert.deepEqual(s.lines, ['mq/q0 0 hello0', 'mq/q1 1 hello1', 'mq/q2 2 hello2']);
      });

      it('stores a retained message and delivers it with the retain flag', async () => {
        await pub([...base(v), '-t', 'mq/retained', '-q', '1', '-r', '-m', 'kept']);
        const s = sub([...base(v), '-t', 'mq/retained', '-C', '1', '-W', '10', '-F', '%r %p']);
        subs.push(s);
        assert.equal(await s.done, 0);
        assert.deepEqual(s.lines, ['1 kept']);
      });

      it('publishes the will of a client that is killed', async () => {
        const watcher = sub([...base(v), '-t', 'mq/will', '-C', '1', '-W', '10', '-F', '%p']);
        subs.push(watcher);
        await subscribed(1);
        const doomed = sub([
          ...base(v),
          '-t',
          'mq/nothing',
          '-i',
          'doomed',
          '--will-topic',
          'mq/will',
          '--will-payload',
          'doomed is gone',
          '--will-qos',
          '1',
        ]);
        subs.push(doomed);
        await subscribed(2);
        doomed.proc.kill('SIGKILL');
        assert.equal(await watcher.done, 0);
        assert.deepEqual(watcher.lines, ['doomed is gone']);
      });

      it('shares a $share subscription between two consumers', async () => {
        const a = sub([...base(v), '-t', '$share/g/mq/jobs', '-q', '1', '-F', '%p']);
        const b = sub([...base(v), '-t', '$share/g/mq/jobs', '-q', '1', '-F', '%p']);
        subs.push(a, b);
        await subscribed(2);
        for (let i = 0; i < 10; i++) await pub([...base(v), '-t', 'mq/jobs', '-q', '1', '-m', `job${i}`]);
        await waitFor(() => a.lines.length + b.lines.length === 10, 10000, '10 jobs');
        assert.equal(a.lines.length, 5);
        assert.equal(b.lines.length, 5);
        assert.deepEqual(
          [...a.lines, ...b.lines].sort(),
          Array.from({ length: 10 }, (_, i) => `job${i}`).sort(),
        );
      });
    });
  }

  describe('at -V 5 only', () => {
    it('carries user properties set with -D, in order, duplicates kept', async () => {
      const s = sub([...base('5'), '-t', 'mq/props', '-C', '1', '-W', '10', '-F', '%P|%C|%R|%p']);
      subs.push(s);
      await subscribed(1);
      await pub([
        ...base('5'),
        '-t',
        'mq/props',
        '-q',
        '1',
        '-m',
        'body',
        '-D',
        'publish',
        'user-property',
        'site',
        'north',
        '-D',
        'publish',
        'user-property',
        'site',
        'south',
        '-D',
        'publish',
        'content-type',
        'text/plain',
        '-D',
        'publish',
        'response-topic',
        'mq/reply',
      ]);
      assert.equal(await s.done, 0);
      assert.deepEqual(s.lines, ['site:north site:south|text/plain|mq/reply|body']);
    });

    it('resolves a topic alias set by mosquitto_pub', async () => {
      const s = sub([...base('5'), '-t', 'mq/alias', '-C', '1', '-W', '10', '-F', '%t %p']);
      subs.push(s);
      await subscribed(1);
      await pub([
        ...base('5'),
        '-t',
        'mq/alias',
        '-q',
        '1',
        '-m',
        'aliased',
        '-D',
        'publish',
        'topic-alias',
        '1',
      ]);
      assert.equal(await s.done, 0);
      assert.deepEqual(s.lines, ['mq/alias aliased']);
    });

    it('tells the subscription identifier back to mosquitto_sub', async () => {
      const s = sub([
        ...base('5'),
        '-t',
        'mq/ids',
        '-C',
        '1',
        '-W',
        '10',
        '-F',
        '%S %p',
        '-D',
        'subscribe',
        'subscription-identifier',
        '77',
      ]);
      subs.push(s);
      await subscribed(1);
      await pub([...base('5'), '-t', 'mq/ids', '-m', 'x']);
      assert.equal(await s.done, 0);
      assert.deepEqual(s.lines, ['77 x']);
    });
  });
});
