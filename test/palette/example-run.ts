import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { NodeRedRuntime } from '../../nodes/build/demo-runtime';
import { deploy, pressInject } from './admin-api';
import { type DebugMessage, type DebugSidebar, watchDebug } from './debug-sidebar';
import { makeCertificate, usingCertificate } from './example-certificate';
import { type FlowNode, onFreePorts } from './example-flow';
import { isRecord } from './packed-package';

/**
 * Runs one shipped example in an installed Node-RED: deploys it as the editor imports it (its
 * broker on free ports; a fresh self-signed certificate where it has `tls-config` nodes), lets an
 * expectation press its buttons and watch its Debug sidebar and its broker from outside, then
 * deploys an empty flow to stop it. Everything is bounded by one deadline per example; a failure
 * names the example and says what the Debug sidebar showed.
 */

/** What a debug node showed, decoded: the whole msg for "complete msg object", else the property. */
export interface Shown {
  topic: string;
  value: unknown;
}

/** What an expectation can do with the running example. */
export interface ExampleRun {
  readonly name: string;
  /** The free port the example's listener on `port` was moved to. */
  port(port: number): number;
  /** The certificate the example's `tls-config` nodes use, for a client that trusts it. */
  certificate(): Buffer;
  /** What debug node `id` has shown so far, oldest first. */
  shown(id: string): Shown[];
  /** Presses an inject node's button. */
  press(id: string): Promise<void>;
  /** Waits until `check` holds. */
  until(check: () => boolean, what: string): Promise<void>;
  /** Does `step` every `RETRY_MS` until `check` holds: for what waits on a subscription being made. */
  repeatUntil(step: () => Promise<void>, check: () => boolean, what: string): Promise<void>;
  /** Presses `id` every `RETRY_MS` until `check` holds. */
  pressUntil(id: string, check: () => boolean, what: string): Promise<void>;
  /** Lets `ms` pass, e.g. before asserting that something did not arrive. */
  pause(ms: number): Promise<void>;
  /** An MQTT 5 client (MQTT.js) of the test, ended with the run; retried while the port refuses. */
  connect(url: string, options?: IClientOptions): Promise<MqttClient>;
  /** The CONNACK reason code with which the broker refuses this client (0 if it accepts it). */
  refusal(url: string, options?: IClientOptions): Promise<number>;
}

export type Expectation = (run: ExampleRun) => Promise<void>;

/** A PUBLISH that a client of the test received. */
export interface Received {
  topic: string;
  payload: string;
  userProperties: Record<string, string | string[]>;
  contentType: string | undefined;
  correlationData: Buffer | undefined;
  retain: boolean;
}

/** A `message` listener for an MQTT.js client that records into `into`. */
export function recordInto(into: Received[]) {
  return (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    into.push({
      topic,
      payload: payload.toString('utf8'),
      userProperties: packet.properties?.userProperties ?? {},
      contentType: packet.properties?.contentType,
      correlationData: packet.properties?.correlationData,
      retain: packet.retain,
    });
  };
}

/** The `msg.<name>` a "complete msg object" debug node showed. */
export function field(shown: Shown | undefined, name: string): unknown {
  return isRecord(shown?.value) ? shown.value[name] : undefined;
}

/** How long a retried step waits for its effect before doing it again. */
const RETRY_MS = 400;

/** The bound on the empty deploy that stops an example, and on closing the test's clients. */
const STOP_BOUND_MS = 10000;

/** The flows of a deploy (or of the empty deploy that stops them) have started. */
const STARTED = 'Started flows';

function decode(message: DebugMessage): unknown {
  if (message.format === 'Object' || message.format.startsWith('array')) {
    try {
      return JSON.parse(message.msg);
    } catch {
      return message.msg;
    }
  }
  if (message.format === 'number') return Number(message.msg);
  if (message.format === 'boolean') return message.msg === 'true';
  return message.msg;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function reasonCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** The run's state and its bounded waits. */
class Run implements ExampleRun {
  readonly clients: MqttClient[] = [];
  private finished = false;
  private clientCount = 0;

  constructor(
    readonly name: string,
    private readonly runtime: NodeRedRuntime,
    private readonly ports: Map<number, number>,
    private readonly pem: Buffer | undefined,
    private readonly sidebar: DebugSidebar,
    private readonly deadline: number,
  ) {}

  port(port: number): number {
    const moved = this.ports.get(port);
    if (moved === undefined) throw new Error(`the example has no listener on ${port}`);
    return moved;
  }

  certificate(): Buffer {
    if (this.pem === undefined) throw new Error('the example has no tls-config node');
    return this.pem;
  }

  shown(id: string): Shown[] {
    return this.sidebar.messages
      .filter((message) => message.id === id)
      .map((message) => ({ topic: message.topic, value: decode(message) }));
  }

  press(id: string): Promise<void> {
    return pressInject(this.runtime, id);
  }

  async until(check: () => boolean, what: string): Promise<void> {
    while (!check()) {
      this.checkTime(what);
      await sleep(20);
    }
  }

  async repeatUntil(step: () => Promise<void>, check: () => boolean, what: string): Promise<void> {
    while (!check()) {
      this.checkTime(what);
      await step();
      const next = Math.min(Date.now() + RETRY_MS, this.deadline);
      while (!check() && Date.now() < next) await sleep(20);
    }
  }

  pressUntil(id: string, check: () => boolean, what: string): Promise<void> {
    return this.repeatUntil(() => this.press(id), check, what);
  }

  async pause(ms: number): Promise<void> {
    this.checkTime(`a pause of ${ms} ms`, ms);
    await sleep(ms);
  }

  async connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
    for (;;) {
      try {
        return await this.connectOnce(url, options);
      } catch (error) {
        if (reasonCode(error) !== 'ECONNREFUSED') throw error;
        this.checkTime(`${url} to accept connections`);
        await sleep(50);
      }
    }
  }

  async refusal(url: string, options: IClientOptions = {}): Promise<number> {
    try {
      const client = await this.connectOnce(url, options);
      await client.endAsync(true);
      return 0;
    } catch (error) {
      const code = reasonCode(error);
      if (typeof code !== 'number') throw error;
      return code;
    }
  }

  /** Ends the run: its loops stop at their next turn, its clients are closed. */
  async finish(): Promise<void> {
    this.finished = true;
    const ended = Promise.all(this.clients.map((client) => client.endAsync(true)));
    const limit = bound(STOP_BOUND_MS, 'closing the MQTT.js clients');
    try {
      await Promise.race([ended, limit.expired]);
    } finally {
      limit.cancel();
    }
  }

  /** What the Debug sidebar showed, for a failure. */
  seen(): string {
    const lines = this.sidebar.messages.map(
      (message) => `${message.id} [${message.topic}] ${message.msg.slice(0, 160)}`,
    );
    return lines.length === 0 ? '(nothing)' : lines.join('\n  ');
  }

  private connectOnce(url: string, options: IClientOptions): Promise<MqttClient> {
    const remaining = this.deadline - Date.now();
    this.checkTime(`a connection to ${url}`);
    this.clientCount++;
    const client = mqtt.connect(url, {
      protocolVersion: 5,
      clientId: `palette-${process.pid}-${this.clientCount}`,
      reconnectPeriod: 0,
      connectTimeout: Math.max(remaining, 1),
      ...options,
    });
    this.clients.push(client);
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve(client));
      client.once('error', (error) => {
        client.end(true);
        reject(error);
      });
      client.once('close', () => reject(new Error(`${url} closed the connection before CONNACK`)));
    });
  }

  private checkTime(what: string, needed = 0): void {
    if (this.finished) throw new Error(`the run ended while waiting for ${what}`);
    if (Date.now() + needed > this.deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Fails after `ms`, naming `what`; `cancel` stops the timer. */
function bound(ms: number, what: string): { expired: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

/** Waits until Node-RED has logged "Started flows" after the output's first `from` characters. */
async function started(runtime: NodeRedRuntime, from: number, what: string, deadline: number): Promise<void> {
  while (!runtime.output().slice(from).includes(STARTED)) {
    if (Date.now() > deadline) throw new Error(`Node-RED did not log "${STARTED}" after ${what}`);
    await sleep(20);
  }
}

/**
 * Deploys the example `name` (the flow `imported`, as the editor imports it) and runs `expect` on
 * it within `boundMs`, then stops it with an empty deploy. Throws, naming the example, when the
 * expectation fails or times out, or when Node-RED logged an error meanwhile.
 */
export async function runExample(
  runtime: NodeRedRuntime,
  name: string,
  imported: unknown[],
  expect: Expectation,
  boundMs: number,
): Promise<void> {
  if (!imported.every(isRecord)) throw new Error(`example ${name}: not a list of nodes`);
  const deadline = Date.now() + boundMs;
  const moved = await onFreePorts(imported);
  let flow: FlowNode[] = moved.flow;
  let pem: Buffer | undefined;
  if (flow.some((node) => node['type'] === 'tls-config')) {
    const certificate = makeCertificate();
    flow = usingCertificate(flow, certificate);
    pem = certificate.pem;
  }
  const from = runtime.output().length;
  const sidebar = await watchDebug(runtime.url);
  const run = new Run(name, runtime, moved.ports, pem, sidebar, deadline);
  // A step that hangs past the deadline (a refused socket that never closes, …) fails the run too.
  const limit = bound(boundMs + 2000, `example ${name}`);
  let failure: Error | undefined;
  try {
    const work = (async () => {
      await deploy(runtime, flow);
      await started(runtime, from, 'the deploy', deadline);
      await expect(run);
    })();
    await Promise.race([work, limit.expired]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    failure = new Error(`example ${name}: ${reason}\nthe Debug sidebar showed:\n  ${run.seen()}`);
  } finally {
    limit.cancel();
    await run.finish();
    sidebar.close();
  }
  // Stopped here, its errors on closing are its own, and the next example starts on an empty runtime.
  try {
    const stopping = runtime.output().length;
    await deploy(runtime, []);
    await started(runtime, stopping, 'the empty deploy that stops it', Date.now() + STOP_BOUND_MS);
  } catch (error) {
    if (failure === undefined) throw new Error(`example ${name}: ${String(error)}`);
  }
  if (failure !== undefined) throw failure;
  const errors = runtime
    .output()
    .slice(from)
    .split('\n')
    .filter((line) => line.includes('[error]'));
  if (errors.length > 0) throw new Error(`example ${name}: Node-RED logged errors:\n${errors.join('\n')}`);
}
