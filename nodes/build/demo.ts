import { join } from 'node:path';
import {
  moveBrokerPort,
  type NodeRedRuntime,
  type NodeRedVersion,
  REPO_ROOT,
  readExample,
  startNodeRed,
} from './demo-runtime';

/**
 * `npm start`: a real Node-RED (the devDependency) with this package installed from the working
 * tree, its user directory in `.demo/`, and example 1 deployed: an `mqtt5 broker` on
 * 127.0.0.1:1883 with a publisher and a subscriber. The editor is on 127.0.0.1:1880.
 *
 * Environment: `MQTT5_DEMO_BROKER_PORT`, `MQTT5_DEMO_EDITOR_PORT` (ports), `MQTT5_DEMO_NODE_RED`
 * (`4`, the default, or `5`: Node-RED 5 under the Node 22 of `node_modules`), `MQTT5_DEMO_DIR`
 * (another user directory). Ctrl-C (SIGINT) or
 * SIGTERM stops Node-RED cleanly, then this process exits 0.
 */

/** The user directory of the demo (`MQTT5_DEMO_DIR` overrides it, as the tests do). */
export const DEMO_DIR = process.env['MQTT5_DEMO_DIR'] || join(REPO_ROOT, '.demo');
/** Bound on Node-RED's clean stop before it is killed. */
const STOP_BOUND_MS = 10000;

export interface DemoConfig {
  brokerPort: number;
  editorPort: number;
  nodeRed: NodeRedVersion;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a port number from 1 to 65535, not "${text}"`);
  }
  return value;
}

/** The demo's settings from the environment; throws on a value it cannot use. */
export function demoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const brokerPort = port(env, 'MQTT5_DEMO_BROKER_PORT', 1883);
  const editorPort = port(env, 'MQTT5_DEMO_EDITOR_PORT', 1880);
  if (brokerPort === editorPort) throw new Error('the broker and the editor need different ports');
  const version = env['MQTT5_DEMO_NODE_RED'] ?? '4';
  if (version !== '4' && version !== '5')
    throw new Error(`MQTT5_DEMO_NODE_RED must be 4 or 5, not "${version}"`);
  return { brokerPort, editorPort, nodeRed: version === '5' ? 'node-red-5' : 'node-red-4' };
}

function banner(runtime: NodeRedRuntime, config: DemoConfig): string {
  return [
    '',
    'node-red-mqtt5 demo is running',
    `  Node-RED editor : ${runtime.url}`,
    `  MQTT broker     : mqtt://127.0.0.1:${config.brokerPort}  (the "mqtt5 broker" node of example 1)`,
    `  user directory  : ${DEMO_DIR}  (flows.json is reset to example 1 on each start)`,
    '',
    `  Watch the example's messages: mosquitto_sub -V mqttv5 -p ${config.brokerPort} -t 'demo/#' -F '%t %p %P'`,
    '  More examples: editor menu → Import → Examples → @node-red-mqtt5/nodes',
    '  Ctrl-C stops it.',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const config = demoConfig(process.env);
  const flows = moveBrokerPort(readExample('01'), 1883, config.brokerPort);

  // Ctrl-C may come while Node-RED is still starting: it is then stopped as soon as it is up.
  let runtime: NodeRedRuntime | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Node-RED …\n');
    void runtime?.stop(STOP_BOUND_MS);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`Starting Node-RED (${config.nodeRed}) in ${DEMO_DIR} …\n`);
  runtime = await startNodeRed({
    userDir: DEMO_DIR,
    editorPort: config.editorPort,
    nodeRed: config.nodeRed,
    flows,
    onLine: (line) => process.stdout.write(`${line}\n`),
  });
  if (stopping) void runtime.stop(STOP_BOUND_MS);
  else process.stdout.write(banner(runtime, config));

  const result = await runtime.exited;
  if (stopping) {
    process.stdout.write(result.killed ? 'Node-RED did not stop in time: killed.\n' : 'Node-RED stopped.\n');
    return result.killed ? 1 : 0;
  }
  process.stderr.write(`Node-RED exited on its own (code ${result.code}, signal ${result.signal}).\n`);
  return 1;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
