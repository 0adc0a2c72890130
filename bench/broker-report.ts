import type { IdleRecord, RunRecord } from './broker-runs';
import { type BrokerName, brokerLabel } from './load/brokers';
import type { Scenario } from './load/scenarios';

/** Rendering of the broker benchmark: aligned tables, target verdicts and integrity flags. */

export const TARGETS = {
  /** Ours / aedes, every scenario. */
  aedes: 2,
  /** Ours / mosquitto, in these scenarios. */
  mosquitto: 1,
  mosquittoScenarios: ['fanin-q1', 'fanout-q0', 'fanout-q1'],
  /** KiB of broker RSS per idle connection, ours. */
  idleKiB: 10,
  /** Ours hosted in Node-RED / ours as the CLI, every throughput scenario. */
  nodeRed: 0.8,
};

export function table(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i < left || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}

const int = (n: number | undefined) => (n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const fixed = (n: number | undefined, d = 2) => (n === undefined ? '-' : n.toFixed(d));
const ratio = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)}x`);

/** The run of this broker in this scenario with the median rate over the rounds. */
function find(records: readonly RunRecord[], s: Scenario, broker: BrokerName): RunRecord | undefined {
  const all = records.filter((r) => r.scenario.id === s.id && r.broker === broker);
  const measured = all
    .filter((r) => r.result !== undefined)
    .sort((a, b) => (rateOf(a) ?? 0) - (rateOf(b) ?? 0));
  return measured[(measured.length - 1) >> 1] ?? all[0];
}

function median(values: readonly number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** subject/peer in each round where both have a rate: the median, and the range as text. */
function roundRatios(
  records: readonly RunRecord[],
  s: Scenario,
  peer: BrokerName,
  subject: BrokerName = 'ours',
) {
  const ratios: number[] = [];
  for (const r of records) {
    if (r.scenario.id !== s.id || r.broker !== subject) continue;
    const ours = rateOf(r);
    const other = rateOf(
      records.find((x) => x.scenario.id === s.id && x.broker === peer && x.round === r.round),
    );
    if (ours !== undefined && other !== undefined && other > 0) ratios.push(ours / other);
  }
  const range =
    ratios.length < 2 ? '' : `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
  return { value: median(ratios), range };
}

/** Deliveries per second, when the run produced a figure. */
export function rateOf(r: RunRecord | undefined): number | undefined {
  return r?.result?.rate;
}

/** What is wrong with a run's integrity: loss or duplicates at QoS >= 1, stray acks, no drain. */
export function integrityProblems(r: RunRecord): string[] {
  const x = r.result;
  if (x === undefined) return [];
  const problems: string[] = [];
  if (r.scenario.qos > 0 && x.lost > 0) problems.push(`${x.lost} lost`);
  if (r.scenario.qos > 0 && x.duplicates > 0) problems.push(`${x.duplicates} duplicated`);
  if (x.unexpectedAcks > 0) problems.push(`${x.unexpectedAcks} acks for ids not in flight`);
  if (!x.drained && r.scenario.qos > 0) problems.push('did not drain');
  return problems;
}

export function renderCeilings(records: readonly RunRecord[], scenarios: readonly Scenario[]): string {
  const rows = scenarios.map((s) => {
    const inline = records.find((r) => r.scenario.id === s.id && r.mode === 'inline');
    const split = records.find((r) => r.scenario.id === s.id && r.mode === 'split');
    const cell = (r: RunRecord | undefined) => r?.na ?? (r?.error !== undefined ? 'ERROR' : int(rateOf(r)));
    return [
      s.label,
      cell(inline),
      fixed(inline?.result?.generatorCores),
      cell(split),
      fixed(split?.result?.generatorCores),
    ];
  });
  return table(['scenario', 'inline msgs/s', 'gen cores', 'split msgs/s', 'gen cores'], rows);
}

/** Cores of other work during a run above which the run is flagged as disturbed. */
const BUSY_CORES = 0.15;

function note(r: RunRecord, ceiling: number | undefined): string {
  if (r.na !== undefined) return `n/a: ${r.na}`;
  if (r.error !== undefined) return `ERROR ${r.error}`;
  const notes = integrityProblems(r).map((p) => `!!! ${p}`);
  const x = r.result;
  if (x !== undefined && r.scenario.qos === 0 && x.lost > 0) notes.push(`${x.lost} lost (QoS 0 allows it)`);
  if (x !== undefined && ceiling !== undefined && x.rate > 0.7 * ceiling)
    notes.push('near the generator ceiling');
  if (x?.brokerCores !== undefined && x.brokerCores < 0.4 && (x.generatorCores ?? 0) < 0.5) {
    notes.push('broker and generator mostly idle: bound by round trips, not CPU');
  }
  if ((x?.otherCores ?? 0) > BUSY_CORES) notes.push('other work ran on the machine meanwhile');
  if (r.notQuiet !== undefined) notes.push(`started with ${r.notQuiet.toFixed(2)} cores busy`);
  if (x !== undefined && x.errors.length > 0) notes.push(x.errors.join('; '));
  return notes.join('; ');
}

export function renderResults(
  records: readonly RunRecord[],
  scenarios: readonly Scenario[],
  brokers: readonly BrokerName[],
  ceilings: readonly RunRecord[],
): string {
  const rows: string[][] = [];
  for (const s of scenarios) {
    const ceiling = ceilings.find((c) => c.scenario.id === s.id && c.mode === records[0]?.mode);
    for (const broker of brokers) {
      const r = find(records, s, broker);
      if (r === undefined) continue;
      const x = r.result;
      rows.push([
        s.label,
        brokerLabel(broker),
        int(x?.rate),
        fixed(x?.p50),
        fixed(x?.p99),
        int(x?.lost),
        int(x?.duplicates),
        fixed(r.rssMB, 1),
        fixed(x?.brokerCores),
        fixed(x?.generatorCores),
        fixed(x?.otherCores),
        note(r, rateOf(ceiling)),
      ]);
    }
  }
  const header = [
    'scenario',
    'broker',
    'msgs/s',
    'p50 ms',
    'p99 ms',
    'lost',
    'dup',
    'RSS MB',
    'broker cores',
  ];
  return table([...header, 'gen cores', 'other cores', 'note'], rows, 2);
}

function verdict(value: number | undefined, target: number): string {
  if (value === undefined) return '-';
  return value >= target ? 'PASS' : 'FAIL';
}

export interface Verdicts {
  lines: string;
  failures: string[];
}

export function renderTargets(records: readonly RunRecord[], scenarios: readonly Scenario[]): Verdicts {
  const failures: string[] = [];
  const rows = scenarios.map((s) => {
    const vsAedes = roundRatios(records, s, 'aedes');
    const vsMosq = roundRatios(records, s, 'mosquitto');
    const aedesNa = find(records, s, 'aedes')?.na;
    const aedesVerdict = aedesNa !== undefined ? 'n/a' : verdict(vsAedes.value, TARGETS.aedes);
    const mosqTarget = TARGETS.mosquittoScenarios.includes(s.id);
    const mosqVerdict = mosqTarget ? verdict(vsMosq.value, TARGETS.mosquitto) : '';
    if (aedesVerdict === 'FAIL') {
      failures.push(`${s.label}: ${ratio(vsAedes.value)} aedes (target >= ${TARGETS.aedes}x)`);
    }
    if (mosqVerdict === 'FAIL') {
      failures.push(`${s.label}: ${ratio(vsMosq.value)} mosquitto (target >= ${TARGETS.mosquitto}x)`);
    }
    const redVsCli = roundRatios(records, s, 'ours', 'node-red');
    const redRecord = find(records, s, 'node-red');
    const redVerdict =
      redRecord === undefined
        ? ''
        : redRecord.na !== undefined
          ? 'n/a'
          : verdict(redVsCli.value, TARGETS.nodeRed);
    if (redVerdict === 'FAIL') {
      failures.push(
        `${s.label}: ours in Node-RED at ${ratio(redVsCli.value)} our CLI (target >= ${TARGETS.nodeRed}x)`,
      );
    }
    return [
      s.label,
      aedesNa === undefined ? ratio(vsAedes.value) : 'n/a',
      vsAedes.range,
      `>=${TARGETS.aedes}x ${aedesVerdict}`,
      ratio(vsMosq.value),
      vsMosq.range,
      mosqTarget ? `>=${TARGETS.mosquitto}x ${mosqVerdict}` : '',
      ratio(redVsCli.value),
      redVsCli.range,
      redVerdict === '' ? '' : `>=${TARGETS.nodeRed}x ${redVerdict}`,
    ];
  });
  const header = [
    'scenario',
    'ours/aedes',
    'rounds',
    'target',
    'ours/mosquitto',
    'rounds',
    'target',
    'Node-RED/CLI',
    'rounds',
    'target',
  ];
  return { lines: table(header, rows), failures };
}

/** Deliveries per CPU second of the broker: what a message costs it, whatever else ran. */
function perCpu(r: RunRecord | undefined): number | undefined {
  const x = r?.result;
  return x?.brokerCores === undefined || x.brokerCores <= 0 ? undefined : x.rate / x.brokerCores;
}

/**
 * Ours in Node-RED against the CLI, round by round: the rate ratio, the ratio of deliveries per
 * broker CPU second (`cpu`, which other work on the machine barely moves), and that other work
 * during the two runs (the larger, when above the flag), so a disturbed round can be told from a
 * slow one.
 */
export function renderNodeRedRounds(records: readonly RunRecord[], scenarios: readonly Scenario[]): string {
  const rows: string[][] = [];
  for (const s of scenarios) {
    const red = records.filter((r) => r.scenario.id === s.id && r.broker === 'node-red');
    const cells = red.flatMap((r) => {
      const cli = records.find((x) => x.scenario.id === s.id && x.broker === 'ours' && x.round === r.round);
      const a = rateOf(r);
      const b = rateOf(cli);
      if (a === undefined || b === undefined || b <= 0) return [];
      const redCpu = perCpu(r);
      const cliCpu = perCpu(cli);
      const cpu = redCpu === undefined || cliCpu === undefined ? '' : ` cpu ${(redCpu / cliCpu).toFixed(2)}x`;
      const other = Math.max(r.result?.otherCores ?? 0, cli?.result?.otherCores ?? 0);
      const busy = other > BUSY_CORES ? ` busy ${other.toFixed(2)}` : '';
      return [`${(a / b).toFixed(2)}x (${`${cpu}${busy}`.trim()})`.replace(' ()', '')];
    });
    if (cells.length > 0) rows.push([s.label, cells.join('  ')]);
  }
  return rows.length === 0 ? '' : table(['scenario', 'Node-RED/CLI per round'], rows);
}

export function renderIdle(records: readonly IdleRecord[]): Verdicts {
  const failures: string[] = [];
  const rows = records.map((r) => {
    const x = r.result;
    let target = '';
    if (r.broker === 'ours' && x !== undefined) {
      const pass = x.perConnectionKiB <= TARGETS.idleKiB;
      target = `<=${TARGETS.idleKiB} KiB ${pass ? 'PASS' : 'FAIL'}`;
      if (!pass) failures.push(`idle connections: ${x.perConnectionKiB.toFixed(1)} KiB each (target <= 10)`);
    }
    if (r.na !== undefined) target = `n/a: ${r.na}`;
    if (r.error !== undefined) target = `ERROR ${r.error}`;
    return [
      brokerLabel(r.broker),
      int(x?.connections),
      fixed(x === undefined ? undefined : x.beforeKiB / 1024, 1),
      fixed(x === undefined ? undefined : x.afterKiB / 1024, 1),
      fixed(x?.perConnectionKiB, 1),
      fixed(x?.connectSeconds, 1),
      target,
    ];
  });
  const header = [
    'broker',
    'connections',
    'RSS before MB',
    'RSS after MB',
    'KiB/conn',
    'connect s',
    'target',
  ];
  return { lines: table(header, rows), failures };
}
