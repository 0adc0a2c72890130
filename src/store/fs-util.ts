import type { FileHandle } from 'node:fs/promises';
import { open, readFile, rm } from 'node:fs/promises';

/** The `code` of a Node.js system error (`'ENOENT'`, …), or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The file's bytes, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export async function removeIfExists(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Writes all of `data` at `position`, looping over short writes. */
export async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

/** Codes for platforms and file systems that cannot fsync a directory; there is nothing more to do. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP', 'EBADF']);

/** Makes a rename or a file creation in `directory` durable (POSIX needs an fsync of the directory). */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (err) {
    const code = errorCode(err);
    if (process.platform !== 'win32' && (code === undefined || !DIRECTORY_SYNC_UNSUPPORTED.has(code)))
      throw err;
  } finally {
    await handle?.close();
  }
}
