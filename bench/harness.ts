/**
 * A small timing harness for side-by-side codec benchmarks. Each side is a batch function that runs
 * its operation `n` times and returns a number derived from the results (the sink), so V8 cannot drop
 * the work. Sides are warmed up, then timed in rounds of interleaved batches; the median rate of the
 * rounds is reported, and the median of the per-round ratios, which keeps one noisy round (GC, another
 * process) from deciding the result.
 */

/** Runs the operation `n` times; returns a value computed from the results. */
export type Batch = (n: number) => number;

export interface HarnessOptions {
  /** Timed seconds per side and case, split evenly over the rounds. */
  seconds: number;
  /** Warm-up seconds per side and case, before the first round. */
  warmupSeconds: number;
  rounds: number;
}

export interface SideResult {
  /** Median operations per second over the rounds. */
  rate: number;
  /** The rate of each round, in order. */
  samples: number[];
}

export interface PairResult {
  ours: SideResult;
  peer: SideResult;
  /**
   * Median over the rounds of ours/peer, each from interleaved batches. On a shared machine the load
   * drifts between rounds; a per-round ratio cancels most of that drift.
   */
  ratio: number;
  ratioSamples: number[];
}

/**
 * A batch should take about this long: long enough that the clock reads are a negligible part of it,
 * short enough that interleaved batches of the two sides see the same machine load.
 */
const BATCH_NS = 5_000_000;
/** Upper bound on the batch size, whatever the calibration says. */
const MAX_BATCH = 1 << 24;

let sinkTotal = 0;

/** Everything the batches returned, folded together; print it so the work stays observable. */
export function sink(): number {
  return sinkTotal;
}

function now(): bigint {
  return process.hrtime.bigint();
}

function secondsToNs(seconds: number): bigint {
  return BigInt(Math.max(1, Math.round(seconds * 1e9)));
}

function timeBatch(fn: Batch, n: number): number {
  const start = now();
  sinkTotal = (sinkTotal + fn(n)) % 1_000_000_007;
  return Number(now() - start);
}

/**
 * Runs `fn` for about `seconds`, adjusting the batch size until one batch takes about `BATCH_NS`.
 * Returns that batch size. Bounded in time: the last batch is the only one that can overrun.
 */
function warmUp(fn: Batch, seconds: number): number {
  const deadline = now() + secondsToNs(seconds);
  let n = 1;
  do {
    const ns = timeBatch(fn, n);
    if (ns < BATCH_NS / 2 && n < MAX_BATCH) n *= 2;
    else if (ns > BATCH_NS * 2 && n > 1) n = Math.max(1, Math.floor(n / 2));
  } while (now() < deadline);
  return n;
}

interface PerSide {
  ours: number;
  peer: number;
}

/**
 * One round: batches of ours and peer interleaved (the side that has run for less time goes next)
 * until each side has run `seconds`. On a shared machine the load changes from one moment to the
 * next; fine interleaving makes both sides see the same load, so their ratio stays meaningful even
 * when the absolute rates do not.
 */
function timedRound(pair: { ours: Batch; peer: Batch }, sizes: PerSide, seconds: number, peerFirst: boolean) {
  const budget = Number(secondsToNs(seconds));
  const ns = { ours: 0, peer: 0 };
  const calls = { ours: 0, peer: 0 };
  const step = (side: 'ours' | 'peer'): void => {
    ns[side] += timeBatch(pair[side], sizes[side]);
    calls[side] += sizes[side];
  };
  if (peerFirst) step('peer');
  while (ns.ours < budget || ns.peer < budget) {
    step(ns.peer >= budget || ns.ours <= ns.peer ? 'ours' : 'peer');
  }
  return { ours: (calls.ours * 1e9) / ns.ours, peer: (calls.peer * 1e9) / ns.peer };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? 0;
  if (sorted.length % 2 === 1) return hi;
  return ((sorted[mid - 1] ?? hi) + hi) / 2;
}

/**
 * Times `ours` against `peer`: both are warmed up, then timed in `rounds` rounds of interleaved
 * batches (ours first in even rounds, peer first in odd ones). `opsPerCall` counts the operations one
 * call stands for (e.g. the packets in one chunk), so rates come out per packet.
 */
export function comparePair(
  ours: Batch,
  peer: Batch,
  opsPerCall: number,
  options: HarnessOptions,
): PairResult {
  const rounds = Math.max(1, Math.floor(options.rounds));
  const perRound = options.seconds / rounds;
  const sizes = { ours: warmUp(ours, options.warmupSeconds), peer: warmUp(peer, options.warmupSeconds) };
  const oursSamples: number[] = [];
  const peerSamples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const r = timedRound({ ours, peer }, sizes, perRound, round % 2 === 1);
    oursSamples.push(r.ours * opsPerCall);
    peerSamples.push(r.peer * opsPerCall);
  }
  const ratioSamples = oursSamples.map((rate, i) => rate / (peerSamples[i] ?? Number.NaN));
  return {
    ours: { rate: median(oursSamples), samples: oursSamples },
    peer: { rate: median(peerSamples), samples: peerSamples },
    ratio: median(ratioSamples),
    ratioSamples,
  };
}
