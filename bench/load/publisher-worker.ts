import { parentPort, workerData } from 'node:worker_threads';
import { boardFrom, connectPublishers, type FromWorker, type PublisherHost, type WorkerData } from './hosts';

/** Worker-thread entry for the 'split' generator mode: runs the publishers, posts their figures. */

function post(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function run(): Promise<void> {
  const data: WorkerData = workerData;
  let host: PublisherHost;
  try {
    host = await connectPublishers(data.configs, boardFrom(data), data.base);
  } catch (err) {
    post({ type: 'error', message: text(err) });
    return;
  }
  parentPort?.on('message', (m: { type: string; stopAt?: number }) => {
    if (m.type === 'go' && m.stopAt !== undefined) {
      host.go(m.stopAt).then(
        (stats) => post({ type: 'done', stats }),
        (err: unknown) => post({ type: 'error', message: text(err) }),
      );
    } else if (m.type === 'close') {
      void host.close().then(() => {
        parentPort?.close();
        setTimeout(() => process.exit(0), 600).unref();
      });
    }
  });
  post({ type: 'ready' });
}

void run();
