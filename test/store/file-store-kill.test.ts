import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { makeTempDir, queuePayloads, removeDir, withTimeout } from './helpers';

const ACKS_BEFORE_KILL = 300;

/** Runs the writer until it has acknowledged `count` numbers, kills it with SIGKILL, and returns them. */
async function runAndKill(directory: string, count: number): Promise<number[]> {
  const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'kill-writer.js'), directory], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: number[] = [];
  let stderr = '';
  let partial = '';
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? code));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const enough = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) acked.push(Number(line));
      if (acked.length >= count) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then((how) => reject(new Error(`writer exited early (${String(how)}): ${stderr}`)));
  });
  try {
    await withTimeout(enough, 20000, `${count} acknowledgements from the writer`);
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await withTimeout(exited, 5000, 'the writer to die'), 'SIGKILL');
  return acked;
}

describe('FileStore under SIGKILL', () => {
  let dir = '';

  beforeEach(async () => {
    dir = await makeTempDir();
  });

  afterEach(async () => {
    await removeDir(dir);
  });

  it('keeps every acknowledged enqueue, in order, when the writing process is killed', async function () {
    this.timeout(40000);
    const acked = await runAndKill(dir, ACKS_BEFORE_KILL);
    assert.ok(acked.length >= ACKS_BEFORE_KILL);
    const store = new FileStore({ directory: dir, durability: 'sync' });
    try {
      const session = (await store.load()).sessions.find((s) => s.clientId === 'victim');
      const stored = queuePayloads(session).map(Number);
      const highest = Math.max(...acked);
      assert.ok(stored.length >= highest, `stored ${stored.length}, highest acknowledged ${highest}`);
      assert.deepEqual(
        stored,
        Array.from({ length: stored.length }, (_, i) => i + 1),
        'the queue holds 1, 2, 3, … with no gap or repeat',
      );
      for (const n of acked) assert.ok(n <= stored.length, `acknowledged ${n} is stored`);
    } finally {
      await store.close();
    }
  });
});
