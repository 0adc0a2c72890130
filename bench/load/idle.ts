import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:net';
import type { ProtocolLevel } from '../../src/protocol';
import type { RunningBroker } from './brokers';
import { sleep } from './clock';
import { connectBytes } from './packets';
import { openSocket, withTimeout } from './socket';

/**
 * Idle connections: open `count` connections, CONNECT each and wait for its CONNACK, let the broker
 * settle, and compare its resident set size with the one before. Connections open in waves, so the
 * listen backlog never overflows.
 */

export interface IdleResult {
  connections: number;
  beforeKiB: number;
  afterKiB: number;
  perConnectionKiB: number;
  connectSeconds: number;
}

const WAVE = 250;
const SETTLE_MS = 1500;

/** The soft limit on open files for processes started from here (the brokers inherit it too). */
export function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

function connected(socket: Socket, clientId: string, level: ProtocolLevel): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => {
      if (chunk[0] === 0x20 && chunk[3] === 0) resolve();
      else
        reject(
          new Error(`${clientId}: no CONNACK accepting it (got ${chunk.subarray(0, 4).toString('hex')})`),
        );
    });
    socket.once('error', reject);
    socket.write(connectBytes(clientId, level));
  });
}

async function openOne(port: number, clientId: string, level: ProtocolLevel, sockets: Socket[]) {
  const socket = await openSocket(port, 10_000);
  sockets.push(socket);
  await withTimeout(connected(socket, clientId, level), 10_000, `CONNACK for ${clientId}`);
}

export async function runIdle(
  broker: RunningBroker,
  count: number,
  runId: string,
  level: ProtocolLevel = 4,
): Promise<IdleResult> {
  await sleep(500);
  const beforeKiB = broker.rssKiB() ?? 0;
  const sockets: Socket[] = [];
  const started = Date.now();
  try {
    for (let first = 0; first < count; first += WAVE) {
      const wave: Promise<void>[] = [];
      for (let i = first; i < Math.min(count, first + WAVE); i++) {
        wave.push(openOne(broker.port, `${runId}-idle-${i}`, level, sockets));
      }
      await Promise.all(wave);
    }
    const connectSeconds = (Date.now() - started) / 1000;
    await sleep(SETTLE_MS);
    const afterKiB = broker.rssKiB() ?? 0;
    const perConnectionKiB = (afterKiB - beforeKiB) / count;
    return { connections: count, beforeKiB, afterKiB, perConnectionKiB, connectSeconds };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
