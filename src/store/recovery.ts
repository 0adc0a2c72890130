import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { applyOps, emptyState, fromPersisted, type MutableState } from './apply-op';
import type { FileStoreSettings } from './file-store-options';
import { fsyncDirectory, readFileIfExists, removeIfExists } from './fs-util';
import { scanJournal } from './journal';
import { readSnapshot } from './snapshot';

export interface Recovered {
  state: MutableState;
  /** Sequence number of the last record the state holds. */
  seq: number;
  /** The journal, open for writing at `journalBytes`. */
  handle: FileHandle;
  journalBytes: number;
}

/**
 * Opens a store directory as the recovery rules in file-store.ts describe: creates it, drops a
 * leftover snapshot.tmp, reads the snapshot, replays the journal records it does not hold yet, and
 * cuts the journal at the first torn or corrupt record.
 */
export async function recover(
  settings: FileStoreSettings,
  log: (message: string) => void,
): Promise<Recovered> {
  await mkdir(settings.directory, { recursive: true });
  await removeIfExists(settings.snapshotTmpPath);
  const snapshot = await readSnapshot(settings.snapshotPath);
  const state = snapshot === undefined ? emptyState() : fromPersisted(snapshot.state);
  let seq = snapshot?.seq ?? 0;
  const data = (await readFileIfExists(settings.journalPath)) ?? Buffer.alloc(0);
  const scan = scanJournal(data);
  for (const batch of scan.batches) {
    if (batch.seq <= seq) continue;
    if (batch.seq !== seq + 1) log(`journal skips from record ${seq} to ${batch.seq}; was a file removed?`);
    applyOps(state, batch.ops);
    seq = batch.seq;
  }
  const handle = await open(settings.journalPath, constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    if (scan.problem !== undefined) {
      await handle.truncate(scan.validBytes);
      await handle.sync();
      const cut = data.length - scan.validBytes;
      log(`journal ${scan.problem}; cut ${cut} bytes, kept ${scan.batches.length} records`);
    }
    await fsyncDirectory(settings.directory);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return { state, seq, handle, journalBytes: scan.validBytes };
}
