/**
 * `npm run bench:codec`: our codec and topic trie against mqtt-packet (and a linear matcher), side
 * by side in one run. Prints an aligned table, or JSON with `--json`. Always exits 0: it is a report.
 *
 * Options: `--json`; `--filter=<text>` runs only the cases whose name contains <text>.
 * Environment: BENCH_SECONDS (timed seconds per side and case, default 1), BENCH_WARMUP (default 0.3),
 * BENCH_ROUNDS (default 5).
 */
import { allCases, type BenchCase } from './cases';
import { comparePair, type HarnessOptions, sink } from './harness';
import { type CaseResult, collectMeta, metaLines, renderJson, renderNotes, renderTable } from './report';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function argValue(prefix: string): string | undefined {
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return arg?.slice(prefix.length);
}

function message(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

function runCase(c: BenchCase, options: HarnessOptions): CaseResult {
  const result: CaseResult = { name: c.name, unit: c.unit, peerLabel: c.peerLabel };
  if (c.target !== undefined) result.target = c.target;
  try {
    const sides = c.setup();
    if (sides.note !== undefined) result.note = sides.note;
    const pair = comparePair(sides.ours, sides.peer, c.opsPerCall, options);
    result.ours = pair.ours.rate;
    result.peer = pair.peer.rate;
    result.oursSamples = pair.ours.samples;
    result.peerSamples = pair.peer.samples;
    result.ratio = pair.ratio;
    result.ratioSamples = pair.ratioSamples;
    if (c.target !== undefined) result.pass = result.ratio >= c.target;
  } catch (error) {
    result.error = message(error);
  }
  return result;
}

function main(): void {
  const json = process.argv.includes('--json');
  const filter = argValue('--filter=') ?? '';
  const options: HarnessOptions = {
    seconds: envNumber('BENCH_SECONDS', 1),
    warmupSeconds: envNumber('BENCH_WARMUP', 0.3),
    rounds: Math.round(envNumber('BENCH_ROUNDS', 5)),
  };
  const meta = collectMeta(options);
  if (!json) console.log(`${metaLines(meta).join('\n')}\n`);

  let cases: BenchCase[] = [];
  const results: CaseResult[] = [];
  try {
    cases = allCases().filter((c) => c.name.toLowerCase().includes(filter.toLowerCase()));
  } catch (error) {
    results.push({ name: 'setup', unit: '', peerLabel: '', error: message(error) });
  }
  for (const c of cases) {
    process.stderr.write(`  running ${c.name} ...\n`);
    results.push(runCase(c, options));
  }

  if (json) {
    console.log(renderJson(meta, results, sink()));
  } else {
    console.log(renderTable(results));
    const notes = renderNotes(results);
    if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
    console.log(`\n(sink ${sink()})`);
  }
  process.exitCode = 0;
}

try {
  main();
} catch (error) {
  console.error(`benchmark aborted: ${message(error)}`);
  process.exitCode = 0;
}
