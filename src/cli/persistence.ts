/**
 * Where the standalone broker keeps sessions, queued and in-flight messages and retained
 * messages: `memory` (lost on restart) or `file:<dir>` (the crash-safe file store in <dir>).
 * The same words on the command line (`--persistence`) and in the settings file (`"persistence"`).
 */
export type Persistence = { kind: 'memory' } | { kind: 'file'; directory: string };

export const PERSISTENCE_FORMS = 'memory or file:<dir>';

/** Reads `memory` or `file:<dir>`; undefined for anything else (an empty directory included). */
export function parsePersistence(text: string): Persistence | undefined {
  if (text === 'memory') return { kind: 'memory' };
  if (!text.startsWith('file:')) return undefined;
  const directory = text.slice('file:'.length);
  return directory.trim() === '' ? undefined : { kind: 'file', directory };
}
