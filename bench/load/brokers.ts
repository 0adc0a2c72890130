import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './clock';
import { HOST, openSocket } from './socket';

/**
 * The brokers under test, plus the byte forwarder that measures the generator's ceiling.
 * 'node-red' is ours hosted in a real Node-RED, as an `mqtt5 broker` node in a flow.
 */
export type BrokerName = 'ours' | 'node-red' | 'aedes' | 'mosquitto' | 'forwarder';

/** How a broker is named in the report. */
export function brokerLabel(name: BrokerName): string {
  return name === 'node-red' ? 'ours in Node-RED' : name;
}

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface StartOptions {
  /** Run our broker (the CLI or Node-RED) under `node --cpu-prof`, writing the profile here. */
  profileDir?: string;
}

export interface RunningBroker {
  name: BrokerName;
  port: number;
  pid: number;
  /** Resident set size now, in KiB (from /proc/<pid>/status). */
  rssKiB(): number | undefined;
  /** User plus system CPU time so far, in seconds (from /proc/<pid>/stat). */
  cpuSeconds(): number | undefined;
  /** Stops it (SIGTERM, or SIGINT when profiling, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

/** Every child still running, so that no exit path leaves one behind. */
const live = new Set<ChildProcess>();
/** Temporary directories of the running brokers (configs, Node-RED user directories). */
const pendingCleanups = new Set<() => void>();

export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const cleanup of pendingCleanups) cleanup();
  pendingCleanups.clear();
}

process.on('exit', killAll);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function rssKiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function distPath(...parts: string[]): string {
  // This file runs as dist/bench/load/brokers.js.
  return join(__dirname, '..', '..', ...parts);
}

/** Our CLI; BENCH_OURS_CLI points at another build of it, to compare a change side by side. */
export function ourCli(): string {
  const custom = process.env['BENCH_OURS_CLI'];
  return custom === undefined || custom === '' ? distPath('src', 'cli', 'mqtt5-broker.js') : custom;
}

interface Command {
  file: string;
  args: string[];
  cleanup?: () => void;
}

/** Node-RED's launcher, from the devDependency. */
export function nodeRedMain(): string {
  return distPath('..', 'node_modules', 'node-red', 'red.js');
}

/** The built `mqtt5 broker` node that Node-RED loads through the package's "node-red" entry. */
function brokerNodeFile(): string {
  return distPath('nodes', 'mqtt5-broker.js');
}

/**
 * A real Node-RED with one `mqtt5 broker` node: a temporary user directory with this package
 * linked into its node_modules, no editor and no HTTP endpoints, and a flow holding the node.
 * The node matches the CLI as the benchmark starts it: in-memory persistence (the CLI without
 * --data-dir), the engine's default queue limit (1000 messages per session; the CLI passes no
 * --max-queued-messages), one TCP listener on 127.0.0.1.
 */
function nodeRedCommand(port: number, prof: readonly string[]): Command {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-bench-red-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    mkdirSync(join(dir, 'node_modules', '@node-red-mqtt5'), { recursive: true });
    symlinkSync(distPath('..'), join(dir, 'node_modules', '@node-red-mqtt5', 'nodes'), 'dir');
    writeFileSync(
      join(dir, 'settings.js'),
      'module.exports = { httpAdminRoot: false, httpNodeRoot: false, credentialSecret: false, ' +
        "flowFile: 'flows.json', logging: { console: { level: 'warn' } } };\n",
    );
    const flow = [
      { id: 'benchtab', type: 'tab', label: 'bench' },
      {
        id: 'benchbroker',
        z: 'benchtab',
        type: 'mqtt5 broker',
        name: 'bench',
        listeners: [{ type: 'tcp', port: String(port), localOnly: true }],
        persistence: 'memory',
        maxQueuedMessages: '1000',
        wires: [[]],
      },
    ];
    writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow));
  } catch (err) {
    cleanup();
    throw err;
  }
  return {
    file: process.execPath,
    args: [...prof, nodeRedMain(), '--userDir', dir, '--settings', join(dir, 'settings.js')],
    cleanup,
  };
}

function mosquittoConfig(port: number): Command {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-bench-'));
  const conf = join(dir, 'mosquitto.conf');
  const lines = [
    `listener ${port} ${HOST}`,
    'allow_anonymous true',
    '# unlimited queue, so that QoS 1/2 messages are not dropped by the default limit of 1000',
    'max_queued_messages 0',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  return {
    file: MOSQUITTO,
    args: ['-c', conf],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function command(name: BrokerName, port: number, options: StartOptions): Command {
  const prof = options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
  switch (name) {
    case 'ours':
      return { file: process.execPath, args: [...prof, ourCli(), '--port', String(port), '--host', HOST] };
    case 'node-red':
      return nodeRedCommand(port, prof);
    case 'aedes':
      return { file: process.execPath, args: [distPath('bench', 'load', 'aedes-server.js'), String(port)] };
    case 'forwarder':
      return { file: process.execPath, args: [distPath('bench', 'load', 'forwarder.js'), String(port)] };
    case 'mosquitto':
      return mosquittoConfig(port);
  }
}

/** Whether this broker can run here; a reason when it cannot. */
export function unavailable(name: BrokerName): string | undefined {
  if (name === 'mosquitto' && !existsSync(MOSQUITTO)) return `${MOSQUITTO} is not installed`;
  if (name === 'node-red' && !existsSync(nodeRedMain())) return `${nodeRedMain()} is not installed`;
  if (name === 'node-red' && !existsSync(brokerNodeFile())) return `${brokerNodeFile()} is not built`;
  return undefined;
}

async function waitUntilListening(
  child: ChildProcess,
  port: number,
  output: () => string,
  seconds: number,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before listening: ${output()}`);
    }
    try {
      const socket = await openSocket(port, 500);
      socket.destroy();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`not listening on ${HOST}:${port} after ${seconds} s: ${output()}`);
}

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

export async function startBroker(name: BrokerName, options: StartOptions = {}): Promise<RunningBroker> {
  const port = await freePort();
  const cmd = command(name, port, options);
  const cleanup = () => {
    if (cmd.cleanup !== undefined) pendingCleanups.delete(cmd.cleanup);
    cmd.cleanup?.();
  };
  if (cmd.cleanup !== undefined) pendingCleanups.add(cmd.cleanup);
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    cleanup();
    throw err;
  }
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (): Promise<void> => {
    child.kill(options.profileDir === undefined ? 'SIGTERM' : 'SIGINT');
    if (!(await exited(child, options.profileDir === undefined ? 3000 : 15_000))) {
      child.kill('SIGKILL');
      await exited(child, 2000);
    }
    live.delete(child);
    cleanup();
  };
  try {
    // Node-RED loads its runtime and every node module first: give it longer.
    await waitUntilListening(child, port, () => output.trim(), name === 'node-red' ? 60 : 10);
  } catch (err) {
    await stop();
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const pid = child.pid ?? 0;
  return { name, port, pid, rssKiB: () => rssKiB(pid), cpuSeconds: () => cpuSeconds(pid), stop };
}
