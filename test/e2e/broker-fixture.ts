import { execFileSync } from 'node:child_process';
import { Broker, type BrokerOptions } from '../../src/broker/broker';
import type { BrokerEvent } from '../../src/broker/types';
import { BrokerServer } from '../../src/server/broker-server';

/** A real broker on 127.0.0.1 and a free port, for tests with independent peers. */
export interface RunningBroker {
  engine: Broker;
  server: BrokerServer;
  port: number;
  url: string;
  events: BrokerEvent[];
  close(): Promise<void>;
}

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const engine = new Broker({ ...options, config: { sysInterval: 0, ...options.config } });
  const server = new BrokerServer(engine, { tickInterval: 100 });
  const events: BrokerEvent[] = [];
  server.on('event', (e) => events.push(e));
  const { port } = await server.listen({ name: 'tcp', type: 'tcp', host: '127.0.0.1', port: 0 });
  return {
    engine,
    server,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    events,
    close: () => server.close(),
  };
}

/** Fails loudly when a peer the test needs is not installed (.ci/run installs it). */
export function requireCommand(command: string, hint: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'pipe' });
  } catch {
    throw new Error(`${command} is not installed: ${hint}`);
  }
}

/** Resolves when `check()` is true, polling; rejects after `ms`. */
export async function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
