import { ProgressBoard } from './board';
import { type Clock, makeClock, sleep } from './clock';
import { type GeneratorMode, type PublisherHost, startPublishers } from './hosts';
import { machineBusySeconds } from './machine';
import type { PublisherConfig, PublisherStats } from './publisher';
import { filterOf, type Scenario, topicOf } from './scenarios';
import { withTimeout } from './socket';
import { Subscriber } from './subscriber';
import { GroupTracker, LatencyHistogram } from './tracker';

export interface LoadOptions {
  port: number;
  mode: GeneratorMode;
  warmupSeconds: number;
  seconds: number;
  /** Longest wait after the publishers stop, for the last messages and acknowledgements. */
  drainSeconds: number;
  payloadSize: number;
  window: number;
  outstanding: number;
  perBatch: number;
  /** Makes client ids unique across runs. */
  runId: string;
  /** The broker's CPU seconds so far, to report how busy it was during the window. */
  brokerCpu?: () => number | undefined;
}

export interface LoadResult {
  mode: GeneratorMode;
  /** Deliveries per second inside the measurement window (all subscribers together). */
  rate: number;
  p50?: number;
  p99?: number;
  sent: number;
  lost: number;
  duplicates: number;
  /** The broker acknowledged a packet id that was not in flight. */
  unexpectedAcks: number;
  drained: boolean;
  errors: string[];
  /** CPU use during the window, in cores: this process (all threads), and the broker. */
  generatorCores?: number;
  brokerCores?: number;
  /**
   * Cores busy with anything else during the window (the machine's busy time less the two
   * above): other work on the machine, which makes the figure less trustworthy.
   */
  otherCores?: number;
}

interface CpuSample {
  at: number;
  generator: number;
  broker: number | undefined;
  machine: number | undefined;
}

function cpuSample(clock: Clock, o: LoadOptions): CpuSample {
  const usage = process.cpuUsage();
  return {
    at: clock(),
    generator: (usage.user + usage.system) / 1e6,
    broker: o.brokerCpu?.(),
    machine: machineBusySeconds(),
  };
}

type CpuFigures = Pick<LoadResult, 'generatorCores' | 'brokerCores' | 'otherCores'>;

function cpuCores(a: CpuSample, b: CpuSample): CpuFigures {
  const seconds = (b.at - a.at) / 1000;
  const out: CpuFigures = {};
  if (seconds <= 0) return out;
  out.generatorCores = (b.generator - a.generator) / seconds;
  if (a.broker !== undefined && b.broker !== undefined) out.brokerCores = (b.broker - a.broker) / seconds;
  if (a.machine !== undefined && b.machine !== undefined && out.brokerCores !== undefined) {
    const machine = (b.machine - a.machine) / seconds;
    out.otherCores = Math.max(0, machine - out.generatorCores - out.brokerCores);
  }
  return out;
}

/** The main thread's hrtime base; workers get it too, so that all share one clock. */
export const CLOCK_BASE = process.hrtime.bigint();

function publisherConfigs(s: Scenario, o: LoadOptions): PublisherConfig[] {
  const range = Math.floor(65535 / s.publishers);
  return Array.from({ length: s.publishers }, (_, i) => ({
    index: i,
    port: o.port,
    clientId: `${o.runId}-p${i}`,
    topic: topicOf(i),
    qos: s.qos,
    level: s.level,
    payloadSize: o.payloadSize,
    window: Math.min(o.window, range),
    outstanding: o.outstanding,
    perBatch: o.perBatch,
    idLow: 1 + i * range,
    idHigh: (i + 1) * range,
  }));
}

interface Receivers {
  subscribers: Subscriber[];
  trackers: GroupTracker[];
  histogram: LatencyHistogram;
}

function receivers(s: Scenario): Receivers {
  const groups = s.shared ? 1 : s.subscribers;
  const trackers = Array.from({ length: groups }, (_, g) => new GroupTracker(g, s.publishers));
  return { subscribers: [], trackers, histogram: new LatencyHistogram() };
}

async function connectSubscribers(
  s: Scenario,
  o: LoadOptions,
  rx: Receivers,
  board: ProgressBoard,
  clock: Clock,
): Promise<void> {
  for (let i = 0; i < s.subscribers; i++) {
    const config = {
      port: o.port,
      clientId: `${o.runId}-s${i}`,
      filter: filterOf(s),
      qos: s.qos,
      level: s.level,
    };
    const tracker = rx.trackers[s.shared ? 0 : i] ?? new GroupTracker(0, s.publishers);
    rx.subscribers.push(await Subscriber.connect(config, tracker, rx.histogram, board, clock));
  }
}

/** Waits for the publishers to finish and every group to have seen every message, or the deadline. */
async function drain(
  finished: Promise<PublisherStats[]>,
  rx: Receivers,
  board: ProgressBoard,
  deadlineMs: number,
) {
  const stats = await withTimeout(finished, deadlineMs, 'publishers finishing');
  const sent = stats.map((p) => p.sent);
  const until = Date.now() + deadlineMs;
  while (Date.now() < until && !rx.trackers.every((t) => t.complete(sent))) await sleep(10);
  return { stats, sent, drained: board.allDone() && rx.trackers.every((t) => t.complete(sent)) };
}

/** Runs one scenario against the broker on `o.port` and measures it. */
export async function runLoad(s: Scenario, o: LoadOptions): Promise<LoadResult> {
  const board = new ProgressBoard({ groups: s.shared ? 1 : s.subscribers, publishers: s.publishers });
  const clock = makeClock(CLOCK_BASE);
  let host: PublisherHost | undefined;
  const rx = receivers(s);
  try {
    await connectSubscribers(s, o, rx, board, clock);
    host = await startPublishers(o.mode, publisherConfigs(s, o), board, CLOCK_BASE);
    const start = clock();
    const window = { from: start + o.warmupSeconds * 1000, to: start + (o.warmupSeconds + o.seconds) * 1000 };
    for (const sub of rx.subscribers) sub.setWindow(window);
    const finished = host.go(window.to);
    await sleep(window.from - clock());
    const first = cpuSample(clock, o);
    await sleep(window.to - clock());
    const cpu = cpuCores(first, cpuSample(clock, o));
    const { stats, sent, drained } = await drain(finished, rx, board, o.drainSeconds * 1000);
    const errors = [...stats.flatMap((p) => p.error ?? []), ...rx.subscribers.flatMap((x) => x.error ?? [])];
    const delivered = rx.subscribers.reduce((n, x) => n + x.delivered, 0);
    const malformed = rx.subscribers.reduce((n, x) => n + x.malformed, 0);
    if (malformed > 0) errors.push(`${malformed} PUBLISH packets without the generator's payload`);
    const corrupt = rx.trackers.reduce((n, t) => n + t.corrupt, 0);
    if (corrupt > 0) errors.push(`${corrupt} payloads naming an unknown publisher`);
    const result: LoadResult = {
      mode: o.mode,
      rate: delivered / o.seconds,
      sent: sent.reduce((a, b) => a + b, 0),
      lost: rx.trackers.reduce((n, t) => n + t.lost(sent), 0),
      duplicates: rx.trackers.reduce((n, t) => n + t.duplicates, 0),
      unexpectedAcks: stats.reduce((n, p) => n + p.unexpectedAcks, 0),
      drained,
      errors: [...new Set(errors)],
      ...cpu,
    };
    const p50 = rx.histogram.quantile(0.5);
    const p99 = rx.histogram.quantile(0.99);
    if (p50 !== undefined) result.p50 = p50;
    if (p99 !== undefined) result.p99 = p99;
    return result;
  } finally {
    for (const sub of rx.subscribers) sub.close();
    await host?.close();
  }
}
