import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The example flows of this package (`examples/`), read for the demo and the tests, and moved to
 * other ports where a test needs free ones.
 */

/** The repository root, seen from `dist/nodes/build/`. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** One node of a flow, as in flows.json and the example files. */
export interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

function isFlowNode(value: unknown): value is FlowNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'id') === 'string' &&
    typeof Reflect.get(value, 'type') === 'string'
  );
}

/** The example flows of this package, shown by Node-RED under Import → Examples. */
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** The example files, sorted: `01 - Publish and subscribe with user properties.json`, … */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort();
}

/** The flow of the example whose file name starts with `prefix` (`'01'`, `'02 - Request'`, …). */
export function readExample(prefix: string): FlowNode[] {
  const file = exampleFiles().find((name) => name.startsWith(prefix));
  if (file === undefined) throw new Error(`no example starting with "${prefix}" in ${EXAMPLES_DIR}`);
  const json: unknown = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8'));
  if (!Array.isArray(json) || !json.every(isFlowNode)) throw new Error(`${file} is not a flow`);
  return json;
}

/**
 * A copy of `flow` whose `mqtt5 broker` listeners on port `from` listen on `to` instead, with
 * every `mqtt5-connection` URL naming port `from` changed to match.
 */
export function moveBrokerPort(flow: readonly FlowNode[], from: number, to: number): FlowNode[] {
  const copy: FlowNode[] = structuredClone([...flow]);
  for (const node of copy) {
    const listeners = node['listeners'];
    if (node.type === 'mqtt5 broker' && Array.isArray(listeners)) {
      for (const listener of listeners) {
        if (
          typeof listener === 'object' &&
          listener !== null &&
          String(Reflect.get(listener, 'port')) === `${from}`
        ) {
          Reflect.set(listener, 'port', `${to}`);
        }
      }
    }
    const url = node['url'];
    if (node.type === 'mqtt5-connection' && typeof url === 'string') {
      node['url'] = url.replace(new RegExp(`:${from}(?=$|/)`), `:${to}`);
    }
  }
  return copy;
}

/**
 * A copy of `flow` whose `tls-config` nodes read `certFile` and `keyFile` instead of the files the
 * example names: a server side (cert, key) gets both, a client side (ca) trusts the certificate.
 * Example 6 leaves the certificate to the user (its comment shows the openssl command); the tests
 * make one the same way, in a scratch directory of their own.
 */
export function useCertificate<T extends Record<string, unknown>>(
  flow: readonly T[],
  certFile: string,
  keyFile: string,
): T[] {
  return flow.map((node) => {
    if (node['type'] !== 'tls-config') return node;
    const copy: T = { ...node };
    if (node['cert'] !== '') Reflect.set(copy, 'cert', certFile);
    if (node['key'] !== '') Reflect.set(copy, 'key', keyFile);
    if (node['ca'] !== '') Reflect.set(copy, 'ca', certFile);
    return copy;
  });
}
