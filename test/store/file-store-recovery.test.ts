import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { encodeJournalRecord } from '../../src/store/journal';
import { MemoryStore } from '../../src/store/memory-store';
import { encodeRecord } from '../../src/store/record-codec';
import { writeSnapshot } from '../../src/store/snapshot';
import type { StoreOp } from '../../src/store/types';
import { enqueueOp, makeTempDir, queuePayloads, removeDir, sessionOp } from './helpers';

/** Byte offsets where each whole record of a journal ends, read straight from the length headers. */
function recordEnds(data: Buffer): number[] {
  const ends: number[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    offset += 8 + data.readUInt32BE(offset);
    if (offset > data.length) break;
    ends.push(offset);
  }
  return ends;
}

function at(ends: number[], index: number): number {
  const value = ends[index];
  if (value === undefined) return assert.fail(`no record ${index}`);
  return value;
}

/** One batch per record: the session, then `count` single enqueues m0, m1, … */
function batches(count: number): StoreOp[][] {
  return [[sessionOp('c1')], ...Array.from({ length: count }, (_, i) => [enqueueOp('c1', `m${i}`)])];
}

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `m${i}`);
}

describe('FileStore recovery', () => {
  let source = '';
  let target = '';
  const logs: string[] = [];
  const stores: FileStore[] = [];

  function fileStore(directory: string, compactAfterBytes?: number): FileStore {
    const log = (message: string) => logs.push(message);
    const store = new FileStore({ directory, durability: 'sync', log, compactAfterBytes });
    stores.push(store);
    return store;
  }

  /** Applies the batches to a store in `source` and copies its files to `target`, as a crash would leave them. */
  async function crashAfter(ops: StoreOp[][]): Promise<{ journal: Buffer; store: FileStore }> {
    const store = fileStore(source);
    for (const batch of ops) await store.apply(batch);
    await copyFile(join(source, 'state.journal'), join(target, 'state.journal'));
    return { journal: await readFile(join(target, 'state.journal')), store };
  }

  async function loadTarget() {
    return (await fileStore(target).load()).sessions[0];
  }

  let root = '';
  let made = 0;

  /** Points `source` and `target` at two new, empty directories. */
  async function freshDirs(): Promise<void> {
    made += 1;
    source = join(root, `source-${made}`);
    target = join(root, `target-${made}`);
    await mkdir(source);
    await mkdir(target);
  }

  beforeEach(async () => {
    root = await makeTempDir();
    await freshDirs();
    logs.length = 0;
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close().catch(() => undefined)));
    await removeDir(root);
  });

  it('recovers every record before a torn last record and truncates the journal there', async () => {
    const { journal } = await crashAfter(batches(9));
    const ends = recordEnds(journal);
    assert.equal(ends.length, 10);
    const cut = at(ends, 8) + Math.floor((at(ends, 9) - at(ends, 8)) / 2);
    await writeFile(join(target, 'state.journal'), journal.subarray(0, cut));
    assert.deepEqual(queuePayloads(await loadTarget()), names(8));
    assert.equal((await stat(join(target, 'state.journal'))).size, at(ends, 8));
    assert.match(logs.join('\n'), /torn record/);
  });

  it('recovers everything when a torn header is all that follows', async () => {
    const { journal } = await crashAfter(batches(3));
    await appendFile(join(target, 'state.journal'), Buffer.from([0, 0, 1]));
    assert.deepEqual(queuePayloads(await loadTarget()), names(3));
    assert.equal((await stat(join(target, 'state.journal'))).size, journal.length);
    assert.match(logs.join('\n'), /torn header/);
  });

  it('drops appended garbage, including a header that claims a huge length or zeroes', async () => {
    for (const garbage of [
      Buffer.from('ffffffff00000000deadbeef', 'hex'),
      Buffer.alloc(64),
      Buffer.from('junk!'),
    ]) {
      const { journal } = await crashAfter(batches(2));
      await appendFile(join(target, 'state.journal'), garbage);
      assert.deepEqual(queuePayloads(await loadTarget()), names(2));
      assert.equal((await stat(join(target, 'state.journal'))).size, journal.length);
      await freshDirs();
    }
  });

  it('stops at a record whose checksum does not match, even in the middle of the journal', async () => {
    const { journal } = await crashAfter(batches(9));
    const ends = recordEnds(journal);
    const damaged = Buffer.from(journal);
    const index = at(ends, 4) + 8 + 5;
    damaged[index] = (damaged[index] ?? 0) ^ 0x01;
    await writeFile(join(target, 'state.journal'), damaged);
    assert.deepEqual(queuePayloads(await loadTarget()), names(4));
    assert.equal((await stat(join(target, 'state.journal'))).size, at(ends, 4));
    assert.match(logs.join('\n'), /checksum mismatch/);
  });

  it('stops at a record with a valid checksum but bad JSON or an invalid op', async () => {
    const good = Buffer.concat([encodeJournalRecord(1, JSON.stringify([sessionOp('c1')]))]);
    const badOps = [
      encodeRecord(Buffer.from('{"seq":2,"ops":[')),
      encodeJournalRecord(2, '[{"op":"enqueue","clientId":"c1"}]'),
      encodeJournalRecord(2, '[{"op":"retain","message":{"topic":"t","payload":{"$b":7}}}]'),
      encodeRecord(Buffer.from('{"ops":[]}')),
    ];
    for (const bad of badOps) {
      const tail = encodeJournalRecord(3, JSON.stringify([enqueueOp('c1', 'after')]));
      await writeFile(join(target, 'state.journal'), Buffer.concat([good, bad, tail]));
      const session = await loadTarget();
      assert.deepEqual(session?.queue, []);
      assert.equal((await stat(join(target, 'state.journal'))).size, good.length);
      await freshDirs();
    }
    assert.equal(logs.length, badOps.length);
  });

  it('appends cleanly after a recovery, and the new records survive the next reopen', async () => {
    const { journal } = await crashAfter(batches(4));
    await writeFile(join(target, 'state.journal'), journal.subarray(0, journal.length - 3));
    const recovered = fileStore(target);
    await recovered.apply([enqueueOp('c1', 'new')]);
    await copyFile(join(target, 'state.journal'), join(source, 'copy'));
    await mkdir(join(source, 'again'));
    await copyFile(join(source, 'copy'), join(source, 'again', 'state.journal'));
    const again = fileStore(join(source, 'again'));
    assert.deepEqual(queuePayloads((await again.load()).sessions[0]), [...names(3), 'new']);
  });

  it('ignores and removes a snapshot.tmp left by a compaction that did not finish', async () => {
    await crashAfter(batches(3));
    await writeFile(join(target, 'state.snapshot.tmp'), 'half a snapshot');
    assert.deepEqual(queuePayloads(await loadTarget()), names(3));
    assert.deepEqual((await readdir(target)).sort(), ['state.journal']);
  });

  it('does not apply twice the journal records a newer snapshot already holds', async () => {
    const { journal, store } = await crashAfter(batches(5));
    await store.close();
    await copyFile(join(source, 'state.snapshot'), join(target, 'state.snapshot'));
    // A crash after the snapshot's rename but before the journal was cut: the old records remain.
    assert.equal(recordEnds(journal).length, 6);
    const reopened = fileStore(target);
    assert.deepEqual(queuePayloads((await reopened.load()).sessions[0]), names(5));
    await reopened.apply([enqueueOp('c1', 'next')]);
    assert.equal(reopened.stats().seq, 7);
    await reopened.close();
    assert.deepEqual(queuePayloads(await loadTarget()), [...names(5), 'next']);
  });

  it('replays only the records after the snapshot when the journal straddles it', async () => {
    const all = batches(5);
    await crashAfter(all);
    const memory = new MemoryStore();
    for (const batch of all.slice(0, 3)) await memory.apply(batch);
    const snapshot = { seq: 3, state: await memory.load() };
    await writeSnapshot(join(target, 'state.snapshot'), join(target, 'state.snapshot.tmp'), target, snapshot);
    assert.deepEqual(queuePayloads(await loadTarget()), names(5));
  });

  it('refuses to open with a damaged snapshot instead of starting empty', async () => {
    const { store } = await crashAfter(batches(2));
    await store.close();
    const data = await readFile(join(source, 'state.snapshot'));
    data[data.length - 2] = (data[data.length - 2] ?? 0) ^ 0xff;
    await writeFile(join(target, 'state.snapshot'), data);
    await assert.rejects(fileStore(target).load(), /snapshot .* is damaged \(checksum mismatch\)/);
  });

  it('survives many compactions and reopenings with the state intact', async () => {
    const expected: string[] = [];
    for (let round = 0; round < 5; round++) {
      const store = fileStore(source, 1500);
      if (round === 0) await store.apply([sessionOp('c1')]);
      for (let i = 0; i < 30; i++) {
        const name = `r${round}-${i}`;
        expected.push(name);
        await store.apply(
          i % 3 === 2 ? [enqueueOp('c1', name), { op: 'dequeue', clientId: 'c1' }] : [enqueueOp('c1', name)],
        );
        if (i % 3 === 2) expected.shift();
      }
      assert.ok(store.stats().compactions > 0);
      await store.close();
    }
    const final = fileStore(source);
    assert.deepEqual(queuePayloads((await final.load()).sessions[0]), expected);
  });

  it('warns when the journal continues past a snapshot that is missing', async () => {
    const { store } = await crashAfter(batches(2));
    await store.close();
    const next = fileStore(source);
    await next.apply([enqueueOp('c1', 'after-snapshot')]);
    await copyFile(join(source, 'state.journal'), join(target, 'state.journal'));
    await fileStore(target).load();
    assert.match(logs.join('\n'), /journal skips from record 0 to 4/);
  });

  it('keeps the journal, and retries only after more growth, when compaction cannot write', async () => {
    const store = fileStore(source, 600);
    await store.apply([sessionOp('c1')]);
    await mkdir(join(source, 'state.snapshot.tmp'));
    for (let i = 0; i < 40; i++) await store.apply([enqueueOp('c1', `m${i}`)]);
    const failures = logs.filter((line) => line.includes('compaction failed')).length;
    const { journalBytes, compactions } = store.stats();
    assert.equal(compactions, 0);
    assert.ok(failures >= 1, 'the failure is logged');
    assert.ok(failures <= journalBytes / 600 + 1, `${failures} attempts for ${journalBytes} bytes`);
    await store.close();
    await removeDir(join(source, 'state.snapshot.tmp'));
    assert.deepEqual(queuePayloads((await fileStore(source).load()).sessions[0]), names(40));
  });
});
