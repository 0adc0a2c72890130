import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../nodes/build/demo-runtime';
import { connectClient, endClient, freePort, until } from '../nodes/support';

/** The start of Node-RED (a child of the demo) is bounded by this. */
const START_MS = 60000;
/** Ctrl-C must end the demo, Node-RED included, within this. */
const STOP_MS = 15000;

interface Demo {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node dist/nodes/build/demo.js` (what `npm start` runs after the build), in a process group of its own. */
function startDemo(env: Record<string, string>): Demo {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'nodes', 'build', 'demo.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/** Kills the demo's whole process group (Node-RED too), whatever state it is in. */
function killGroup(demo: Demo): void {
  if (demo.child.pid === undefined) return;
  try {
    process.kill(-demo.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const PACKAGE_TYPES = ['mqtt5 broker', 'mqtt5-connection', 'mqtt5 in', 'mqtt5 out', 'mqtt5 request'];

for (const version of ['4', '5'] as const) {
  describe(`npm start (the demo) on Node-RED ${version}`, function () {
    this.timeout(START_MS + STOP_MS + 30000);
    let userDir = '';
    let demo: Demo | undefined;

    beforeEach(() => {
      userDir = mkdtempSync(join(tmpdir(), 'mqtt5-demo-'));
    });

    afterEach(() => {
      if (demo !== undefined) killGroup(demo);
      demo = undefined;
      rmSync(userDir, { recursive: true, force: true });
    });

    it('runs example 1 with the broker and editor on the given ports, and stops cleanly on Ctrl-C', async () => {
      const brokerPort = await freePort();
      const editorPort = await freePort();
      const running = startDemo({
        MQTT5_DEMO_BROKER_PORT: String(brokerPort),
        MQTT5_DEMO_EDITOR_PORT: String(editorPort),
        MQTT5_DEMO_NODE_RED: version,
        MQTT5_DEMO_DIR: userDir,
      });
      demo = running;
      await until(
        () => running.output().includes('demo is running') || running.child.exitCode !== null,
        'the demo to start',
        START_MS,
      );
      const out = running.output();
      assert.match(out, /demo is running/, out);
      assert.ok(out.includes(`http://127.0.0.1:${editorPort}/`), 'prints the editor URL');
      assert.ok(out.includes(`mqtt://127.0.0.1:${brokerPort}`), 'prints the broker URL');

      // The admin API lists every node type of the package, with no load error.
      const response = await fetch(`http://127.0.0.1:${editorPort}/nodes`, {
        headers: { Accept: 'application/json' },
        signal: AbortSignal.timeout(10000),
      });
      assert.equal(response.status, 200);
      const sets: unknown = await response.json();
      assert.ok(Array.isArray(sets));
      const ours = sets.filter((set: unknown) => isRecord(set) && set['module'] === '@node-red-mqtt5/nodes');
      const types = ours.flatMap((set: unknown) =>
        isRecord(set) && Array.isArray(set['types']) ? set['types'] : [],
      );
      assert.deepEqual([...types].sort(), [...PACKAGE_TYPES].sort());
      for (const set of ours) {
        assert.ok(isRecord(set) && set['enabled'] === true && set['err'] === undefined, JSON.stringify(set));
      }
      assert.equal(running.output().includes('[error]'), false, running.output());

      // Import → Examples lists the six examples of the package.
      const library = await fetch(
        `http://127.0.0.1:${editorPort}/library/examples/flows/@node-red-mqtt5/nodes`,
        {
          headers: { Accept: 'application/json' },
          signal: AbortSignal.timeout(10000),
        },
      );
      const examples: unknown = await library.json();
      assert.ok(Array.isArray(examples));
      assert.deepEqual(
        examples.map((entry: unknown) => (isRecord(entry) ? String(entry['fn']).slice(0, 2) : '')),
        ['01', '02', '03', '04', '05', '06'],
      );

      // Example 1's readings flow through the broker on the given port.
      const client = await connectClient(`mqtt://127.0.0.1:${brokerPort}`, { protocolVersion: 5 });
      const seen: { topic: string; payload: string; user: unknown }[] = [];
      try {
        client.on('message', (topic, payload, packet) =>
          seen.push({ topic, payload: payload.toString(), user: packet.properties?.userProperties }),
        );
        await client.subscribeAsync('demo/sensors/#', { qos: 1 });
        await until(() => seen.length >= 2, 'two readings of example 1 (every 3 s)', 15000);
      } finally {
        await endClient(client);
      }
      assert.equal(seen[0]?.topic, 'demo/sensors/kitchen');
      assert.deepEqual(JSON.parse(seen[0]?.payload ?? ''), { celsius: 21.5, humidity: 40 });
      assert.deepEqual(
        { ...(isRecord(seen[0]?.user) ? seen[0].user : {}) },
        {
          site: 'lab',
          unit: 'celsius',
          source: 'node-red',
        },
      );

      // Ctrl-C: the demo stops Node-RED and exits 0, and both ports are released.
      const started = Date.now();
      running.child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        running.exited,
        new Promise<undefined>((done) => {
          timer = setTimeout(() => done(undefined), STOP_MS);
        }),
      ]);
      clearTimeout(timer);
      assert.ok(result !== undefined, `the demo did not exit within ${STOP_MS} ms:\n${running.output()}`);
      assert.deepEqual(result, { code: 0, signal: null }, running.output());
      assert.ok(Date.now() - started < STOP_MS);
      assert.match(running.output(), /Stopped flows[\s\S]*Node-RED stopped\./);
      assert.equal(await listening(editorPort), false, 'the editor port is released');
      assert.equal(await listening(brokerPort), false, 'the broker port is released');
    });
  });
}
