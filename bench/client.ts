/**
 * `npm run bench:client`: our `mqtt5 out` / `mqtt5 in` against Node-RED's core `mqtt out` /
 * `mqtt in`, in one real Node-RED child process, against one mosquitto child process, at QoS 0
 * and QoS 1. See ./client-runs for what a run measures, ./client-flows for the flow.
 *
 * Options: `--json`; `--filter=<text>` runs only the scenarios whose id or label contains <text>
 * (tx-q0, tx-q1, rx-q0, rx-q1).
 * Environment: BENCH_MESSAGES (100000), BENCH_WARMUP_MESSAGES (10000), BENCH_PAYLOAD (64),
 * BENCH_BURST_BATCH (100), BENCH_WINDOW (1000), BENCH_ROUNDS (3), BENCH_PROTOCOL (5 | 4),
 * BENCH_RUN_TIMEOUT (60 s), BENCH_PROFILE (auto: profile both sides of each scenario where ours
 * misses its target | 1: every scenario | 0), BENCH_PROFILE_MESSAGES (30000 or fewer),
 * BENCH_PROFILE_DIR (keep the .cpuprofile files there),
 * BENCH_CLIENT_PACKAGE (load our nodes from another built copy of this package, to compare a change),
 * BENCH_MAX_SECONDS (300: no new round starts after that).
 * Exits 1 when a run failed or a QoS 1 run lost or duplicated msgs; missed targets are reported.
 */

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIDES, type Side, sideLabel } from './client-flows';
import {
  builtNode,
  killChildren,
  type NodeRed,
  nodesPackage,
  packageRoot,
  startMosquitto,
  startNodeRed,
} from './client-procs';
import { renderAreas, summarizeAreas } from './client-profile';
import {
  collectMeta,
  metaLines,
  type ReportSettings,
  renderCeilings,
  renderCpu,
  renderResults,
  type ScenarioSummary,
  summarize,
} from './client-report';
import {
  probe,
  profileStart,
  profileStop,
  type Rig,
  type RunResult,
  runCeiling,
  runOne,
  SCENARIOS,
  type Scenario,
} from './client-runs';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

function settings(): ReportSettings {
  return {
    messages: Math.max(1, Math.round(envNumber('BENCH_MESSAGES', 100_000))),
    warmupMessages: Math.round(envNumber('BENCH_WARMUP_MESSAGES', 10_000)),
    payloadSize: Math.max(16, Math.round(envNumber('BENCH_PAYLOAD', 64))),
    burstBatch: Math.max(1, Math.round(envNumber('BENCH_BURST_BATCH', 100))),
    window: Math.max(1, Math.min(65_535, Math.round(envNumber('BENCH_WINDOW', 1000)))),
    timeoutMs: Math.max(1, envNumber('BENCH_RUN_TIMEOUT', 60)) * 1000,
    rounds: Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 3))),
    protocolVersion: process.env['BENCH_PROTOCOL'] === '4' ? '4' : '5',
  };
}

function selected(): Scenario[] {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--filter='));
  const filter = (arg?.slice('--filter='.length) ?? '').toLowerCase();
  return SCENARIOS.filter((s) => s.id.includes(filter) || s.label.toLowerCase().includes(filter));
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function describe(r: RunResult): string {
  const rate = r.rate === undefined ? 'no rate' : `${Math.round(r.rate)} msgs/s`;
  const cpu =
    r.cpuUsPerMsg === undefined
      ? ''
      : `, CPU µs/msg ${r.cpuUsPerMsg.toFixed(1)} Node-RED, ${r.brokerCpuUsPerMsg?.toFixed(1) ?? '?'} mosquitto`;
  const bad = r.lost > 0 || r.duplicates > 0 ? `, lost ${r.lost}, dup ${r.duplicates}` : '';
  return `${rate}${cpu}${bad}${r.error === undefined ? '' : ` (${r.error})`}`;
}

interface Context extends Rig {
  o: ReportSettings;
}

/** Probes and warms up every side for every scenario; returns the pairs that work. */
async function prepare(
  c: Context,
  scenarios: readonly Scenario[],
  sides: readonly Side[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const s of scenarios) {
    for (const side of sides) {
      try {
        await probe(c, s, side);
        if (c.o.warmupMessages > 0) {
          const w = await runOne(c, s, side, -1, c.o, c.o.warmupMessages);
          log(`  warm-up ${sideLabel(side)}, ${s.label}: ${describe(w)}`);
          if (w.error !== undefined) failures.push(`${side} ${s.id} warm-up: ${w.error}`);
        }
      } catch (err) {
        failures.push(`${side} ${s.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return failures;
}

async function profile(
  c: Context,
  summaries: readonly ScenarioSummary[],
  sides: readonly Side[],
): Promise<string[]> {
  const mode = process.env['BENCH_PROFILE'] ?? 'auto';
  if (mode === '0' || !sides.includes('ours')) return [];
  const targets = summaries.filter((s) => mode === '1' || s.met === false).map((s) => s.scenario);
  if (targets.length === 0) return [];
  const keep = process.env['BENCH_PROFILE_DIR'];
  const dir =
    keep === undefined || keep === '' ? mkdtempSync(join(tmpdir(), 'mqtt5-bench-client-prof-')) : keep;
  mkdirSync(dir, { recursive: true });
  const n = Math.max(1, Math.round(envNumber('BENCH_PROFILE_MESSAGES', Math.min(c.o.messages, 30_000))));
  const lines = [`CPU profiles of Node-RED, one ${n}-msg run each (V8 sampling profiler, 250 µs)`];
  try {
    for (const s of targets) {
      for (const side of sides) {
        const file = join(dir, `${s.id}-${side}.cpuprofile`);
        log(`profiling ${sideLabel(side)}, ${s.label}`);
        await profileStart(c.red, 250);
        const r = await runOne(c, s, side, -1, c.o, n);
        await profileStop(c.red, file);
        lines.push(
          '',
          ...renderAreas(`${sideLabel(side)}, ${s.label}, ${describe(r)}`, summarizeAreas(file)),
        );
      }
    }
    if (keep !== undefined && keep !== '') lines.push('', `profiles kept in ${dir}`);
  } finally {
    if (keep === undefined || keep === '') rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const o = settings();
  const deadline = Date.now() + envNumber('BENCH_MAX_SECONDS', 300) * 1000;
  const meta = collectMeta();
  const notes: string[] = [];
  const missing = ['mqtt5-connection', 'mqtt5-in', 'mqtt5-out'].filter((f) => !builtNode(f));
  const sides = missing.length === 0 ? SIDES : SIDES.filter((s) => s !== 'ours');
  if (missing.length > 0)
    notes.push(`ours not measured: dist/nodes/${missing.join('.js, dist/nodes/')}.js not built`);
  if (nodesPackage() !== packageRoot())
    notes.push(`ours loaded from ${nodesPackage()} (BENCH_CLIENT_PACKAGE)`);
  if (!json) console.log(`${metaLines(meta, o).join('\n')}\n`);
  const scenarios = selected();

  const mqtt = await startMosquitto();
  let red: NodeRed | undefined;
  try {
    log('generator ceiling (no Node-RED):');
    const ceilings: RunResult[] = [];
    for (const qos of [0, 1] as const) {
      await runCeiling(mqtt, qos, { ...o, messages: o.warmupMessages || 1000 });
      const r = await runCeiling(mqtt, qos, o);
      log(`  QoS ${qos}: ${describe(r)}`);
      ceilings.push(r);
    }
    log('starting Node-RED');
    red = await startNodeRed({ mqttPort: mqtt.port, protocolVersion: o.protocolVersion, sides });
    const c: Context = { red, mqtt, o };
    log('probe and warm-up:');
    const failures = await prepare(c, scenarios, sides);
    const runs: RunResult[] = [];
    for (let round = 0; round < o.rounds; round++) {
      if (round > 0 && Date.now() > deadline) {
        notes.push(`stopped after ${round} round(s): BENCH_MAX_SECONDS reached`);
        break;
      }
      log(`round ${round + 1} of ${o.rounds}:`);
      for (const s of scenarios) {
        // Ours first in even rounds, core first in odd ones.
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const r = await runOne(c, s, side, round, o);
          log(`  ${sideLabel(side)}, ${s.label}: ${describe(r)}`);
          runs.push(r);
        }
      }
    }
    const summaries = summarize(scenarios, runs);
    const profileLines = await profile(c, summaries, sides);
    const problems = [
      ...failures,
      ...runs.flatMap((r) =>
        r.error === undefined ? [] : [`${r.side} ${r.scenario} round ${r.round + 1}: ${r.error}`],
      ),
      ...runs
        .filter((r) => r.scenario.endsWith('q1') && (r.lost > 0 || r.duplicates > 0))
        .map(
          (r) =>
            `${r.side} ${r.scenario} round ${r.round + 1}: lost ${r.lost}, duplicated ${r.duplicates} at QoS 1`,
        ),
    ];
    if (json) {
      console.log(JSON.stringify({ meta, settings: o, notes, ceilings, runs, summaries, problems }, null, 2));
    } else {
      const missed = summaries.filter((s) => s.met === false);
      console.log(
        [
          'Load generator ceiling (the same raw peers, no Node-RED in between)',
          renderCeilings(ceilings),
          '',
          'Results: ours/core is the median of the per-round ratios',
          renderResults(summaries),
          '',
          'CPU per msg over the same runs (medians; core/ours is the median of the per-round ratios)',
          renderCpu(summaries),
          ...notes.map((n) => `note: ${n}`),
          ...(missed.length === 0
            ? []
            : ['', 'Targets missed:', ...missed.map((s) => `  MISS ${s.scenario.label}`)]),
          ...(profileLines.length === 0 ? [] : ['', ...profileLines]),
          ...(problems.length === 0 ? [] : ['', 'PROBLEMS:', ...problems.map((p) => `  ${p}`)]),
        ].join('\n'),
      );
    }
    return problems.length > 0 ? 1 : 0;
  } finally {
    await red?.stop();
    await mqtt.stop();
  }
}

const watchdog = setTimeout(
  () => {
    console.error('client benchmark: over its time bound; killing Node-RED and mosquitto');
    killChildren();
    process.exit(2);
  },
  (envNumber('BENCH_MAX_SECONDS', 300) + 240) * 1000,
);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

main().then(
  (code) => {
    killChildren();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(`client benchmark aborted: ${err instanceof Error ? err.message : String(err)}`);
    killChildren();
    process.exit(1);
  },
);
