import { open, rename } from 'node:fs/promises';
import { parseWithBuffers } from './buffer-json';
import { fsyncDirectory, readFileIfExists } from './fs-util';
import { readRecord } from './record-codec';
import { streamSnapshot } from './snapshot-writer';
import type { PersistedState } from './types';
import { parsePersistedState, StoreFormatError } from './validate';

/** The whole state as of journal record `seq`, stored as one record: `{"seq":n,"state":{…}}`. */
export interface Snapshot {
  seq: number;
  state: PersistedState;
}

function decodeSnapshot(data: Buffer): Snapshot {
  const read = readRecord(data, 0);
  if (read.kind === 'end') throw new StoreFormatError('empty file');
  if (read.kind === 'bad') throw new StoreFormatError(read.reason);
  if (read.end !== data.length)
    throw new StoreFormatError(`${data.length - read.end} bytes after the record`);
  const value = parseWithBuffers(read.payload.toString('utf8'));
  if (value === null || typeof value !== 'object' || !('seq' in value) || !('state' in value)) {
    throw new StoreFormatError('expected {seq, state}');
  }
  const { seq, state } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new StoreFormatError('seq: expected a non-negative integer');
  }
  return { seq, state: parsePersistedState(state) };
}

/** The snapshot at `path`, or undefined if there is none. Rejects if it exists but cannot be read. */
export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  const data = await readFileIfExists(path);
  if (data === undefined) return undefined;
  try {
    return decodeSnapshot(data);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StoreFormatError(
      `snapshot ${path} is damaged (${reason}); move it and the journal aside to start with an empty store`,
    );
  }
}

/**
 * Replaces the snapshot atomically: writes `tmpPath`, fsyncs it, renames it over `path` and fsyncs
 * the directory. A crash at any point leaves either the old snapshot or the new one in place.
 */
export async function writeSnapshot(path: string, tmpPath: string, directory: string, snapshot: Snapshot) {
  const handle = await open(tmpPath, 'w', 0o600);
  try {
    await streamSnapshot(handle, snapshot.seq, snapshot.state);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmpPath, path);
  await fsyncDirectory(directory);
}
