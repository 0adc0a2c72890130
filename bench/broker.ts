/**
 * `npm run bench:broker`: our CLI broker, ours as an `mqtt5 broker` node inside a real Node-RED,
 * aedes and mosquitto under one load generator, in one run.
 * Every broker is a child process on 127.0.0.1 and a free port, started fresh for each run and
 * killed at the end whatever happens. Prints aligned tables, or JSON with `--json`.
 *
 * Options: `--json`; `--filter=<text>` runs only the scenarios whose id or label contains <text>.
 * Environment: BENCH_SECONDS (5), BENCH_WARMUP (1), BENCH_CEILING_SECONDS (3), BENCH_DRAIN (5),
 * BENCH_PAYLOAD (64), BENCH_INFLIGHT (250), BENCH_INFLIGHT_QOS2 (20), BENCH_OUTSTANDING (500),
 * BENCH_BATCH (128), BENCH_MODE (inline | split), BENCH_CONNECTIONS (5000), BENCH_V5 (1),
 * BENCH_ROUNDS (1; runs per broker and scenario, interleaved, the median shown),
 * BENCH_BROKERS (ours,node-red,aedes,mosquitto: a comma-separated subset to run),
 * BENCH_PROFILE (auto: profile ours, the CLI and in Node-RED, when it misses a target | 1 | 0),
 * BENCH_MAX_SECONDS (420). BENCH_CEILING_SECONDS=0 skips the generator ceiling runs.
 * BENCH_QUIET=<cores> (0): on a shared machine, wait before each run until fewer cores are busy,
 * for at most BENCH_QUIET_WAIT seconds (120); runs that started busy are noted.
 * Exits 1 when a QoS 1/2 run lost or duplicated messages; missed targets are only reported.
 */

import { brokerMetaLines, collectBrokerMeta } from './broker-meta';
import { renderProfile, summarizeProfile } from './broker-profile';
import {
  renderCeilings,
  renderIdle,
  renderNodeRedRounds,
  renderResults,
  renderTargets,
} from './broker-report';
import {
  type BenchOptions,
  type IdleRecord,
  profileOurs,
  type RunRecord,
  runIdleOne,
  runOne,
} from './broker-runs';
import { type BrokerName, brokerLabel, killAll } from './load/brokers';
import type { GeneratorMode } from './load/hosts';
import { openFileLimit } from './load/idle';
import { SCENARIOS, type Scenario, V5_SCENARIO } from './load/scenarios';
import { selfCheck } from './load/self-check';

/** 'node-red' is ours as an `mqtt5 broker` node in a real Node-RED, measured in the same rounds. */
const ALL_BROKERS: readonly BrokerName[] = ['ours', 'node-red', 'aedes', 'mosquitto'];

/** The brokers BENCH_BROKERS names (all by default); an unknown name is an error. */
function brokersToRun(): readonly BrokerName[] {
  const raw = process.env['BENCH_BROKERS'];
  if (raw === undefined || raw.trim() === '') return ALL_BROKERS;
  const names = raw.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !ALL_BROKERS.some((b) => b === n));
  if (unknown.length > 0) throw new Error(`BENCH_BROKERS: unknown broker ${unknown.join(', ')}`);
  return ALL_BROKERS.filter((b) => names.includes(b));
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

function options(): BenchOptions {
  const mode: GeneratorMode = process.env['BENCH_MODE'] === 'split' ? 'split' : 'inline';
  const maxSeconds = envNumber('BENCH_MAX_SECONDS', 420);
  return {
    seconds: envNumber('BENCH_SECONDS', 5),
    warmupSeconds: envNumber('BENCH_WARMUP', 1),
    ceilingSeconds: envNumber('BENCH_CEILING_SECONDS', 3),
    drainSeconds: envNumber('BENCH_DRAIN', 5),
    payloadSize: envNumber('BENCH_PAYLOAD', 64),
    window: Math.max(1, envNumber('BENCH_INFLIGHT', 250)),
    windowQos2: Math.max(1, envNumber('BENCH_INFLIGHT_QOS2', 20)),
    outstanding: Math.max(1, envNumber('BENCH_OUTSTANDING', 500)),
    perBatch: Math.max(1, envNumber('BENCH_BATCH', 128)),
    mode,
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 5000)),
    rounds: Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 1))),
    deadline: Date.now() + maxSeconds * 1000,
    quietCores: envNumber('BENCH_QUIET', 0),
    quietWaitSeconds: envNumber('BENCH_QUIET_WAIT', 120),
  };
}

function matches(id: string, label: string): boolean {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--filter='));
  const filter = (arg?.slice('--filter='.length) ?? '').toLowerCase();
  return id.includes(filter) || label.toLowerCase().includes(filter);
}

function selected(all: readonly Scenario[]): Scenario[] {
  return all.filter((s) => matches(s.id, s.label));
}

/** Fewer idle connections when this process may not open that many sockets; says so. */
function idleConnections(o: BenchOptions, notes: string[]): void {
  const limit = openFileLimit();
  const room = limit - 200;
  if (o.connections > room) {
    notes.push(
      `idle test: the open-file limit is ${limit}, so ${room} connections instead of ${o.connections}`,
    );
    o.connections = Math.max(0, room);
  }
}

async function main(): Promise<number> {
  const BROKERS = brokersToRun();
  const json = process.argv.includes('--json');
  const o = options();
  const notes: string[] = [];
  idleConnections(o, notes);
  selfCheck();
  const meta = collectBrokerMeta();
  if (!json) console.log(`${brokerMetaLines(meta, o).join('\n')}\n`);

  const scenarios = selected(SCENARIOS);
  const v5 = envNumber('BENCH_V5', 1) > 0 ? selected([V5_SCENARIO]) : [];
  const ceilings: RunRecord[] = [];
  process.stderr.write('generator ceiling against the byte forwarder:\n');
  for (const s of o.ceilingSeconds > 0 ? scenarios.filter((x) => !x.shared) : []) {
    for (const mode of ['inline', 'split'] as const) ceilings.push(await runOne(s, 'forwarder', o, mode));
  }
  process.stderr.write('brokers:\n');
  const runs: RunRecord[] = [];
  for (const s of [...scenarios, ...v5]) {
    for (let round = 0; round < o.rounds; round++) {
      // Each round starts with the next broker, so that none always runs first.
      const order = BROKERS.map((_, i) => BROKERS[(i + round) % BROKERS.length] ?? 'ours');
      for (const broker of order) {
        if (s.level === 5 && broker === 'aedes') continue;
        runs.push(await runOne(s, broker, o, o.mode, round));
      }
    }
  }
  const idle: IdleRecord[] = [];
  if (o.connections > 0 && matches('idle', 'idle connections')) {
    for (const broker of BROKERS) idle.push(await runIdleOne(broker, o));
  }

  const targets = renderTargets(runs, [...scenarios, ...v5]);
  const redRounds = renderNodeRedRounds(runs, [...scenarios, ...v5]);
  const idleTable = renderIdle(idle);
  const failures = [...targets.failures, ...(idle.length > 0 ? idleTable.failures : [])];
  const profileMode = process.env['BENCH_PROFILE'] ?? 'auto';
  const profileScenario = SCENARIOS.find((s) => s.id === 'fanin-q1');
  const profileLines: string[] = [];
  if (
    profileScenario !== undefined &&
    (profileMode === '1' || (profileMode === 'auto' && failures.length > 0))
  ) {
    for (const broker of BROKERS.filter((b) => b === 'ours' || b === 'node-red')) {
      process.stderr.write(`profiling ${brokerLabel(broker)} (node --cpu-prof):\n`);
      const p = await profileOurs(profileScenario, o, broker);
      try {
        const rate = p.record.result?.rate;
        const what = `${brokerLabel(broker)} under --cpu-prof, ${profileScenario.label}`;
        profileLines.push(
          '',
          ...(p.profile === undefined
            ? [`${what}: no profile written${p.record.error === undefined ? '' : `: ${p.record.error}`}`]
            : [
                `${what}: ${Math.round(rate ?? 0)} msgs/s while profiled`,
                ...renderProfile(summarizeProfile(p.profile, 20)),
              ]),
        );
      } finally {
        p.cleanup();
      }
    }
  }

  const problems = runs
    .filter((r) => r.scenario.qos > 0 && r.result !== undefined)
    .flatMap((r) => {
      const x = r.result;
      if (x === undefined) return [];
      const bad = x.lost > 0 || x.duplicates > 0 || x.unexpectedAcks > 0;
      return bad
        ? [`${brokerLabel(r.broker)}, ${r.scenario.label}: lost ${x.lost}, duplicated ${x.duplicates}`]
        : [];
    });
  if (json) {
    console.log(
      JSON.stringify({ meta, options: o, notes, ceilings, runs, idle, failures, problems }, null, 2),
    );
  } else {
    const out = [
      ...(ceilings.length === 0
        ? []
        : [
            'Generator ceiling: the same generator against a byte forwarder that does no broker work',
            renderCeilings(
              ceilings,
              scenarios.filter((s) => !s.shared),
            ),
            '',
          ]),
      'Results',
      renderResults(runs, [...scenarios, ...v5], BROKERS, ceilings),
      '',
      'Ratios and targets (delivered msgs/s)',
      targets.lines,
      '',
      ...(redRounds === '' ? [] : [redRounds, '']),
      ...(idle.length === 0
        ? []
        : ['Idle connections: broker RSS growth per CONNECTed idle connection', idleTable.lines]),
      ...notes.map((n) => `note: ${n}`),
    ];
    if (failures.length > 0) out.push('', 'Targets missed:', ...failures.map((f) => `  FAIL ${f}`));
    if (profileLines.length > 0) out.push(...profileLines);
    if (problems.length > 0) {
      out.push(
        '',
        '!!!!!!!! MESSAGE INTEGRITY FAILURE AT QoS >= 1 !!!!!!!!',
        ...problems.map((p) => `!!! ${p}`),
      );
    }
    console.log(out.join('\n'));
  }
  return problems.length > 0 ? 1 : 0;
}

const watchdog = setTimeout(
  () => {
    console.error('broker benchmark: over its time bound; killing the brokers');
    killAll();
    process.exit(2);
  },
  (envNumber('BENCH_MAX_SECONDS', 420) + 180) * 1000,
);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

main().then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(`broker benchmark aborted: ${err instanceof Error ? err.message : String(err)}`);
    killAll();
    process.exit(1);
  },
);
