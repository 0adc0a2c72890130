import assert from 'node:assert/strict';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore, type FileStoreOptions } from '../../src/store/file-store';
import { runStoreContract } from './contract';
import { enqueueOp, makeTempDir, queuePayloads, removeDir, sessionOp, withTimeout } from './helpers';

for (const durability of ['sync', 'periodic'] as const) {
  const options = (dir: string): FileStoreOptions => ({ directory: dir, durability, flushInterval: 20 });
  runStoreContract(
    `FileStore (${durability})`,
    async (dir) => new FileStore(options(dir)),
    async (dir, store) => {
      await store.close();
      return new FileStore(options(dir));
    },
  );
}

describe('FileStore', () => {
  let dir = '';
  const stores: FileStore[] = [];

  function fileStore(options: Partial<FileStoreOptions> = {}): FileStore {
    const store = new FileStore({ directory: dir, durability: 'sync', ...options });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    dir = await makeTempDir();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
    await removeDir(dir);
  });

  it('creates a missing directory, nested, on first use', async () => {
    const nested = join(dir, 'a', 'b', 'c');
    const store = fileStore({ directory: nested });
    await store.apply([sessionOp('c1')]);
    assert.deepEqual((await readdir(nested)).sort(), ['state.journal']);
  });

  it('commits concurrent applies in sync mode together: fewer fsyncs than calls', async () => {
    const store = fileStore();
    await store.apply([sessionOp('c1')]);
    const before = store.stats();
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.apply([enqueueOp('c1', String(i))])));
    const after = store.stats();
    assert.equal(after.records - before.records, 200, 'one record per apply call');
    assert.ok(after.syncs - before.syncs < 20, `expected few fsyncs, got ${after.syncs - before.syncs}`);
    assert.equal(after.syncs - before.syncs, after.writes - before.writes, 'one fsync per write');
    const queue = queuePayloads((await store.load()).sessions[0]);
    assert.deepEqual(
      queue,
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
  });

  it('fsyncs once per apply when applies are awaited one by one in sync mode', async () => {
    const store = fileStore();
    for (let i = 0; i < 10; i++) await store.apply([sessionOp(`c${i}`)]);
    assert.equal(store.stats().syncs, 10);
    assert.equal(store.stats().records, 10);
  });

  it('in periodic mode resolves without fsync and fsyncs on the timer', async () => {
    const store = fileStore({ durability: 'periodic', flushInterval: 10 });
    await store.apply([sessionOp('c1')]);
    assert.equal(store.stats().syncs, 0);
    await withTimeout(
      (async () => {
        while (store.stats().syncs === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
      5000,
      'the periodic fsync',
    );
  });

  it('compacts when the journal passes compactAfterBytes and keeps the state across reopen', async () => {
    const store = fileStore({ compactAfterBytes: 2000 });
    await store.apply([sessionOp('c1')]);
    for (let i = 0; i < 100; i++) await store.apply([enqueueOp('c1', `m${i}`)]);
    const { compactions, journalBytes } = store.stats();
    assert.ok(compactions >= 3, `expected several compactions, got ${compactions}`);
    assert.ok(journalBytes < 2000 + 500, `journal stays small, is ${journalBytes}`);
    assert.ok((await stat(join(dir, 'state.snapshot'))).size > 0);
    const before = await store.load();
    await store.close();
    assert.equal((await stat(join(dir, 'state.journal'))).size, 0, 'close compacts');
    const reopened = fileStore();
    assert.deepEqual(await reopened.load(), before);
    assert.equal(queuePayloads((await reopened.load()).sessions[0]).length, 100);
    assert.equal(reopened.stats().seq, 101, 'sequence numbers continue after the snapshot');
  });

  it('keeps a second store off a directory that is open, and lets it in once the first closes', async () => {
    const first = fileStore();
    await first.apply([sessionOp('c1')]);
    const second = fileStore();
    await assert.rejects(second.load(), /already in use/);
    const third = fileStore();
    const closing = first.close();
    const loaded = await third.load();
    await closing;
    assert.deepEqual(
      loaded.sessions.map((s) => s.clientId),
      ['c1'],
    );
  });

  it('rejects invalid options from every call instead of throwing', async () => {
    const bad = [
      { directory: '', durability: 'sync' },
      { directory: dir, durability: 'sometimes' },
      { directory: dir, durability: 'periodic', flushInterval: -1 },
      { directory: dir, durability: 'sync', compactAfterBytes: Number.NaN },
    ];
    for (const options of bad) {
      // Untyped config, as a Node-RED flow could hand over.
      const untyped: FileStoreOptions = JSON.parse(JSON.stringify(options));
      const store = new FileStore(untyped);
      await assert.rejects(store.load(), /FileStore: /);
      await assert.rejects(store.apply([sessionOp('c1')]), /FileStore: /);
      await store.close();
    }
  });

  it('rejects load and apply after close, and close twice is harmless', async () => {
    const store = fileStore();
    await store.load();
    await store.close();
    await store.close();
    await assert.rejects(store.load(), /after close/);
    await assert.rejects(store.apply([sessionOp('c1')]), /after close/);
  });

  it('closes a store that was never used without touching the disk', async () => {
    const missing = join(dir, 'never');
    const store = fileStore({ directory: missing });
    await store.close();
    await assert.rejects(stat(missing), /ENOENT/);
  });

  it('fails to open when the directory path is a file, with a clear message', async () => {
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    const store = fileStore({ directory: file });
    await assert.rejects(store.load(), /cannot open/);
    await assert.rejects(store.apply([sessionOp('c1')]), /cannot open/);
  });
});
