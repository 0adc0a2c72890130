import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import { type BrokerProcess, kill, runCrashScenario } from './crash-scenario';

/** Crash safety of the standalone broker: the CLI with a file store in sync durability. */

const CLI = resolve(__dirname, '..', '..', 'src', 'cli', 'mqtt5-broker.js');

function startCli(dataDir: string): Promise<BrokerProcess> {
  const args = [
    CLI,
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--durability',
    'sync',
    '--max-queued-messages',
    '0',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('broker CLI crash safety (SIGKILL mid-stream, sync durability)', function () {
  this.timeout(120000);
  const dataDir = mkdtempSync(join(tmpdir(), 'mqtt5-crash-'));
  const processes: BrokerProcess[] = [];
  const clients: MqttClient[] = [];

  after(async () => {
    for (const c of clients) c.end(true);
    for (const p of processes) await kill(p);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every acknowledged QoS 1 message after a restart, in order', async () => {
    await runCrashScenario(() => startCli(dataDir), processes, clients);
  });
});
