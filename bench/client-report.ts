import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { Side } from './client-flows';
import type { RunOptions, RunResult, Scenario } from './client-runs';
import { median } from './harness';
import { MOSQUITTO, nodeRedMain } from './load/brokers';

/** The tables of `npm run bench:client`. */

export interface ClientMeta {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  loadAverage: number[];
  versions: { ours: string; nodeRed: string; coreMqttJs: string; mosquitto: string };
}

function packageVersion(file: string): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') {
      return pkg.version;
    }
  } catch {
    // Only informative.
  }
  return 'unknown';
}

/** The MQTT.js the core nodes load: their own copy when they have one, else the top-level one. */
function coreMqttJsVersion(): string {
  const nodes = join(dirname(nodeRedMain()), '..', '@node-red', 'nodes');
  const nested = packageVersion(join(nodes, 'node_modules', 'mqtt', 'package.json'));
  return nested !== 'unknown' ? nested : packageVersion(join(nodes, '..', '..', 'mqtt', 'package.json'));
}

function mosquittoVersion(): string {
  const out = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8', timeout: 5000 });
  return /mosquitto version (\S+)/.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1] ?? 'not installed';
}

export function collectMeta(): ClientMeta {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    versions: {
      // dist/bench/client-report.js -> the package root is two levels up.
      ours: packageVersion(join(__dirname, '..', '..', 'package.json')),
      nodeRed: packageVersion(join(dirname(nodeRedMain()), 'package.json')),
      coreMqttJs: coreMqttJsVersion(),
      mosquitto: mosquittoVersion(),
    },
  };
}

export interface ReportSettings extends RunOptions {
  rounds: number;
  protocolVersion: '5' | '4';
}

export function metaLines(m: ClientMeta, o: ReportSettings): string[] {
  const v = m.versions;
  return [
    `node-red-mqtt5 client benchmark: mqtt5 in/out ${v.ours} vs Node-RED ${v.nodeRed} core mqtt in/out` +
      ` (MQTT.js ${v.coreMqttJs}), one Node-RED process, one mosquitto ${v.mosquitto}`,
    `node ${m.node} | CPU ${m.cpu} | ${m.cores} cores | ${m.date} | load average ${m.loadAverage.join(' ')}`,
    `protocol: both sides connect with MQTT ${o.protocolVersion === '5' ? '5.0' : '3.1.1'} (BENCH_PROTOCOL);` +
      ' the raw peers outside Node-RED speak 3.1.1',
    `load: ${o.messages} msgs per run (BENCH_MESSAGES), ${o.payloadSize}-byte string payloads (BENCH_PAYLOAD),` +
      ` ${o.burstBatch} msgs emitted per event-loop turn (BENCH_BURST_BATCH), external QoS 1 publisher window` +
      ` ${o.window} (BENCH_WINDOW); ${o.warmupMessages}-msg warm-up per node (BENCH_WARMUP_MESSAGES)`,
    `${o.rounds} round(s), ours and core alternating which goes first (BENCH_ROUNDS); rates are medians,` +
      ' the ratio is the median of the per-round ratios',
    'msgs/s: out = first msg emitted in Node-RED to last msg received by a raw subscriber;' +
      ' in = first publish written by a raw publisher to last msg counted in Node-RED',
    'CPU µs/msg: the Node-RED process (user + system) over the run',
  ];
}

function fmtRate(v: number | undefined): string {
  return v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US');
}

function fmt(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}

export interface ScenarioSummary {
  scenario: Scenario;
  /** Medians over the rounds, per side. */
  rate: Partial<Record<Side, number>>;
  cpu: Partial<Record<Side, number>>;
  brokerCpu: Partial<Record<Side, number>>;
  /** Median over the rounds of ours/core msgs/s, and the per-round values. */
  ratio?: number;
  ratios: number[];
  /** Median over the rounds of core/ours Node-RED CPU per msg (> 1: ours uses less). */
  cpuRatio?: number;
  target: number;
  met?: boolean;
  lost: number;
  duplicates: number;
  errors: string[];
}

/** Target ratio ours/core: 2× at QoS 1, not slower at QoS 0. */
export function targetOf(s: Scenario): number {
  return s.qos === 1 ? 2 : 1;
}

function medianOf(
  runs: readonly RunResult[],
  pick: (r: RunResult) => number | undefined,
): number | undefined {
  const values = runs.flatMap((r) => {
    const v = pick(r);
    return v === undefined ? [] : [v];
  });
  return values.length === 0 ? undefined : median(values);
}

/** Per round, `f(ours, core)` where both sides have the figure. */
function perRound(
  ours: readonly RunResult[],
  core: readonly RunResult[],
  pick: (r: RunResult) => number | undefined,
  f: (ours: number, core: number) => number,
): number[] {
  return ours.flatMap((o) => {
    const a = pick(o);
    const c = core.find((r) => r.round === o.round);
    const b = c === undefined ? undefined : pick(c);
    return a !== undefined && b !== undefined ? [f(a, b)] : [];
  });
}

export function summarize(scenarios: readonly Scenario[], runs: readonly RunResult[]): ScenarioSummary[] {
  return scenarios.map((scenario) => {
    const of = (side: Side) => runs.filter((r) => r.scenario === scenario.id && r.side === side);
    const summary: ScenarioSummary = {
      scenario,
      rate: {},
      cpu: {},
      brokerCpu: {},
      ratios: perRound(
        of('ours'),
        of('core'),
        (r) => r.rate,
        (o, c) => o / c,
      ),
      target: targetOf(scenario),
      lost: 0,
      duplicates: 0,
      errors: [],
    };
    for (const side of ['core', 'ours'] as const) {
      const rate = medianOf(of(side), (r) => r.rate);
      const cpu = medianOf(of(side), (r) => r.cpuUsPerMsg);
      const brokerCpu = medianOf(of(side), (r) => r.brokerCpuUsPerMsg);
      if (rate !== undefined) summary.rate[side] = rate;
      if (cpu !== undefined) summary.cpu[side] = cpu;
      if (brokerCpu !== undefined) summary.brokerCpu[side] = brokerCpu;
    }
    for (const r of runs.filter((x) => x.scenario === scenario.id)) {
      summary.lost += r.lost;
      summary.duplicates += r.duplicates;
      if (r.error !== undefined) summary.errors.push(`${r.side} round ${r.round + 1}: ${r.error}`);
    }
    if (summary.ratios.length > 0) {
      summary.ratio = median(summary.ratios);
      summary.met = summary.ratio >= summary.target;
    }
    const cpuRatios = perRound(
      of('ours'),
      of('core'),
      (r) => r.cpuUsPerMsg,
      (o, c) => c / o,
    );
    if (cpuRatios.length > 0) summary.cpuRatio = median(cpuRatios);
    return summary;
  });
}

export function renderResults(summaries: readonly ScenarioSummary[]): string {
  const rows = [
    ['scenario', 'core msgs/s', 'ours msgs/s', 'ours/core', 'per round', 'target', 'met', 'lost', 'dup'],
  ];
  for (const s of summaries) {
    rows.push([
      s.scenario.label,
      fmtRate(s.rate.core),
      fmtRate(s.rate.ours),
      s.ratio === undefined ? 'n/a' : `${fmt(s.ratio)}×`,
      s.ratios.map((r) => fmt(r)).join(' '),
      `≥ ${s.target}×`,
      s.met === undefined ? 'n/a' : s.met ? 'yes' : 'NO',
      String(s.lost),
      String(s.duplicates),
    ]);
  }
  return table(rows);
}

export function renderCpu(summaries: readonly ScenarioSummary[]): string {
  const rows = [['scenario', 'Node-RED µs/msg: core', 'ours', 'core/ours', 'mosquitto µs/msg: core', 'ours']];
  for (const s of summaries) {
    rows.push([
      s.scenario.label,
      fmt(s.cpu.core, 1),
      fmt(s.cpu.ours, 1),
      s.cpuRatio === undefined ? 'n/a' : `${fmt(s.cpuRatio)}×`,
      fmt(s.brokerCpu.core, 1),
      fmt(s.brokerCpu.ours, 1),
    ]);
  }
  return table(rows);
}

export function renderCeilings(runs: readonly RunResult[]): string {
  const rows = [['raw publisher → mosquitto → raw subscriber', 'msgs/s', 'mosquitto µs/msg', 'lost', 'dup']];
  for (const r of runs) {
    rows.push([
      r.scenario === 'raw-q0' ? 'QoS 0' : 'QoS 1',
      r.error ?? fmtRate(r.rate),
      fmt(r.brokerCpuUsPerMsg, 1),
      String(r.lost),
      String(r.duplicates),
    ]);
  }
  return table(rows);
}
