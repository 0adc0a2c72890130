import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchFlow, type FlowOptions, harnessNodeId } from './client-flows';
import { cpuSeconds, freePort, MOSQUITTO, nodeRedMain, rssKiB } from './load/brokers';
import { sleep } from './load/clock';
import { HOST, openSocket } from './load/socket';

/**
 * The child processes of `npm run bench:client`: one mosquitto and one Node-RED, each on a free
 * port of 127.0.0.1, in temporary directories, killed at the end whatever happens.
 */

export interface Child {
  pid: number;
  port: number;
  cpuSeconds(): number | undefined;
  rssKiB(): number | undefined;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export interface NodeRed extends Child {
  /** Base URL of the admin API, e.g. http://127.0.0.1:1880/admin. */
  admin: string;
}

const live = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

export function killChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

process.on('exit', killChildren);

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

interface Spawned {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function spawnChild(file: string, args: string[], dir: string): Spawned {
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  cleanups.add(cleanup);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    if (!(await exited(child, 5000))) {
      child.kill('SIGKILL');
      await exited(child, 2000);
    }
    live.delete(child);
    cleanups.delete(cleanup);
    cleanup();
  };
  return { child, output: () => output.trim(), stop };
}

async function waitForPort(s: Spawned, port: number, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new Error(`${what} exited (${s.child.exitCode ?? s.child.signalCode}): ${s.output()}`);
    }
    try {
      const socket = await openSocket(port, 500);
      socket.destroy();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${what} is not listening on ${HOST}:${port} after ${seconds} s: ${s.output()}`);
}

function child(s: Spawned, port: number): Child {
  const pid = s.child.pid ?? 0;
  return { pid, port, cpuSeconds: () => cpuSeconds(pid), rssKiB: () => rssKiB(pid), stop: s.stop };
}

/**
 * Mosquitto with no limit on queued or in-flight messages (its defaults are 1000 queued and 20 in
 * flight, and a v5 client is told Receive Maximum 20), so that it neither drops nor throttles.
 */
export async function startMosquitto(): Promise<Child> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is not installed`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-bench-client-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  const lines = [
    `listener ${port} ${HOST}`,
    'allow_anonymous true',
    'max_queued_messages 0',
    'max_inflight_messages 0',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const s = spawnChild(MOSQUITTO, ['-c', conf], dir);
  try {
    await waitForPort(s, port, 10, 'mosquitto');
  } catch (err) {
    await s.stop();
    throw err;
  }
  return child(s, port);
}

/** The package root (this file runs as dist/bench/client-procs.js). */
export function packageRoot(): string {
  return join(__dirname, '..', '..');
}

/**
 * The package Node-RED loads our nodes from: this one, or BENCH_CLIENT_PACKAGE, another built
 * copy of it (to compare a change side by side; the harness nodes still come from this one).
 */
export function nodesPackage(): string {
  const custom = process.env['BENCH_CLIENT_PACKAGE'];
  return custom === undefined || custom === '' ? packageRoot() : custom;
}

export function builtNode(file: string): boolean {
  return existsSync(join(nodesPackage(), 'dist', 'nodes', `${file}.js`));
}

/** GET or POST on the admin API; the JSON answer, or a thrown error. */
export async function admin(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  ms = 10_000,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(ms) });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * A real Node-RED: a temporary user directory with this package linked into its node_modules (so
 * it loads our nodes as a user's install would), the benchmark's harness nodes in its `nodes`
 * directory, the admin API on a free port (no editor), and the benchmark flow.
 */
export async function startNodeRed(flow: FlowOptions): Promise<NodeRed> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-bench-client-red-'));
  mkdirSync(join(dir, 'node_modules', '@node-red-mqtt5'), { recursive: true });
  symlinkSync(nodesPackage(), join(dir, 'node_modules', '@node-red-mqtt5', 'nodes'), 'dir');
  mkdirSync(join(dir, 'nodes'));
  const harness = join(packageRoot(), 'dist', 'bench', 'client-nodes.js');
  writeFileSync(
    join(dir, 'nodes', 'bench-client.js'),
    `module.exports = require(${JSON.stringify(harness)});\n`,
  );
  // Node-RED loads a node file only when an editor file of the same name sits beside it.
  writeFileSync(join(dir, 'nodes', 'bench-client.html'), '<!-- bench:client harness nodes, no editor -->\n');
  const settings = {
    uiHost: HOST,
    uiPort: port,
    httpAdminRoot: '/admin',
    httpNodeRoot: false,
    disableEditor: true,
    credentialSecret: false,
    flowFile: 'flows.json',
    telemetry: { enabled: false },
    externalModules: { autoInstall: false },
    logging: { console: { level: 'warn', metrics: false, audit: false } },
  };
  writeFileSync(join(dir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(benchFlow(flow)));
  const args = [nodeRedMain(), '--userDir', dir, '--settings', join(dir, 'settings.js')];
  const s = spawnChild(process.execPath, args, dir);
  const base = `http://${HOST}:${port}/admin`;
  try {
    await waitForPort(s, port, 60, 'Node-RED');
    await waitForFlows(s, base, flow);
  } catch (err) {
    await s.stop();
    throw err;
  }
  return { ...child(s, port), admin: base };
}

/** Node-RED listens before it starts the flows: waits until every harness node answers. */
async function waitForFlows(s: Spawned, base: string, flow: FlowOptions): Promise<void> {
  const side = flow.sides[0] ?? 'core';
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`Node-RED exited: ${s.output()}`);
    try {
      await admin(base, 'GET', `/bench-client/counter/${harnessNodeId('rx', side, 0)}`, 2000);
      return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
      await sleep(200);
    }
  }
  throw new Error(`Node-RED did not start the benchmark flow within 60 s (${last}): ${s.output()}`);
}
