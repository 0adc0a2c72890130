import assert from 'node:assert/strict';
import { CommitQueue } from '../../src/store/commit-queue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('CommitQueue', () => {
  it('commits items submitted in one turn together, and those arriving during a commit in the next', async () => {
    const groups: number[][] = [];
    const gate = deferred();
    const queue = new CommitQueue<number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await gate.promise;
    });
    const first = [queue.submit(1), queue.submit(2)];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [queue.submit(3), queue.submit(4), queue.submit(5)];
    gate.resolve();
    await Promise.all([...first, ...second]);
    assert.deepEqual(groups, [
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('runs tasks and groups in the order they were asked for', async () => {
    const order: string[] = [];
    const queue = new CommitQueue<string>(async (items) => {
      order.push(items.join('+'));
    });
    await Promise.all([
      queue.submit('a'),
      queue.exclusive(async () => order.push('task')),
      queue.submit('b'),
      queue.submit('c'),
    ]);
    assert.deepEqual(order, ['a', 'task', 'b+c']);
  });

  it('rejects only the group whose commit failed, and a task only with its own error', async () => {
    const queue = new CommitQueue<string>(async (items) => {
      if (items.includes('bad')) throw new Error('disk full');
    });
    const bad = queue.submit('bad');
    const task = queue.exclusive(async () => {
      throw new Error('task failed');
    });
    const good = queue.submit('good');
    await assert.rejects(bad, /disk full/);
    await assert.rejects(task, /task failed/);
    await good;
    assert.equal(await queue.exclusive(async () => 42), 42);
  });

  it('runs work queued just as a drain finishes', async () => {
    const queue = new CommitQueue<number>(async () => undefined);
    for (let i = 0; i < 100; i++) {
      const done = queue.submit(i);
      await Promise.resolve();
      await done;
      await queue.exclusive(async () => undefined);
    }
  });
});
