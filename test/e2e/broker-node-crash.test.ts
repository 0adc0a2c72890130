import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import { type BrokerProcess, kill, runCrashScenario } from './crash-scenario';

/**
 * Crash safety of the broker hosted in Node-RED: a real Node-RED (the devDependency) runs a flow
 * with an `mqtt5 broker` node (file store, sync durability) and is killed with SIGKILL.
 */

const ROOT = resolve(__dirname, '..', '..', '..');
const RED = join(ROOT, 'node_modules', 'node-red', 'red.js');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/** A Node-RED user directory with this package linked in and a flow holding one broker node. */
function userDir(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-red-'));
  mkdirSync(join(dir, 'node_modules', '@node-red-mqtt5'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', '@node-red-mqtt5', 'nodes'), 'dir');
  writeFileSync(
    join(dir, 'settings.js'),
    // No editor and no HTTP endpoints: only the broker's own listener opens.
    'module.exports = { httpAdminRoot: false, httpNodeRoot: false, credentialSecret: false, ' +
      "flowFile: 'flows.json', logging: { console: { level: 'warn' } } };\n",
  );
  const flow = [
    { id: 'tab1', type: 'tab', label: 'crash' },
    {
      id: 'b1',
      z: 'tab1',
      type: 'mqtt5 broker',
      name: 'broker',
      listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
      persistence: 'file',
      durability: 'sync',
      maxQueuedMessages: '0',
      wires: [[]],
    },
  ];
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow));
  return dir;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

async function startNodeRed(dir: string, port: number): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [RED, '--userDir', dir, '--settings', join(dir, 'settings.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const deadline = Date.now() + 30000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the broker node did not start listening: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `mqtt://127.0.0.1:${port}` };
}

describe('broker node crash safety (Node-RED killed with SIGKILL mid-stream, sync durability)', function () {
  this.timeout(180000);
  const processes: BrokerProcess[] = [];
  const clients: MqttClient[] = [];
  let dir = '';

  after(async () => {
    for (const c of clients) c.end(true);
    for (const p of processes) await kill(p);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every acknowledged QoS 1 message after Node-RED restarts, in order', async () => {
    const port = await freePort();
    dir = userDir(port);
    await runCrashScenario(() => startNodeRed(dir, port), processes, clients);
  });
});
