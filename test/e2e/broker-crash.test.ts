import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from './broker-fixture';

/**
 * Crash test: a QoS 1 publisher sends 10,000 messages to an offline persistent-session
 * subscriber; the broker (the CLI, file store in sync durability) is killed with SIGKILL
 * mid-stream and restarted on the same data directory. The subscriber then receives every
 * message the broker had acknowledged, in order.
 */

const CLI = resolve(__dirname, '..', '..', 'src', 'cli', 'mqtt5-broker.js');
const TOTAL = 10_000;

interface BrokerProcess {
  child: ChildProcess;
  url: string;
}

function startCli(dataDir: string): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    [CLI, '--port', '0', '--data-dir', dataDir, '--durability', 'sync', '--max-queued-messages', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the broker did not start: ${out}`)), 10000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the broker exited with ${code}: ${out}`));
    });
  });
}

function kill(p: BrokerProcess): Promise<void> {
  return new Promise((done) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return done();
    p.child.once('exit', () => done());
    p.child.kill('SIGKILL');
  });
}

function connect(url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  return new Promise((ok, fail) => {
    const client = mqtt.connect(url, {
      clientId,
      clean,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    client.once('connect', () => ok(client));
    client.once('error', fail);
  });
}

describe('broker crash safety (SIGKILL mid-stream, sync durability)', function () {
  this.timeout(120000);
  let dataDir: string;
  const processes: BrokerProcess[] = [];
  const clients: MqttClient[] = [];

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mqtt5-crash-'));
  });
  after(async () => {
    for (const c of clients) c.end(true);
    for (const p of processes) await kill(p);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every acknowledged QoS 1 message after a restart, in order', async () => {
    const first = await startCli(dataDir);
    processes.push(first);

    // The subscriber makes its persistent session, then goes away.
    const sub = await connect(first.url, 'crash-sub', false);
    await sub.subscribeAsync('crash/t', { qos: 1 });
    await sub.endAsync();

    // The publisher sends 10,000 QoS 1 messages; the broker is killed part way through.
    const pub = await connect(first.url, 'crash-pub', true);
    clients.push(pub);
    pub.on('error', () => {});
    const acked: number[] = [];
    let sent = 0;
    const publishNext = (): void => {
      while (sent < TOTAL && sent - acked.length < 200) {
        const n = sent++;
        pub.publish('crash/t', String(n), { qos: 1 }, (err) => {
          if (err === undefined || err === null) acked.push(n);
          publishNext();
        });
      }
    };
    publishNext();
    await waitFor(() => acked.length >= 3000, 60000, '3000 acknowledgements');
    await kill(first);
    const ackedAtKill = [...acked];
    assert.ok(ackedAtKill.length < TOTAL, 'the kill came before the end of the stream');

    // Restart on the same directory; the subscriber resumes its session.
    const second = await startCli(dataDir);
    processes.push(second);
    const received: number[] = [];
    const again = mqtt.connect(second.url, {
      clientId: 'crash-sub',
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 0,
    });
    clients.push(again);
    again.on('message', (_topic, payload) => received.push(Number(payload.toString())));
    const last = ackedAtKill[ackedAtKill.length - 1] ?? 0;
    await waitFor(() => received.includes(last), 60000, `message ${last}`);

    // Every acknowledged message arrived; order is kept (a QoS 1 resend may repeat one).
    const seen = new Set(received);
    const missing = ackedAtKill.filter((n) => !seen.has(n));
    assert.deepEqual(missing, [], `${missing.length} acknowledged messages lost`);
    const firstSeen = received.filter((n, i) => received.indexOf(n) === i);
    for (let i = 1; i < firstSeen.length; i++) {
      assert.ok(
        (firstSeen[i] ?? 0) > (firstSeen[i - 1] ?? 0),
        `out of order at ${i}: ${firstSeen[i - 1]} then ${firstSeen[i]}`,
      );
    }
    assert.ok(ackedAtKill.length >= 3000);
  });
});
