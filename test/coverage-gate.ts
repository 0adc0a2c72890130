/**
 * Fails `npm test` when line coverage of src/protocol or src/topic drops under 95%. Reads the
 * json-summary that c8 writes (source-mapped back to the .ts files) and sums lines per folder.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';

const GATES: Record<string, number> = { 'src/protocol': 95, 'src/topic': 95 };

interface Totals {
  lines: { total: number; covered: number };
}

const root = resolve(__dirname, '..', '..');
const summaryPath = resolve(root, 'coverage', 'coverage-summary.json');
const summary: Record<string, Totals> = JSON.parse(readFileSync(summaryPath, 'utf8'));

let failed = false;
for (const [folder, minimum] of Object.entries(GATES)) {
  let total = 0;
  let covered = 0;
  for (const [file, totals] of Object.entries(summary)) {
    if (file === 'total') continue;
    const rel = relative(root, file).split(sep).join('/');
    if (!rel.startsWith(`${folder}/`) || !rel.endsWith('.ts')) continue;
    total += totals.lines.total;
    covered += totals.lines.covered;
  }
  const pct = total === 0 ? 0 : (covered / total) * 100;
  const ok = total > 0 && pct >= minimum;
  if (!ok) failed = true;
  console.log(
    `coverage gate: ${folder} lines ${pct.toFixed(2)}% (${covered}/${total}), minimum ${minimum}%: ${ok ? 'ok' : 'FAIL'}`,
  );
}
if (failed) process.exit(1);
