/**
 * Two tiny Node-RED nodes for `npm run bench:client`, loaded into the benchmark's Node-RED from its
 * user directory (a stub there requires this built file). They stand in for the inject and
 * function nodes a user would wire, at a fraction of their cost, so that the measured time is
 * spent in the MQTT nodes under test rather than in the harness:
 *
 * - `bench burst` emits N msgs when told to through the admin API, `batch` per event-loop turn.
 *   Each payload is a string of `size` characters: the sequence number as 10 zero-padded digits,
 *   then 'x' padding.
 * - `bench counter` reads the sequence number back from each msg's payload (a string or a
 *   Buffer), counts distinct msgs, duplicates and malformed payloads, and notes when the last
 *   awaited msg arrived.
 *
 * Admin API (no body; parameters in the query string; times are ms on the wall clock with
 * sub-ms resolution, `performance.timeOrigin + performance.now()`):
 * - `POST /bench-client/burst/:id?n=&batch=&size=` starts a burst: `{ startedAt }`.
 * - `GET  /bench-client/burst/:id`: `{ emitted, startedAt, emittedAt }`.
 * - `POST /bench-client/counter/:id/reset?target=` clears the counter and sets how many to await.
 * - `GET  /bench-client/counter/:id?waitMs=` answers once the target is reached (or after
 *   `waitMs`, at most 120 s; at once without it): the counter's figures.
 * - `POST /bench-client/profile/start?intervalUs=` starts V8's CPU profiler in this process (the
 *   profiler `node --cpu-prof` uses, but only around the runs of interest, not Node-RED's start);
 *   `POST /bench-client/profile/stop?file=` stops it and writes the `.cpuprofile` to `file`.
 */

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { NodeAPI, NodeDefinition, NodeInstance, NodeMessage } from '../nodes/lib/node-red-types';
import { payloadText, readSeq, SEQ_DIGITS, SeenSet, wallClock } from './client-seq';

/** The few parts of Express that the routes use. */
interface Request {
  params: Record<string, string | undefined>;
  query: Record<string, unknown>;
}

interface Response {
  status(code: number): Response;
  json(body: unknown): void;
}

type Handler = (req: Request, res: Response) => void;

interface AdminApp {
  get(path: string, handler: Handler): void;
  post(path: string, handler: Handler): void;
}

const MAX_WAIT_MS = 120_000;

interface CounterFigures {
  target: number;
  distinct: number;
  duplicates: number;
  malformed: number;
  /** Wall-clock ms of the first msg, the latest msg, and the msg that reached the target (0: none yet). */
  firstAt: number;
  lastAt: number;
  completeAt: number;
}

interface BurstFigures {
  emitted: number;
  startedAt: number;
  /** When the last msg of the burst was handed to Node-RED (0 while it runs). */
  emittedAt: number;
}

class Counter {
  private seen = new SeenSet();
  private figures: CounterFigures = Counter.fresh(0);
  private waiters: Array<() => void> = [];

  private static fresh(target: number): CounterFigures {
    return { target, distinct: 0, duplicates: 0, malformed: 0, firstAt: 0, lastAt: 0, completeAt: 0 };
  }

  reset(target: number): void {
    this.seen = new SeenSet();
    this.figures = Counter.fresh(target);
    this.wake();
  }

  record(payload: unknown): void {
    const f = this.figures;
    const now = wallClock();
    if (f.firstAt === 0) f.firstAt = now;
    f.lastAt = now;
    const seq = readSeq(payload);
    if (seq < 0) {
      f.malformed++;
      return;
    }
    if (!this.seen.add(seq)) {
      f.duplicates = this.seen.duplicates;
      return;
    }
    f.distinct = this.seen.distinct;
    if (f.distinct === f.target) {
      f.completeAt = now;
      this.wake();
    }
  }

  get complete(): boolean {
    return this.figures.target > 0 && this.figures.distinct >= this.figures.target;
  }

  snapshot(): CounterFigures {
    return { ...this.figures };
  }

  /** Resolves once complete, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.complete || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(finish);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

class Burst {
  private figures: BurstFigures = { emitted: 0, startedAt: 0, emittedAt: 0 };
  private running = false;

  constructor(private readonly node: NodeInstance) {}

  /** Starts emitting `n` msgs; false when a burst is already running. */
  start(n: number, batch: number, size: number): BurstFigures | undefined {
    if (this.running) return undefined;
    this.running = true;
    const padding = 'x'.repeat(Math.max(0, size - SEQ_DIGITS));
    const f: BurstFigures = { emitted: 0, startedAt: wallClock(), emittedAt: 0 };
    this.figures = f;
    const step = (): void => {
      const end = Math.min(n, f.emitted + batch);
      for (let seq = f.emitted; seq < end; seq++) this.node.send({ payload: payloadText(seq, padding) });
      f.emitted = end;
      if (end < n) {
        setImmediate(step);
      } else {
        f.emittedAt = wallClock();
        this.running = false;
      }
    };
    step();
    return { ...f };
  }

  snapshot(): BurstFigures {
    return { ...this.figures };
  }
}

function queryNumber(req: Request, name: string, fallback: number): number {
  const raw = req.query[name];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

/** An Express app is a function with methods. */
function isAdminApp(value: unknown): value is AdminApp {
  return (
    (typeof value === 'function' || (typeof value === 'object' && value !== null)) &&
    'get' in value &&
    typeof value.get === 'function' &&
    'post' in value &&
    typeof value.post === 'function'
  );
}

/** Sends one inspector command; resolves with its result. */
function post(session: Session, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (err, result) => (err === null ? resolve(result) : reject(err)));
  });
}

/** V8's sampling CPU profiler over the inspector protocol, in this very process. */
class Profiler {
  private session: Session | undefined;

  async start(intervalUs: number): Promise<void> {
    if (this.session !== undefined) throw new Error('the profiler is running');
    const session = new Session();
    session.connect();
    this.session = session;
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: intervalUs });
    await post(session, 'Profiler.start');
  }

  async stop(file: string): Promise<void> {
    const session = this.session;
    if (session === undefined) throw new Error('the profiler is not running');
    this.session = undefined;
    try {
      const result = await post(session, 'Profiler.stop');
      const profile =
        typeof result === 'object' && result !== null && 'profile' in result ? result.profile : undefined;
      if (profile === undefined) throw new Error('the profiler returned no profile');
      writeFileSync(file, JSON.stringify(profile));
    } finally {
      session.disconnect();
    }
  }
}

function fail(res: Response, err: unknown): void {
  res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
}

function register(RED: NodeAPI & { httpAdmin?: unknown }): void {
  const counters = new Map<string, Counter>();
  const bursts = new Map<string, Burst>();

  function CounterNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const counter = new Counter();
    counters.set(this.id, counter);
    this.on('input', (msg: NodeMessage, _send, done) => {
      counter.record(msg.payload);
      done();
    });
    this.on('close', (_removed, done) => {
      if (counters.get(this.id) === counter) counters.delete(this.id);
      done();
    });
  }

  function BurstNode(this: NodeInstance, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const burst = new Burst(this);
    bursts.set(this.id, burst);
    this.on('close', (_removed, done) => {
      if (bursts.get(this.id) === burst) bursts.delete(this.id);
      done();
    });
  }

  RED.nodes.registerType('bench counter', CounterNode);
  RED.nodes.registerType('bench burst', BurstNode);

  const app = RED.httpAdmin;
  if (!isAdminApp(app)) throw new Error('bench nodes: Node-RED runs without its admin API');
  const missing = (res: Response) => res.status(404).json({ error: 'no such node' });

  app.post('/bench-client/burst/:id', (req, res) => {
    const burst = bursts.get(req.params['id'] ?? '');
    if (burst === undefined) return missing(res);
    const started = burst.start(
      queryNumber(req, 'n', 1),
      Math.max(1, queryNumber(req, 'batch', 100)),
      queryNumber(req, 'size', 64),
    );
    if (started === undefined) res.status(409).json({ error: 'a burst is running' });
    else res.json(started);
  });
  app.get('/bench-client/burst/:id', (req, res) => {
    const burst = bursts.get(req.params['id'] ?? '');
    if (burst === undefined) return missing(res);
    res.json(burst.snapshot());
  });
  app.post('/bench-client/counter/:id/reset', (req, res) => {
    const counter = counters.get(req.params['id'] ?? '');
    if (counter === undefined) return missing(res);
    counter.reset(queryNumber(req, 'target', 0));
    res.json(counter.snapshot());
  });
  app.get('/bench-client/counter/:id', (req, res) => {
    const counter = counters.get(req.params['id'] ?? '');
    if (counter === undefined) return missing(res);
    const ms = Math.min(MAX_WAIT_MS, queryNumber(req, 'waitMs', 0));
    void counter.wait(ms).then(() => res.json(counter.snapshot()));
  });
  const profiler = new Profiler();
  app.post('/bench-client/profile/start', (req, res) => {
    profiler.start(Math.max(50, queryNumber(req, 'intervalUs', 250))).then(
      () => res.json({}),
      (err) => fail(res, err),
    );
  });
  app.post('/bench-client/profile/stop', (req, res) => {
    const file = req.query['file'];
    if (typeof file !== 'string' || file === '') return fail(res, new Error('no file'));
    profiler.stop(file).then(
      () => res.json({ file }),
      (err) => fail(res, err),
    );
  });
}

export = register;
