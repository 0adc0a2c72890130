import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { BenchOptions } from './broker-runs';
import { MOSQUITTO, nodeRedMain, ourCli } from './load/brokers';

/** Versions, machine and settings, printed above the tables. */

function packageVersion(file: string): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') {
      return pkg.version;
    }
  } catch {
    // Only informative.
  }
  return 'unknown';
}

function mosquittoVersion(): string {
  const out = spawnSync(MOSQUITTO, ['-h'], { encoding: 'utf8', timeout: 5000 });
  return /mosquitto version (\S+)/.exec(`${out.stdout ?? ''}${out.stderr ?? ''}`)?.[1] ?? 'not installed';
}

export interface BrokerMeta {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  loadAverage: number[];
  versions: { ours: string; nodeRed: string; aedes: string; mosquitto: string };
}

export function collectBrokerMeta(): BrokerMeta {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
    versions: {
      // dist/bench/broker-meta.js -> the package root is three levels up.
      ours: packageVersion(join(__dirname, '..', '..', 'package.json')),
      nodeRed: packageVersion(join(dirname(nodeRedMain()), 'package.json')),
      aedes: packageVersion(join(dirname(require.resolve('aedes')), 'package.json')),
      mosquitto: mosquittoVersion(),
    },
  };
}

export function brokerMetaLines(meta: BrokerMeta, o: BenchOptions): string[] {
  const v = meta.versions;
  return [
    `node-red-mqtt5 broker benchmark: our CLI broker ${v.ours} vs aedes ${v.aedes} vs mosquitto ${v.mosquitto}`,
    `ours in Node-RED: Node-RED ${v.nodeRed} running one \`mqtt5 broker\` node (persistence "memory",` +
      ' max queued messages 1000: the same settings as the CLI run)',
    'PROTOCOL: every broker is driven at MQTT 3.1.1 (aedes 1.x speaks nothing newer); the "(MQTT 5)" row',
    '  runs ours and mosquitto only.',
    `node ${meta.node} | CPU ${meta.cpu} | ${meta.cores} cores | ${meta.date} | load average ` +
      meta.loadAverage.join(' '),
    `timing: ${o.warmupSeconds} s warm-up, then ${o.seconds} s measured per run (BENCH_WARMUP, BENCH_SECONDS);` +
      ` ceilings ${o.ceilingSeconds} s (BENCH_CEILING_SECONDS); ${o.rounds} round(s) per broker and scenario,` +
      ' median shown (BENCH_ROUNDS)',
    `load: ${o.payloadSize}-byte payloads, up to ${o.perBatch} PUBLISH per write; per publisher at most ` +
      `${o.window} QoS 1 / ${o.windowQos2} QoS 2 packets in flight and ${o.outstanding} messages not yet ` +
      'delivered to every subscriber',
    `generator: our codec, pre-encoded packets, raw sockets; mode "${o.mode}" for the broker runs (BENCH_MODE)`,
    'msgs/s: deliveries per second, all subscribers together; latency: send to receive, at saturation',
    ...(process.env['BENCH_OURS_CLI'] === undefined || process.env['BENCH_OURS_CLI'] === ''
      ? []
      : [`ours: ${ourCli()} (BENCH_OURS_CLI)`]),
  ];
}
