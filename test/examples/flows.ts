import { type FlowNode, moveBrokerPort, readExample } from '../../nodes/build/demo-runtime';
import type { NodeAPI } from '../../nodes/lib/node-red-types';
import { allModules, helper, tlsConfigModule } from '../nodes/support';

/**
 * A core node module of the Node-RED under test, by its file under `@node-red/nodes/core/`. It
 * gets `RED._` as the helper has it (returning the key): the support's broker module puts this
 * package's catalog in the shared `RED._`, where core keys such as `inject.repeat` are missing.
 */
function coreModule(file: string): (red: NodeAPI) => void {
  return (red) => {
    const load: unknown = require(`@node-red/nodes/core/${file}`);
    if (typeof load !== 'function') throw new Error(`cannot load the core node ${file}`);
    const own: NodeAPI = { ...red, _: (key: string) => key };
    load(own);
  };
}

/** This package's nodes and the core nodes the examples use (the helper loads catch itself). */
export const MODULES = [
  ...allModules(),
  tlsConfigModule,
  coreModule('common/20-inject.js'),
  coreModule('common/90-comment.js'),
  coreModule('function/10-function.js'),
];

/** The helper node every broker node's output also goes to, for the tests' broker actions. */
export const PROBE = 'probe';

export interface LoadableExample {
  flow: FlowNode[];
  /** The credentials the example carries on its nodes, by node id, for `helper.load`. */
  credentials: Record<string, Record<string, unknown>>;
}

/**
 * An example made ready for the test helper: its listeners moved to free ports (`ports`: the
 * example's port to the test's), its debug nodes replaced by `helper` nodes of the same id, every
 * broker node's output also wired to the `probe` helper, and its credentials taken off the nodes
 * (as Node-RED keeps them apart).
 */
export function loadableExample(prefix: string, ports: Record<number, number>): LoadableExample {
  let flow = readExample(prefix);
  for (const [from, to] of Object.entries(ports)) flow = moveBrokerPort(flow, Number(from), to);
  const credentials: Record<string, Record<string, unknown>> = {};
  const nodes: FlowNode[] = flow.map((node) => {
    const { credentials: carried, ...rest } = node;
    if (typeof carried === 'object' && carried !== null) {
      credentials[node.id] = Object.fromEntries(Object.entries(carried));
    }
    if (node.type === 'debug') return { id: node.id, type: 'helper', z: node['z'], x: 0, y: 0, wires: [] };
    if (node.type === 'mqtt5 broker') {
      const wires = Array.isArray(node['wires']) ? node['wires'] : [[]];
      const first: unknown = wires[0];
      return { ...rest, wires: [[...(Array.isArray(first) ? first : []), PROBE]] };
    }
    return { ...rest };
  });
  const tab = nodes.find((node) => node.type === 'tab');
  if (tab === undefined) throw new Error(`example ${prefix} has no tab`);
  nodes.push({ id: PROBE, type: 'helper', z: tab.id, x: 0, y: 0, wires: [] });
  return { flow: nodes, credentials };
}

/** Starts an example's flow in the test helper. */
export function loadExample(example: LoadableExample): Promise<void> {
  return helper.load(MODULES, example.flow, example.credentials);
}
