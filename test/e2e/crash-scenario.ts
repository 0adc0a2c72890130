import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from './broker-fixture';

/**
 * The crash scenario shared by the CLI and the Node-RED runs: a QoS 1 publisher sends 10,000
 * messages to an offline persistent-session subscriber; the broker process is killed with SIGKILL
 * part way through and started again on the same data; the subscriber then receives every
 * message the broker had acknowledged, in order.
 */

export interface BrokerProcess {
  child: ChildProcess;
  url: string;
}

const TOTAL = 10_000;
const KILL_AFTER = 3000;

export function kill(p: BrokerProcess): Promise<void> {
  return new Promise((done) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return done();
    p.child.once('exit', () => done());
    p.child.kill('SIGKILL');
  });
}

function connect(url: string, clientId: string, clean: boolean): Promise<MqttClient> {
  return new Promise((ok, fail) => {
    const client = mqtt.connect(url, {
      clientId,
      clean,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    client.once('connect', () => ok(client));
    client.once('error', fail);
  });
}

/** Runs the scenario; `start` starts the broker process on the same data each time. */
export async function runCrashScenario(
  start: () => Promise<BrokerProcess>,
  processes: BrokerProcess[],
  clients: MqttClient[],
): Promise<void> {
  const first = await start();
  processes.push(first);

  // The subscriber makes its persistent session, then goes away.
  const sub = await connect(first.url, 'crash-sub', false);
  await sub.subscribeAsync('crash/t', { qos: 1 });
  await sub.endAsync();

  // The publisher keeps 200 QoS 1 messages in flight; the broker is killed part way through.
  const pub = await connect(first.url, 'crash-pub', true);
  clients.push(pub);
  pub.on('error', () => {});
  const acked: number[] = [];
  let sent = 0;
  const publishNext = (): void => {
    while (sent < TOTAL && sent - acked.length < 200) {
      const n = sent++;
      pub.publish('crash/t', String(n), { qos: 1 }, (err) => {
        if (err === undefined || err === null) acked.push(n);
        publishNext();
      });
    }
  };
  publishNext();
  await waitFor(() => acked.length >= KILL_AFTER, 60000, `${KILL_AFTER} acknowledgements`);
  await kill(first);
  const ackedAtKill = [...acked];
  assert.ok(ackedAtKill.length < TOTAL, 'the kill came before the end of the stream');

  // Restart on the same data; the subscriber resumes its session.
  const second = await start();
  processes.push(second);
  const received: number[] = [];
  const again = mqtt.connect(second.url, {
    clientId: 'crash-sub',
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 0,
  });
  clients.push(again);
  again.on('message', (_topic, payload) => received.push(Number(payload.toString())));
  const last = ackedAtKill[ackedAtKill.length - 1] ?? 0;
  await waitFor(() => received.includes(last), 60000, `message ${last}`);

  // Every acknowledged message arrived, and in order (a QoS 1 resend may repeat one).
  const seen = new Set(received);
  const missing = ackedAtKill.filter((n) => !seen.has(n));
  assert.deepEqual(missing, [], `${missing.length} of ${ackedAtKill.length} acknowledged messages lost`);
  const firstSeen = received.filter((n, i) => received.indexOf(n) === i);
  for (let i = 1; i < firstSeen.length; i++) {
    const [a, b] = [firstSeen[i - 1] ?? 0, firstSeen[i] ?? 0];
    assert.ok(b > a, `out of order at ${i}: ${a} then ${b}`);
  }
}
