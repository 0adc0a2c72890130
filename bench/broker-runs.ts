import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerName, type RunningBroker, startBroker, unavailable } from './load/brokers';
import type { GeneratorMode } from './load/hosts';
import { type IdleResult, runIdle } from './load/idle';
import { waitForQuiet } from './load/machine';
import { type LoadOptions, type LoadResult, runLoad } from './load/run-load';
import type { Scenario } from './load/scenarios';
import { withTimeout } from './load/socket';

/** Runs of the broker benchmark: one scenario against one broker, or the idle-connection test. */

export interface BenchOptions {
  seconds: number;
  warmupSeconds: number;
  ceilingSeconds: number;
  drainSeconds: number;
  payloadSize: number;
  /** QoS 1 packets in flight per publisher. */
  window: number;
  /** QoS 2 packets in flight per publisher (mosquitto's default limit is 20, see the report). */
  windowQos2: number;
  outstanding: number;
  perBatch: number;
  mode: GeneratorMode;
  connections: number;
  /** Runs per broker and scenario; tables show the median. */
  rounds: number;
  /** Wall-clock time after which no new run starts. */
  deadline: number;
  /**
   * On a shared machine, wait before each run until fewer cores than this are busy (0: do not
   * wait), for at most `quietWaitSeconds`.
   */
  quietCores: number;
  quietWaitSeconds: number;
}

export interface RunRecord {
  scenario: Scenario;
  broker: BrokerName;
  mode: GeneratorMode;
  /** Which repetition (BENCH_ROUNDS) this run belongs to. */
  round: number;
  result?: LoadResult;
  /** Broker resident set size after the run, in MB. */
  rssMB?: number;
  /** Why the run does not apply to this broker. */
  na?: string;
  error?: string;
  /** The machine did not get quiet before the run (BENCH_QUIET): the busy cores last seen. */
  notQuiet?: number;
}

export interface IdleRecord {
  broker: BrokerName;
  result?: IdleResult;
  na?: string;
  error?: string;
}

let runCounter = 0;

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function loadOptions(s: Scenario, o: BenchOptions, b: RunningBroker, mode: GeneratorMode, ceiling: boolean) {
  const options: LoadOptions = {
    port: b.port,
    mode,
    warmupSeconds: o.warmupSeconds,
    seconds: ceiling ? o.ceilingSeconds : o.seconds,
    drainSeconds: o.drainSeconds,
    payloadSize: o.payloadSize,
    window: s.qos === 2 ? o.windowQos2 : o.window,
    outstanding: o.outstanding,
    perBatch: o.perBatch,
    runId: `bench${process.pid}-${++runCounter}`,
    brokerCpu: () => b.cpuSeconds(),
  };
  return options;
}

function notApplicable(s: Scenario, broker: BrokerName): string | undefined {
  const missing = unavailable(broker);
  if (missing !== undefined) return missing;
  if (broker === 'aedes' && s.shared) return 'aedes 1.x has no shared subscriptions';
  if (broker === 'aedes' && s.level === 5) return 'aedes 1.x speaks MQTT 3.1.1 only';
  if (broker === 'forwarder' && s.shared) return 'the forwarder does not split a group';
  return undefined;
}

export async function runOne(
  s: Scenario,
  broker: BrokerName,
  o: BenchOptions,
  mode: GeneratorMode,
  round = 0,
  profileDir?: string,
): Promise<RunRecord> {
  const record: RunRecord = { scenario: s, broker, mode, round };
  const na = notApplicable(s, broker);
  if (na !== undefined) return { ...record, na };
  if (Date.now() > o.deadline)
    return { ...record, error: 'skipped: over the time budget (BENCH_MAX_SECONDS)' };
  if (o.quietCores > 0) {
    const { quiet, busy } = await waitForQuiet(o.quietCores, o.quietWaitSeconds);
    if (!quiet) record.notQuiet = busy;
  }
  process.stderr.write(`  ${s.label} / ${broker} (${mode}) ...\n`);
  let b: RunningBroker | undefined;
  try {
    b = await startBroker(broker, profileDir === undefined ? {} : { profileDir });
    const options = loadOptions(s, o, b, mode, broker === 'forwarder');
    const limit = (options.warmupSeconds + options.seconds + 2 * options.drainSeconds + 30) * 1000;
    record.result = await withTimeout(runLoad(s, options), limit, `${s.label} on ${broker}`);
    const rss = b.rssKiB();
    if (rss !== undefined) record.rssMB = rss / 1024;
  } catch (err) {
    record.error = text(err);
  } finally {
    await b?.stop();
  }
  return record;
}

export async function runIdleOne(broker: BrokerName, o: BenchOptions): Promise<IdleRecord> {
  const na = unavailable(broker);
  if (na !== undefined) return { broker, na };
  if (Date.now() > o.deadline) return { broker, error: 'skipped: over the time budget (BENCH_MAX_SECONDS)' };
  process.stderr.write(`  idle connections / ${broker} ...\n`);
  let b: RunningBroker | undefined;
  try {
    b = await startBroker(broker);
    const running = b;
    const result = await withTimeout(
      runIdle(running, o.connections, `idle${process.pid}`),
      90_000,
      'idle test',
    );
    return { broker, result };
  } catch (err) {
    return { broker, error: text(err) };
  } finally {
    await b?.stop();
  }
}

/**
 * Runs our broker, the CLI or in Node-RED, under `node --cpu-prof` for one scenario; returns the
 * profile's path.
 */
export async function profileOurs(
  s: Scenario,
  o: BenchOptions,
  broker: 'ours' | 'node-red' = 'ours',
): Promise<{ record: RunRecord; profile?: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt5-bench-prof-'));
  const record = await runOne(s, broker, o, o.mode, 0, dir);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  return file === undefined ? { record, cleanup } : { record, profile: join(dir, file), cleanup };
}
