import * as os from 'node:os';
import type { HarnessOptions } from './harness';

/** Rendering of the benchmark results: an aligned table for people, JSON for scripts. */

export interface CaseResult {
  name: string;
  /** What one operation is: 'packets/s' or 'matches/s'. */
  unit: string;
  /** What the ours column is compared against. */
  peerLabel: string;
  /** Minimum ours/peer ratio, for the rows that have one. */
  target?: number;
  ours?: number;
  peer?: number;
  ratio?: number;
  /** ours/peer of each round; the table shows their range. */
  ratioSamples?: number[];
  pass?: boolean;
  oursSamples?: number[];
  peerSamples?: number[];
  /** Extra facts from the correctness check (match counts, byte-identical encodings, ...). */
  note?: string;
  /** Set when the check or the timing threw; the row then has no figures. */
  error?: string;
}

export interface Meta {
  node: string;
  cpu: string;
  cores: number;
  date: string;
  options: HarnessOptions;
}

export function collectMeta(options: HarnessOptions): Meta {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    date: new Date().toISOString(),
    options,
  };
}

function formatRate(rate: number | undefined): string {
  return rate === undefined ? '-' : Math.round(rate).toLocaleString('en-US');
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;
}

function formatRange(samples: readonly number[] | undefined): string {
  if (samples === undefined || samples.length === 0) return '-';
  return `${Math.min(...samples).toFixed(2)}-${Math.max(...samples).toFixed(2)}`;
}

function verdict(r: CaseResult): string {
  if (r.error !== undefined) return 'ERROR';
  if (r.pass === undefined) return '';
  return r.pass ? 'PASS' : 'FAIL';
}

export function metaLines(meta: Meta): string[] {
  const o = meta.options;
  return [
    'node-red-mqtt5 codec benchmark: ours vs mqtt-packet (higher ratio is better for ours)',
    `node ${meta.node} | CPU ${meta.cpu} | ${meta.cores} cores | ${meta.date}`,
    `timing: ${o.warmupSeconds} s warm-up per side, then ${o.seconds} s per side in ${o.rounds} rounds ` +
      'of interleaved ~5 ms batches (BENCH_SECONDS, BENCH_WARMUP, BENCH_ROUNDS)',
    'rates: median round; ratio: median of the per-round ratios (ours / peer)',
  ];
}

export function renderTable(results: readonly CaseResult[]): string {
  const header = ['case', 'ours (ops/s)', 'mqtt-packet (ops/s)', 'ratio', 'round ratios', 'target', 'result'];
  const rows = results.map((r) => [
    r.name,
    formatRate(r.ours),
    formatRate(r.peer),
    formatRatio(r.ratio),
    formatRange(r.ratioSamples),
    r.target === undefined ? '' : `>=${r.target}x`,
    verdict(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return i === 0 || i === cells.length - 1 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function renderNotes(results: readonly CaseResult[]): string[] {
  const notes: string[] = [];
  for (const r of results) {
    if (r.error !== undefined) notes.push(`${r.name}: ERROR ${r.error}`);
    else if (r.note !== undefined) notes.push(`${r.name}: ${r.note}`);
  }
  return notes;
}

export function renderJson(meta: Meta, results: readonly CaseResult[], sink: number): string {
  return JSON.stringify({ ...meta, results, sink }, null, 2);
}
