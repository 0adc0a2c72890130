import type { QoS } from '../src/protocol';
import { type Direction, harnessNodeId, type Side, topicOf } from './client-flows';
import { CountPublisher, CountSubscriber } from './client-peers';
import { admin, type Child, type NodeRed } from './client-procs';
import { wallClock } from './client-seq';
import { sleep } from './load/clock';
import { withTimeout } from './load/socket';

/**
 * One run of `npm run bench:client`: N msgs through one side's nodes in one direction, timed
 * end to end, with every msg accounted for by its sequence number.
 * - tx: `bench burst` emits N msgs into `mqtt out` / `mqtt5 out`; a raw-socket subscriber outside
 *   Node-RED receives them; the time runs from the first msg emitted to the last one received.
 * - rx: a raw-socket publisher outside Node-RED sends N msgs; `mqtt in` / `mqtt5 in` hands them
 *   to `bench counter`; the time runs from the first publish written to the last msg counted.
 */

export interface Scenario {
  id: string;
  direction: Direction;
  qos: QoS;
  label: string;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'tx-q0', direction: 'tx', qos: 0, label: 'publish (out) QoS 0' },
  { id: 'tx-q1', direction: 'tx', qos: 1, label: 'publish (out) QoS 1' },
  { id: 'rx-q0', direction: 'rx', qos: 0, label: 'receive (in) QoS 0' },
  { id: 'rx-q1', direction: 'rx', qos: 1, label: 'receive (in) QoS 1' },
];

export interface RunOptions {
  messages: number;
  warmupMessages: number;
  payloadSize: number;
  /** Msgs `bench burst` emits per event-loop turn. */
  burstBatch: number;
  /** QoS 1 publishes the external publisher keeps unacknowledged, at most. */
  window: number;
  /** Longest wait for one run's msgs, in ms. */
  timeoutMs: number;
}

export interface RunResult {
  scenario: string;
  side: Side | 'raw';
  round: number;
  messages: number;
  /** Delivered msgs per second, end to end. */
  rate?: number;
  seconds?: number;
  lost: number;
  duplicates: number;
  malformed: number;
  /** Node-RED's CPU time (user + system) per msg over the run, in µs. */
  cpuUsPerMsg?: number;
  /** mosquitto's, likewise. */
  brokerCpuUsPerMsg?: number;
  error?: string;
}

let clients = 0;

function clientId(what: string): string {
  clients++;
  return `bench-client-${what}-${process.pid}-${clients}`;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function numberField(value: unknown, key: string): number {
  if (typeof value === 'object' && value !== null && key in value) {
    const field: unknown = Reflect.get(value, key);
    if (typeof field === 'number') return field;
  }
  throw new Error(`the harness answered without ${key}: ${JSON.stringify(value)}`);
}

interface Counted {
  distinct: number;
  duplicates: number;
  malformed: number;
  completeAt: number;
}

function counted(value: unknown): Counted {
  return {
    distinct: numberField(value, 'distinct'),
    duplicates: numberField(value, 'duplicates'),
    malformed: numberField(value, 'malformed'),
    completeAt: numberField(value, 'completeAt'),
  };
}

const SETTLE_MS = 300;

/** The two child processes a run drives. */
export interface Rig {
  red: NodeRed;
  mqtt: Child;
}

interface CpuPerMsg {
  cpuUsPerMsg?: number;
  brokerCpuUsPerMsg?: number;
}

/** Starts counting both processes' CPU time; the returned function gives µs per msg since. */
function cpuMeter(rig: Rig): (n: number) => CpuPerMsg {
  const red = rig.red.cpuSeconds();
  const mqtt = rig.mqtt.cpuSeconds();
  const per = (before: number | undefined, after: number | undefined, n: number) =>
    before === undefined || after === undefined || n === 0 ? undefined : ((after - before) * 1e6) / n;
  return (n) => {
    const out: CpuPerMsg = {};
    const node = per(red, rig.red.cpuSeconds(), n);
    const broker = per(mqtt, rig.mqtt.cpuSeconds(), n);
    if (node !== undefined) out.cpuUsPerMsg = node;
    if (broker !== undefined) out.brokerCpuUsPerMsg = broker;
    return out;
  };
}

/** tx: burst → out node → mosquitto → raw subscriber. */
async function runTx(rig: Rig, side: Side, qos: QoS, n: number, o: RunOptions) {
  const { red, mqtt } = rig;
  const sub = await CountSubscriber.connect(mqtt.port, clientId('sub'), topicOf('tx', side, qos), qos);
  try {
    const arrived = sub.expect(n);
    const cpu = cpuMeter(rig);
    const query = `n=${n}&batch=${o.burstBatch}&size=${o.payloadSize}`;
    const started = await admin(
      red.admin,
      'POST',
      `/bench-client/burst/${harnessNodeId('tx', side, qos)}?${query}`,
    );
    const startedAt = numberField(started, 'startedAt');
    let error: string | undefined;
    try {
      await withTimeout(arrived, o.timeoutMs, `${n} msgs at the subscriber`);
    } catch (err) {
      error = text(err);
    }
    const cpuPerMsg = cpu(n);
    const first = sub.snapshot();
    if (error === undefined) await sleep(SETTLE_MS);
    const last = sub.snapshot();
    return {
      error,
      startedAt,
      completeAt: first.completeAt,
      distinct: last.distinct,
      duplicates: last.duplicates,
      malformed: last.malformed,
      cpuPerMsg,
    };
  } finally {
    sub.close();
  }
}

/** rx: raw publisher → mosquitto → in node → counter. */
async function runRx(rig: Rig, side: Side, qos: QoS, n: number, o: RunOptions) {
  const { red, mqtt } = rig;
  const pub = await CountPublisher.connect(mqtt.port, clientId('pub'));
  try {
    const counter = `/bench-client/counter/${harnessNodeId('rx', side, qos)}`;
    await admin(red.admin, 'POST', `${counter}/reset?target=${n}`);
    const cpu = cpuMeter(rig);
    const result = admin(red.admin, 'GET', `${counter}?waitMs=${o.timeoutMs}`, o.timeoutMs + 5000);
    const sent = await pub.send(topicOf('rx', side, qos), qos, n, o.payloadSize, o.window);
    const first = counted(await result);
    const cpuPerMsg = cpu(n);
    const complete = first.distinct >= n;
    if (complete) await sleep(SETTLE_MS);
    const last = counted(await admin(red.admin, 'GET', counter));
    return {
      error: complete ? undefined : `${first.distinct} of ${n} msgs counted within ${o.timeoutMs} ms`,
      startedAt: sent.startedAt,
      completeAt: first.completeAt,
      distinct: last.distinct,
      duplicates: last.duplicates,
      malformed: last.malformed,
      cpuPerMsg,
    };
  } finally {
    pub.close();
  }
}

/** One run, its figures; never throws (a failure is the run's `error`). */
export async function runOne(
  rig: Rig,
  scenario: Scenario,
  side: Side,
  round: number,
  o: RunOptions,
  n = o.messages,
): Promise<RunResult> {
  const base: RunResult = {
    scenario: scenario.id,
    side,
    round,
    messages: n,
    lost: n,
    duplicates: 0,
    malformed: 0,
  };
  try {
    const run = scenario.direction === 'tx' ? runTx : runRx;
    const r = await run(rig, side, scenario.qos, n, o);
    const result: RunResult = {
      ...base,
      lost: Math.max(0, n - r.distinct),
      duplicates: r.duplicates,
      malformed: r.malformed,
    };
    Object.assign(result, r.cpuPerMsg);
    if (r.error !== undefined) result.error = r.error;
    else if (r.completeAt > r.startedAt) {
      result.seconds = (r.completeAt - r.startedAt) / 1000;
      result.rate = n / result.seconds;
    }
    return result;
  } catch (err) {
    return { ...base, error: text(err) };
  }
}

/**
 * Waits until msgs flow through one side's node for a scenario (the connection is up and the
 * subscription in place), sending single msgs until one arrives; then lets stragglers settle.
 */
export async function probe(rig: Rig, scenario: Scenario, side: Side, seconds = 30) {
  const { red, mqtt } = rig;
  const deadline = Date.now() + seconds * 1000;
  const { direction, qos } = scenario;
  if (direction === 'tx') {
    const sub = await CountSubscriber.connect(mqtt.port, clientId('probe'), topicOf('tx', side, qos), qos);
    try {
      const arrived = sub.expect(1);
      while (sub.snapshot().distinct === 0) {
        if (Date.now() > deadline)
          throw new Error(`${side} ${scenario.label}: no msg came through in ${seconds} s`);
        await admin(red.admin, 'POST', `/bench-client/burst/${harnessNodeId('tx', side, qos)}?n=1&size=16`);
        await Promise.race([arrived, sleep(250)]);
      }
    } finally {
      sub.close();
    }
  } else {
    const pub = await CountPublisher.connect(mqtt.port, clientId('probe'));
    const counter = `/bench-client/counter/${harnessNodeId('rx', side, qos)}`;
    try {
      await admin(red.admin, 'POST', `${counter}/reset?target=1`);
      for (;;) {
        if (Date.now() > deadline)
          throw new Error(`${side} ${scenario.label}: no msg came through in ${seconds} s`);
        await pub.send(topicOf('rx', side, qos), qos, 1, 16, 1);
        if (counted(await admin(red.admin, 'GET', `${counter}?waitMs=250`)).distinct > 0) break;
      }
    } finally {
      pub.close();
    }
  }
  await sleep(SETTLE_MS);
}

/** The load generator's own ceiling: raw publisher → mosquitto → raw subscriber, no Node-RED. */
export async function runCeiling(mqtt: Child, qos: QoS, o: RunOptions): Promise<RunResult> {
  const n = o.messages;
  const base: RunResult = {
    scenario: `raw-q${qos}`,
    side: 'raw',
    round: 0,
    messages: n,
    lost: n,
    duplicates: 0,
    malformed: 0,
  };
  const topic = `bench/raw/q${qos}`;
  let sub: CountSubscriber | undefined;
  let pub: CountPublisher | undefined;
  try {
    sub = await CountSubscriber.connect(mqtt.port, clientId('raw-sub'), topic, qos);
    pub = await CountPublisher.connect(mqtt.port, clientId('raw-pub'));
    const arrived = sub.expect(n);
    const before = mqtt.cpuSeconds();
    const startedAt = wallClock();
    await pub.send(topic, qos, n, o.payloadSize, o.window);
    await withTimeout(arrived, o.timeoutMs, `${n} msgs at the raw subscriber`);
    const f = sub.snapshot();
    const after = mqtt.cpuSeconds();
    const seconds = (f.completeAt - startedAt) / 1000;
    const result: RunResult = {
      ...base,
      lost: n - f.distinct,
      duplicates: f.duplicates,
      malformed: f.malformed,
      seconds,
      rate: n / seconds,
    };
    if (before !== undefined && after !== undefined) result.brokerCpuUsPerMsg = ((after - before) * 1e6) / n;
    return result;
  } catch (err) {
    return { ...base, error: text(err) };
  } finally {
    sub?.close();
    pub?.close();
  }
}

/** Starts V8's profiler inside Node-RED (see ./client-nodes). */
export async function profileStart(red: NodeRed, intervalUs: number): Promise<void> {
  await admin(red.admin, 'POST', `/bench-client/profile/start?intervalUs=${intervalUs}`);
}

export async function profileStop(red: NodeRed, file: string): Promise<void> {
  await admin(red.admin, 'POST', `/bench-client/profile/stop?file=${encodeURIComponent(file)}`, 60_000);
}
