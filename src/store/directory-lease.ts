/**
 * At most one open FileStore per directory in this process: two writers appending to one journal
 * would interleave records. A store opening a directory whose holder is closing waits for that
 * close (a Node-RED redeploy), and fails at once if the holder is still open.
 */

export interface LeaseHolder {
  /** The holder's close in progress, or undefined while it is open. */
  closing(): Promise<void> | undefined;
}

const holders = new Map<string, LeaseHolder>();

/** Claims `directory` (an absolute path) for `holder`; resolves to the function that gives it back. */
export async function acquireDirectory(directory: string, holder: LeaseHolder): Promise<() => void> {
  for (let current = holders.get(directory); current !== undefined; current = holders.get(directory)) {
    const closing = current.closing();
    if (closing === undefined) {
      throw new Error(`${directory} is already in use by another open FileStore in this process`);
    }
    await closing.catch(() => undefined);
    // A holder that closed without giving the lease back cannot hold it any longer.
    if (holders.get(directory) === current) holders.delete(directory);
  }
  holders.set(directory, holder);
  return () => {
    if (holders.get(directory) === holder) holders.delete(directory);
  };
}
