import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttClient, type MqttClientOptions } from '../../src/client';
import type { PublishPacket } from '../../src/protocol/types';

/** Helpers for the client's end-to-end tests: client tracking, message collection, mosquitto. */

export class Clients {
  private readonly all: MqttClient[] = [];

  make(options: MqttClientOptions): MqttClient {
    const client = new MqttClient({ reconnect: { minDelayMs: 50, maxDelayMs: 200 }, ...options });
    this.all.push(client);
    return client;
  }

  async connect(options: MqttClientOptions): Promise<MqttClient> {
    const client = this.make(options);
    await client.connectOnce();
    return client;
  }

  async endAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((c) => c.end()));
  }
}

export interface Received {
  message: PublishPacket;
  subscribers: string[];
}

export function collect(client: MqttClient): Received[] {
  const out: Received[] = [];
  client.on('message', (message, subscribers) => out.push({ message, subscribers }));
  return out;
}

export async function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const MOSQUITTO = '/usr/sbin/mosquitto';

/** A real mosquitto on 127.0.0.1:`port`, anonymous, with persistence in memory only. */
export class Mosquitto {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'mqtt5-client-mosquitto-'));
  output = '';

  constructor(readonly port: number) {
    if (!existsSync(MOSQUITTO)) {
      throw new Error(
        `mosquitto is not installed at ${MOSQUITTO}: install it (.ci/run does) to run these tests`,
      );
    }
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(conf, `listener ${this.port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    const deadline = Date.now() + 5000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`mosquitto did not start on port ${this.port}: ${this.output}`);
      }
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
