import type { NodeRedRuntime } from '../../nodes/build/demo-runtime';
import { isRecord } from './packed-package';

/** Typed reads of Node-RED's admin API (https://nodered.org/docs/api/admin/methods/). */

/** One node set of `GET /nodes`: a file of a module's `node-red.nodes`. */
export interface NodeSetInfo {
  id: string;
  name: string;
  types: string[];
  enabled: boolean;
  local: boolean;
  module: string;
  version: string;
  /** The load error, when the set failed to load. */
  err?: string;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function nodeSetInfo(value: unknown): NodeSetInfo {
  if (!isRecord(value)) throw new Error(`GET /nodes: not a node set: ${JSON.stringify(value)}`);
  const { id, name, types, enabled, local, module, version, err } = value;
  if (
    typeof id !== 'string' ||
    typeof name !== 'string' ||
    !isStringArray(types) ||
    typeof enabled !== 'boolean' ||
    typeof module !== 'string'
  ) {
    throw new Error(`GET /nodes: unexpected node set ${JSON.stringify(value)}`);
  }
  const info: NodeSetInfo = {
    id,
    name,
    types,
    enabled,
    local: local === true,
    module,
    version: typeof version === 'string' ? version : '',
  };
  if (err !== undefined) info.err = typeof err === 'string' ? err : JSON.stringify(err);
  return info;
}

/** Fails with the status and body unless the call answered `status`. */
export async function call(
  runtime: NodeRedRuntime,
  method: string,
  path: string,
  status: number | number[],
  body?: unknown,
  headers?: Record<string, string>,
): Promise<unknown> {
  const answer = await runtime.request(method, path, body, headers);
  const wanted = Array.isArray(status) ? status : [status];
  if (!wanted.includes(answer.status)) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** `GET /nodes` as JSON: every node set of every module. */
export async function nodeSets(runtime: NodeRedRuntime): Promise<NodeSetInfo[]> {
  const body = await call(runtime, 'GET', '/nodes', 200);
  if (!Array.isArray(body)) throw new Error(`GET /nodes is not a list: ${JSON.stringify(body)}`);
  return body.map(nodeSetInfo);
}

/** `GET /nodes/:module`: where the module was loaded from, and its version. */
export async function moduleInfo(
  runtime: NodeRedRuntime,
  module: string,
): Promise<{ version: string; local: boolean; user: boolean; path: string; nodes: NodeSetInfo[] }> {
  const body = await call(runtime, 'GET', `/nodes/${module}`, 200);
  if (!isRecord(body) || !Array.isArray(body['nodes'])) {
    throw new Error(`GET /nodes/${module}: ${JSON.stringify(body)}`);
  }
  return {
    version: String(body['version']),
    local: body['local'] === true,
    user: body['user'] === true,
    path: String(body['path']),
    nodes: body['nodes'].map(nodeSetInfo),
  };
}

/** The example flows a module offers under Import → Examples (the editor asks the same URL). */
export async function exampleNames(runtime: NodeRedRuntime, module: string): Promise<string[]> {
  const body = await call(runtime, 'GET', `/library/examples/flows/${module}`, 200);
  if (!Array.isArray(body)) throw new Error(`the examples of ${module}: ${JSON.stringify(body)}`);
  return body.map((entry: unknown) => {
    if (!isRecord(entry) || typeof entry['fn'] !== 'string')
      throw new Error(`example entry ${JSON.stringify(entry)}`);
    return entry['fn'];
  });
}

/** One example flow, as the editor imports it. */
export async function exampleFlow(runtime: NodeRedRuntime, module: string, name: string): Promise<unknown[]> {
  const body = await call(
    runtime,
    'GET',
    `/library/examples/flows/${module}/${encodeURIComponent(name)}`,
    200,
  );
  const flow: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  if (!Array.isArray(flow)) throw new Error(`example ${name} is not a list of nodes`);
  return flow;
}

/** `POST /flows`, a full deploy, as the editor's Deploy button does it. */
export async function deploy(runtime: NodeRedRuntime, flows: unknown[]): Promise<void> {
  await call(runtime, 'POST', '/flows', [200, 204], flows, { 'Node-RED-Deployment-Type': 'full' });
}

/** Presses an inject node's button (`POST /inject/:id`, the core inject node's own endpoint). */
export async function pressInject(runtime: NodeRedRuntime, id: string): Promise<void> {
  await call(runtime, 'POST', `/inject/${id}`, 200);
}
