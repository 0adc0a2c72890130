import { parseWithBuffers } from './buffer-json';
import { encodeRecord, readRecord } from './record-codec';
import type { StoreOp } from './types';
import { parseStoreOps, StoreFormatError } from './validate';

/** One `apply` call as the journal holds it: a record whose payload is `{"seq":n,"ops":[…]}`. */
export interface JournalBatch {
  seq: number;
  ops: StoreOp[];
}

/** `opsJson` is the ops already written by `stringifyWithBuffers`. */
export function encodeJournalRecord(seq: number, opsJson: string): Buffer {
  return encodeRecord(Buffer.from(`{"seq":${seq},"ops":${opsJson}}`, 'utf8'));
}

function decodeBatch(payload: Buffer): JournalBatch {
  const value = parseWithBuffers(payload.toString('utf8'));
  if (value === null || typeof value !== 'object' || !('seq' in value) || !('ops' in value)) {
    throw new StoreFormatError('record: expected {seq, ops}');
  }
  const { seq, ops } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw new StoreFormatError('record.seq: expected a positive integer');
  }
  return { seq, ops: parseStoreOps(ops, 'record.ops') };
}

export interface JournalScan {
  batches: JournalBatch[];
  /** Bytes from the start that hold whole, valid records; the journal is cut here. */
  validBytes: number;
  /** Why the scan stopped before the end, if it did. */
  problem?: string;
}

/** Reads records until the end or the first torn or corrupt one (short, bad checksum, bad JSON or shape). */
export function scanJournal(data: Buffer): JournalScan {
  const batches: JournalBatch[] = [];
  let offset = 0;
  for (;;) {
    const read = readRecord(data, offset);
    if (read.kind === 'end') return { batches, validBytes: offset };
    if (read.kind === 'bad')
      return { batches, validBytes: offset, problem: `${read.reason} at byte ${offset}` };
    try {
      batches.push(decodeBatch(read.payload));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { batches, validBytes: offset, problem: `unreadable record at byte ${offset}: ${reason}` };
    }
    offset = read.end;
  }
}
