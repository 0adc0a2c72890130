import { readFileSync } from 'node:fs';
import { sleep } from './clock';

/** Clock ticks per second of /proc/stat times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/**
 * Busy CPU time of the whole machine so far, in seconds (every core together, from /proc/stat):
 * with the broker's and the generator's own time, it shows how much else ran during a run.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    if (ticks.length < 5 || ticks.some((t) => !Number.isFinite(t))) return undefined;
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Cores busy over the next `ms` milliseconds, the whole machine; undefined without /proc. */
export async function busyCores(ms: number): Promise<number | undefined> {
  const a = machineBusySeconds();
  await sleep(ms);
  const b = machineBusySeconds();
  return a === undefined || b === undefined ? undefined : (b - a) / (ms / 1000);
}

/**
 * On a shared machine: waits until less than `cores` are busy (sampled each second), for at
 * most `seconds`. Resolves with the busy cores last seen and whether it got that quiet.
 */
export async function waitForQuiet(
  cores: number,
  seconds: number,
): Promise<{ quiet: boolean; busy: number }> {
  const until = Date.now() + seconds * 1000;
  let busy = Number.POSITIVE_INFINITY;
  do {
    busy = (await busyCores(1000)) ?? 0;
    if (busy < cores) return { quiet: true, busy };
  } while (Date.now() < until);
  return { quiet: false, busy };
}
