import { readFileSync } from 'node:fs';

/**
 * Where Node-RED's CPU time goes during the client benchmark's runs: a V8 `.cpuprofile`'s self
 * time grouped by area (our nodes, our client, the codec, MQTT.js, Node-RED's runtime, i18next,
 * Node.js itself, the garbage collector), the functions with the most self time, and our own
 * functions by inclusive time (what they cost with everything they call).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  /** Share of the sampled time, in %. */
  selfPct: number;
  totalPct: number;
}

export interface AreaSummary {
  sampledMs: number;
  areas: Share[];
  /** The functions with the most self time, anywhere. */
  hottest: Share[];
  /** Our own functions (dist/nodes, dist/src) with the most inclusive time. */
  ours: Share[];
}

const AREAS: ReadonlyArray<readonly [string, RegExp]> = [
  ['our nodes (dist/nodes)', /\/dist\/nodes\//],
  ['our client (dist/src/client)', /\/dist\/src\/client\//],
  ['our codec (dist/src/protocol)', /\/dist\/src\/protocol\//],
  ['our transport (dist/src/transport)', /\/dist\/src\/transport\//],
  ['our other src (dist/src)', /\/dist\/src\//],
  ['bench harness nodes', /\/dist\/bench\//],
  [
    'MQTT.js + mqtt-packet (core nodes)',
    /\/node_modules\/(?:@node-red\/nodes\/node_modules\/)?(?:mqtt|mqtt-packet|bl|readable-stream|number-allocator|debug)\//,
  ],
  ['Node-RED core nodes (10-mqtt.js…)', /\/@node-red\/nodes\//],
  ['i18next (RED._ translations)', /\/node_modules\/i18next\//],
  ['Node-RED runtime + util', /\/@node-red\/(?:runtime|util|registry)\//],
  ['Express (admin API)', /\/node_modules\/(?:express|body-parser|router)\//],
  ['other node_modules', /\/node_modules\//],
  ['Node.js (node:…)', /^node:/],
];

type Frame = ProfileNode['callFrame'];

function areaOf(frame: Frame): string {
  if (frame.url === '') {
    if (frame.functionName === '(garbage collector)') return 'garbage collector';
    if (frame.functionName === '(idle)') return 'idle';
    if (frame.functionName === '(program)') return 'V8 / native (program)';
    return 'V8 / native builtins (writes, syscalls…)';
  }
  for (const [area, pattern] of AREAS) if (pattern.test(frame.url)) return area;
  return 'other';
}

function label(frame: Frame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  const dist = frame.url.lastIndexOf('/dist/');
  const where =
    dist >= 0 ? frame.url.slice(dist + '/dist/'.length) : frame.url.split('/').slice(-2).join('/');
  return `${name} ${where}:${frame.lineNumber + 1}`;
}

function isOurs(frame: Frame): boolean {
  return /\/dist\/(?:nodes|src)\//.test(frame.url);
}

function isProfile(value: unknown): value is CpuProfile {
  return (
    typeof value === 'object' &&
    value !== null &&
    'nodes' in value &&
    Array.isArray(value.nodes) &&
    'samples' in value &&
    Array.isArray(value.samples) &&
    'timeDeltas' in value &&
    Array.isArray(value.timeDeltas)
  );
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

export function summarizeAreas(file: string, top = 10): AreaSummary {
  const profile: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(profile)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const ours = new Set<string>();
  let sum = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    let id: number | undefined = profile.samples[i];
    const leaf = id === undefined ? undefined : byId.get(id);
    if (leaf === undefined) continue;
    sum += us;
    add(areas, areaOf(leaf.callFrame), us);
    add(self, label(leaf.callFrame), us);
    const seen = new Set<string>();
    for (; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined) break;
      const name = label(node.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      add(total, name, us);
      if (isOurs(node.callFrame)) ours.add(name);
    }
  }
  const pct = (us: number | undefined) => (sum === 0 ? 0 : (100 * (us ?? 0)) / sum);
  const share = (name: string): Share => ({
    name,
    selfPct: pct(self.get(name)),
    totalPct: pct(total.get(name)),
  });
  const skip = new Set(['(idle)', '(root)', '(program)']);
  return {
    sampledMs: sum / 1000,
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, selfPct: pct(us), totalPct: pct(us) })),
    hottest: [...self.entries()]
      .filter(([name]) => !skip.has(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name]) => share(name)),
    ours: [...ours]
      .sort((a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0))
      .slice(0, top)
      .map(share),
  };
}

function row(s: Share): string {
  return `${s.selfPct.toFixed(1).padStart(7)} ${s.totalPct.toFixed(1).padStart(7)}  ${s.name}`;
}

export function renderAreas(title: string, s: AreaSummary): string[] {
  return [
    `${title}: ${Math.round(s.sampledMs)} ms sampled`,
    '  self%  area',
    ...s.areas.filter((a) => a.selfPct >= 0.5).map((a) => `${a.selfPct.toFixed(1).padStart(7)}  ${a.name}`),
    '  self%  total%  hottest functions (self time)',
    ...s.hottest.map(row),
    '  self%  total%  our functions (dist/nodes, dist/src) by inclusive time',
    ...s.ours.map(row),
  ];
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: node dist/bench/client-profile.js <file.cpuprofile> [top]');
    process.exitCode = 1;
  } else {
    console.log(renderAreas(file, summarizeAreas(file, Number(n ?? 12))).join('\n'));
  }
}
