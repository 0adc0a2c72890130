/**
 * FileStore: the embedded, crash-safe default store. Plain files, no native build.
 *
 * Files, in `directory`:
 * - `state.journal`: an append-only sequence of records, one per non-empty `apply` call.
 * - `state.snapshot`: one record holding the whole state as of some journal record.
 * - `state.snapshot.tmp`: a snapshot being written; a leftover one is deleted on open.
 *
 * A record is `[length: u32 BE][crc32 of payload: u32 BE][payload: length bytes]`. The payload is
 * UTF-8 JSON in which Buffers are `{"$b":"<base64>"}` and object keys starting with `$` get one more
 * `$` (see buffer-json.ts), so user data never looks like a Buffer marker.
 * - Journal payload: `{"seq":n,"ops":[StoreOp…]}`. `seq` counts records, 1, 2, 3, …, across
 *   compactions. One `apply` is one record, so a batch is recovered whole or not at all.
 * - Snapshot payload: `{"seq":n,"state":PersistedState}`: the state after journal record n.
 *
 * Writing:
 * - Appends go through one queue, so records never interleave. Calls that arrive while a write (and
 *   fsync) is in progress are written together by the next one: group commit.
 * - 'sync' durability: write, `datasync()`, then resolve (a QoS 1/2 message is on disk before the
 *   broker acknowledges it). 'periodic': resolve after the write, `datasync()` every `flushInterval`
 *   ms and on close; a process crash loses nothing, a power cut may lose the last interval.
 * - A failed write is cut off again (the journal is truncated back to its last whole record) and the
 *   calls of that group reject. A failed fsync, or a failed cut, leaves the file in an unknown state:
 *   the store then rejects every later call. A rejected `apply` may or may not have reached the disk.
 *
 * Compaction, when the journal reaches `compactAfterBytes` and on close: write the state to
 * `state.snapshot.tmp`, fsync it, rename it over `state.snapshot`, fsync the directory, then
 * truncate the journal to 0 bytes and fsync it.
 *
 * Recovery, on open (the first `load`, or `apply`):
 * 1. Delete a leftover `state.snapshot.tmp` (a compaction that did not finish: the old snapshot and
 *    the full journal are still in place).
 * 2. Read `state.snapshot` if present. It is written atomically, so a damaged one is not a crash
 *    artefact: opening fails with a message naming it rather than silently starting empty.
 * 3. Replay journal records in order, skipping those with `seq` ≤ the snapshot's (a crash between
 *    the rename and the truncation leaves records the snapshot already holds).
 * 4. At the first torn or corrupt record (short header or payload, CRC mismatch, bad JSON, invalid
 *    op) stop, truncate the journal there, fsync, and tell `log`. Only a tail whose `apply` had not
 *    resolved (or, in 'periodic' mode, not yet been fsynced) can be lost this way.
 */
import type { FileHandle } from 'node:fs/promises';
import { applyOps, emptyState, type MutableState, toPersisted } from './apply-op';
import { stringifyWithBuffers } from './buffer-json';
import { CommitQueue } from './commit-queue';
import { acquireDirectory } from './directory-lease';
import { type FileStoreOptions, type FileStoreSettings, resolveSettings } from './file-store-options';
import { errorMessage, removeIfExists, writeFully } from './fs-util';
import { encodeJournalRecord } from './journal';
import { recover } from './recovery';
import { writeSnapshot } from './snapshot';
import type { BrokerStore, PersistedState, StoreOp } from './types';
import { parsePersistedState, parseStoreOps } from './validate';

export type { FileStoreOptions } from './file-store-options';

export interface FileStoreStats {
  /** Journal records written: one per non-empty `apply`. */
  records: number;
  /** Journal writes: one per group commit. */
  writes: number;
  /** fsyncs of the journal after writes ('sync') or by the flush timer and close ('periodic'). */
  syncs: number;
  compactions: number;
  journalBytes: number;
  /** Sequence number of the last record written or recovered. */
  seq: number;
}

interface PendingBatch {
  ops: StoreOp[];
  json: string;
}

export class FileStore implements BrokerStore {
  private readonly settings: FileStoreSettings | Error;
  private readonly queue = new CommitQueue<PendingBatch>((batches) => this.commit(batches));
  private readonly counters = { records: 0, writes: 0, syncs: 0, compactions: 0 };
  private state: MutableState = emptyState();
  private handle: FileHandle | undefined;
  private seq = 0;
  private journalBytes = 0;
  private dirty = false;
  private failure: Error | undefined;
  private started = false;
  private closing: Promise<void> | undefined;
  private compactionQueued = false;
  /** Journal size that triggers the next compaction. */
  private compactAt = Number.POSITIVE_INFINITY;
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private releaseDirectory: (() => void) | undefined;

  constructor(options: FileStoreOptions) {
    try {
      this.settings = resolveSettings(options);
    } catch (err) {
      this.settings = err instanceof Error ? err : new Error(String(err));
    }
  }

  async load(): Promise<PersistedState> {
    if (this.closing !== undefined) throw new Error('FileStore: load after close');
    this.start();
    return this.queue.exclusive(async () => {
      this.throwIfFailed();
      return parsePersistedState(toPersisted(this.state));
    });
  }

  async apply(ops: readonly StoreOp[]): Promise<void> {
    if (this.closing !== undefined) throw new Error('FileStore: apply after close');
    let batch: PendingBatch;
    try {
      const copies = parseStoreOps(ops);
      batch = { ops: copies, json: stringifyWithBuffers(copies) };
    } catch (err) {
      throw new Error(`FileStore: invalid ops, nothing applied: ${errorMessage(err)}`);
    }
    this.start();
    if (batch.ops.length === 0) return this.queue.exclusive(async () => this.throwIfFailed());
    return this.queue.submit(batch);
  }

  /** Flushes, compacts and closes the files. Later calls reject; calling close again is harmless. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = this.started ? this.queue.exclusive(() => this.shutdown()) : Promise.resolve();
    }
    return this.closing;
  }

  stats(): FileStoreStats {
    return { ...this.counters, journalBytes: this.journalBytes, seq: this.seq };
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    // Its failure is kept in `this.failure` and reported by every later call.
    this.queue.exclusive(() => this.open()).catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private log(message: string): void {
    if (this.settings instanceof Error) return;
    this.settings.log(`FileStore ${this.settings.directory}: ${message}`);
  }

  private async open(): Promise<void> {
    const settings = this.settings;
    if (settings instanceof Error) {
      this.failure = settings;
      throw settings;
    }
    try {
      this.releaseDirectory = await acquireDirectory(settings.directory, { closing: () => this.closing });
      const recovered = await recover(settings, (message) => this.log(message));
      this.state = recovered.state;
      this.seq = recovered.seq;
      this.handle = recovered.handle;
      this.journalBytes = recovered.journalBytes;
      this.compactAt = settings.compactAfterBytes;
    } catch (err) {
      this.releaseDirectory?.();
      this.failure = new Error(`FileStore: cannot open ${settings.directory}: ${errorMessage(err)}`);
      throw this.failure;
    }
    if (settings.durability === 'periodic') {
      this.timer = setInterval(() => this.onFlushTimer(), settings.flushInterval);
      this.timer.unref();
    }
  }

  private async commit(batches: PendingBatch[]): Promise<void> {
    this.throwIfFailed();
    const handle = this.handle;
    if (handle === undefined || this.settings instanceof Error) throw new Error('FileStore: not open');
    const data = Buffer.concat(batches.map((batch, i) => encodeJournalRecord(this.seq + 1 + i, batch.json)));
    try {
      await writeFully(handle, data, this.journalBytes);
    } catch (err) {
      await handle.truncate(this.journalBytes).catch((cutErr: unknown) => {
        this.poison('could not cut off a failed journal write', cutErr);
      });
      throw new Error(`FileStore: journal write failed, nothing applied: ${errorMessage(err)}`);
    }
    if (this.settings.durability === 'sync') {
      await handle.datasync().catch((err: unknown) => {
        throw this.poison('fsync of the journal failed', err);
      });
      this.counters.syncs += 1;
    } else {
      this.dirty = true;
    }
    this.seq += batches.length;
    this.journalBytes += data.length;
    this.counters.records += batches.length;
    this.counters.writes += 1;
    for (const batch of batches) applyOps(this.state, batch.ops);
    if (this.journalBytes >= this.compactAt) this.scheduleCompaction();
  }

  /** Makes the store refuse every later call: the journal's state on disk is no longer known. */
  private poison(what: string, err: unknown): Error {
    const error = new Error(`FileStore: ${what} (${errorMessage(err)}); the store accepts no more writes`);
    this.failure ??= error;
    this.log(error.message);
    return error;
  }

  private scheduleCompaction(): void {
    if (this.compactionQueued) return;
    this.compactionQueued = true;
    this.queue
      .exclusive(() => this.compact())
      .catch((err: unknown) => {
        this.log(`compaction failed, the journal keeps growing: ${errorMessage(err)}`);
      });
  }

  private async compact(): Promise<void> {
    this.compactionQueued = false;
    const handle = this.handle;
    const settings = this.settings;
    if (this.failure !== undefined || handle === undefined || settings instanceof Error) return;
    if (this.journalBytes === 0) return;
    // Should this attempt fail, try again once the journal has grown by as much again.
    this.compactAt = this.journalBytes + settings.compactAfterBytes;
    try {
      const snapshot = { seq: this.seq, state: toPersisted(this.state) };
      await writeSnapshot(settings.snapshotPath, settings.snapshotTmpPath, settings.directory, snapshot);
    } catch (err) {
      await removeIfExists(settings.snapshotTmpPath).catch(() => undefined);
      throw err;
    }
    // From here on the snapshot holds every record, so a crash before the cut only leaves records
    // that replay skips.
    await handle.truncate(0);
    this.journalBytes = 0;
    this.compactAt = settings.compactAfterBytes;
    this.dirty = false;
    await handle.sync();
    this.counters.compactions += 1;
  }

  private onFlushTimer(): void {
    if (!this.dirty || this.flushQueued || this.failure !== undefined) return;
    this.flushQueued = true;
    this.queue.exclusive(() => this.flush()).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const handle = this.handle;
    if (!this.dirty || handle === undefined || this.failure !== undefined) return;
    this.dirty = false;
    await handle.datasync().catch((err: unknown) => {
      throw this.poison('fsync of the journal failed', err);
    });
    this.counters.syncs += 1;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const handle = this.handle;
    try {
      if (handle !== undefined && this.failure === undefined) {
        await this.flush();
        await this.compact().catch((err: unknown) => {
          this.log(`compaction on close failed; the journal is intact: ${errorMessage(err)}`);
        });
      }
    } finally {
      this.handle = undefined;
      await handle?.close();
      this.releaseDirectory?.();
    }
  }
}
