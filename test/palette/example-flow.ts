import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './net';
import { isRecord } from './packed-package';

/** A node of a flow, as in flows.json. */
export type FlowNode = Record<string, unknown>;

/** The example flows shipped in the installed package's `examples/`, by file name without `.json`. */
export function shippedExamples(packageDir: string): string[] {
  return readdirSync(join(packageDir, 'examples'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

export function readExample(packageDir: string, name: string): FlowNode[] {
  const flow: unknown = JSON.parse(readFileSync(join(packageDir, 'examples', `${name}.json`), 'utf8'));
  if (!Array.isArray(flow) || !flow.every(isRecord))
    throw new Error(`example ${name} is not a list of nodes`);
  return flow;
}

/** A flow moved to free ports, and where each original port went. */
export interface MovedFlow {
  flow: FlowNode[];
  ports: Map<number, number>;
}

function portOf(value: unknown): number | undefined {
  const port = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

async function moved(port: number, ports: Map<number, number>): Promise<number> {
  const known = ports.get(port);
  if (known !== undefined) return known;
  const fresh = await freePort();
  ports.set(port, fresh);
  return fresh;
}

/**
 * The flow with every `mqtt5 broker` listener moved to a free port on 127.0.0.1, and every
 * `mqtt5-connection` URL that named one of those ports following it, so that an example written for
 * 1883 runs next to anything else on the machine. Nothing else changes.
 */
export async function onFreePorts(flow: FlowNode[]): Promise<MovedFlow> {
  const ports = new Map<number, number>();
  const result: FlowNode[] = [];
  for (const node of flow) {
    const copy: FlowNode = structuredClone(node);
    if (copy['type'] === 'mqtt5 broker' && Array.isArray(copy['listeners'])) {
      const listeners: unknown[] = [];
      for (const listener of copy['listeners']) {
        const port = isRecord(listener) ? portOf(listener['port']) : undefined;
        if (!isRecord(listener) || port === undefined)
          throw new Error(`listener without a port in ${node['id']}`);
        const fresh = await moved(port, ports);
        listeners.push({ ...listener, port: typeof listener['port'] === 'number' ? fresh : String(fresh) });
      }
      copy['listeners'] = listeners;
    }
    result.push(copy);
  }
  for (const node of result) {
    if (node['type'] !== 'mqtt5-connection' || typeof node['url'] !== 'string' || node['url'] === '')
      continue;
    const url = new URL(node['url']);
    const fresh = ports.get(portOf(url.port) ?? (url.protocol === 'mqtts:' ? 8883 : 1883));
    if (fresh !== undefined) {
      url.port = String(fresh);
      node['url'] = url.toString().replace(/\/$/, '');
    }
  }
  return { flow: result, ports };
}
