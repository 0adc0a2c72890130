import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time,
 * and their inclusive time (each sample counted once per function on its stack).
 *
 * Usage: node dist/bench/broker-profile.js <file.cpuprofile> [top]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfPct: number;
  totalPct: number;
}

export interface ProfileSummary {
  /** Sampled milliseconds. */
  totalMs: number;
  /** Share of samples where the thread waited (idle) or collected garbage. */
  idlePct: number;
  gcPct: number;
  top: ProfileEntry[];
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').split('/');
  const where = frame.url === '' ? '' : ` ${file.slice(-2).join('/')}:${frame.lineNumber + 1}`;
  return `${frame.functionName === '' ? '(anonymous)' : frame.functionName}${where}`;
}

function parse(text: string): CpuProfile {
  const profile: CpuProfile = JSON.parse(text);
  if (
    !Array.isArray(profile.nodes) ||
    !Array.isArray(profile.samples) ||
    !Array.isArray(profile.timeDeltas)
  ) {
    throw new Error('not a V8 CPU profile');
  }
  return profile;
}

export function summarizeProfile(path: string, top = 15): ProfileSummary {
  const profile = parse(readFileSync(path, 'utf8'));
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sum = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    sum += us;
    let id: number | undefined = profile.samples[i];
    const leaf = id === undefined ? undefined : byId.get(id);
    if (leaf === undefined) continue;
    const leafName = label(leaf.callFrame);
    self.set(leafName, (self.get(leafName) ?? 0) + us);
    const seen = new Set<string>();
    for (; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined) break;
      const name = label(node.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  }
  const pct = (us: number | undefined) => (sum === 0 ? 0 : (100 * (us ?? 0)) / sum);
  const entries = [...self.entries()]
    .filter(([name]) => name !== '(idle)' && name !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfPct: pct(us), totalPct: pct(total.get(name)) }));
  return {
    totalMs: sum / 1000,
    idlePct: pct(self.get('(idle)')),
    gcPct: pct(self.get('(garbage collector)')),
    top: entries,
  };
}

export function renderProfile(s: ProfileSummary): string[] {
  const lines = [
    `sampled ${Math.round(s.totalMs)} ms; idle ${s.idlePct.toFixed(1)}%, garbage collector ${s.gcPct.toFixed(1)}%`,
    '  self%  total%  function',
  ];
  for (const e of s.top) {
    lines.push(`${e.selfPct.toFixed(1).padStart(7)} ${e.totalPct.toFixed(1).padStart(7)}  ${e.name}`);
  }
  return lines;
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: node dist/bench/broker-profile.js <file.cpuprofile> [top]');
    process.exitCode = 1;
  } else {
    console.log(renderProfile(summarizeProfile(file, Number(n ?? 25))).join('\n'));
  }
}
