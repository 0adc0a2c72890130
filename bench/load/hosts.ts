import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type BoardShape, ProgressBoard } from './board';
import { makeClock } from './clock';
import { Publisher, type PublisherConfig, type PublisherStats } from './publisher';
import { withTimeout } from './socket';

/**
 * Where the publishers run: 'inline' on the main thread next to the subscribers, or 'split' in a
 * worker thread of their own. Either way they share the progress board and the clock.
 */
export type GeneratorMode = 'inline' | 'split';

export interface PublisherHost {
  /** Publishes until `stopAt` (clock ms); resolves with each publisher's figures once all is acknowledged. */
  go(stopAt: number): Promise<PublisherStats[]>;
  close(): Promise<void>;
}

export interface WorkerData {
  configs: PublisherConfig[];
  shape: BoardShape;
  board: SharedArrayBuffer;
  base: bigint;
}

export type ToWorker = { type: 'go'; stopAt: number } | { type: 'close' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; stats: PublisherStats[] }
  | { type: 'error'; message: string };

export async function connectPublishers(
  configs: readonly PublisherConfig[],
  board: ProgressBoard,
  base: bigint,
): Promise<PublisherHost> {
  const clock = makeClock(base);
  const publishers = await Promise.all(configs.map((c) => Publisher.connect(c, board, clock)));
  return {
    go: (stopAt) => Promise.all(publishers.map((p) => p.start(stopAt))),
    close: async () => {
      for (const p of publishers) p.close();
    },
  };
}

function isFromWorker(value: unknown): value is FromWorker {
  return typeof value === 'object' && value !== null && 'type' in value;
}

function workerHost(worker: Worker): PublisherHost {
  return {
    go: (stopAt) =>
      new Promise((resolve, reject) => {
        const onMessage = (m: unknown) => {
          if (!isFromWorker(m)) return;
          if (m.type === 'done') resolve(m.stats);
          else if (m.type === 'error') reject(new Error(`publisher worker: ${m.message}`));
        };
        worker.on('message', onMessage);
        worker.once('exit', (code) => reject(new Error(`publisher worker exited with code ${code}`)));
        const message: ToWorker = { type: 'go', stopAt };
        worker.postMessage(message);
      }),
    close: async () => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const message: ToWorker = { type: 'close' };
      worker.postMessage(message);
      await withTimeout(exited, 2000, 'publisher worker exit').catch(() => worker.terminate());
    },
  };
}

export async function startPublishers(
  mode: GeneratorMode,
  configs: readonly PublisherConfig[],
  board: ProgressBoard,
  base: bigint,
): Promise<PublisherHost> {
  if (mode === 'inline') return connectPublishers(configs, board, base);
  const data: WorkerData = { configs: [...configs], shape: board.shape, board: board.buffer, base };
  const worker = new Worker(join(__dirname, 'publisher-worker.js'), { workerData: data });
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: unknown) => {
      if (!isFromWorker(m)) return;
      if (m.type === 'ready') resolve();
      else if (m.type === 'error') reject(new Error(`publisher worker: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`publisher worker exited with code ${code}`)));
  });
  try {
    await withTimeout(ready, 10_000, 'publisher worker start');
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return workerHost(worker);
}

/** Rebuilds the board inside the worker. */
export function boardFrom(data: WorkerData): ProgressBoard {
  return new ProgressBoard(data.shape, data.board);
}
