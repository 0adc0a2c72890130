import { join, resolve } from 'node:path';

export interface FileStoreOptions {
  /** Where `state.snapshot` and `state.journal` live; created (recursively) if missing. */
  directory: string;
  /**
   * 'sync': `apply` resolves once its record is written and fsynced (survives power loss).
   * 'periodic': `apply` resolves once written (survives a process crash); fsync every `flushInterval`.
   */
  durability: 'sync' | 'periodic';
  /** Milliseconds between fsyncs in 'periodic' mode. Default 1000. */
  flushInterval?: number;
  /** Compact (write a snapshot, empty the journal) once the journal reaches this size. Default 64 MiB. */
  compactAfterBytes?: number;
  /** Told about recoveries (a cut journal tail) and background failures. */
  log?: (message: string) => void;
}

export interface FileStoreSettings {
  directory: string;
  durability: 'sync' | 'periodic';
  flushInterval: number;
  compactAfterBytes: number;
  log: (message: string) => void;
  snapshotPath: string;
  snapshotTmpPath: string;
  journalPath: string;
}

export const SNAPSHOT_FILE = 'state.snapshot';
export const SNAPSHOT_TMP_FILE = 'state.snapshot.tmp';
export const JOURNAL_FILE = 'state.journal';

const DEFAULT_FLUSH_INTERVAL = 1000;
const DEFAULT_COMPACT_AFTER_BYTES = 64 * 1024 * 1024;
/** The longest delay `setInterval` honours. */
const MAX_INTERVAL = 0x7fffffff;

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`FileStore: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** Checks the options (they may come from untyped config) and fills in the defaults. Throws if invalid. */
export function resolveSettings(options: FileStoreOptions): FileStoreSettings {
  if (options === null || typeof options !== 'object')
    throw new Error('FileStore: options must be an object');
  const { directory: dir, durability, log } = options;
  if (typeof dir !== 'string' || dir === '')
    throw new Error('FileStore: directory must be a non-empty string');
  if (durability !== 'sync' && durability !== 'periodic') {
    throw new Error(`FileStore: durability must be 'sync' or 'periodic', got ${String(durability)}`);
  }
  const directory = resolve(dir);
  return {
    directory,
    durability,
    flushInterval: Math.min(
      positive(options.flushInterval, DEFAULT_FLUSH_INTERVAL, 'flushInterval'),
      MAX_INTERVAL,
    ),
    compactAfterBytes: positive(options.compactAfterBytes, DEFAULT_COMPACT_AFTER_BYTES, 'compactAfterBytes'),
    log: typeof log === 'function' ? log : () => undefined,
    snapshotPath: join(directory, SNAPSHOT_FILE),
    snapshotTmpPath: join(directory, SNAPSHOT_TMP_FILE),
    journalPath: join(directory, JOURNAL_FILE),
  };
}
