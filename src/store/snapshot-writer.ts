import type { FileHandle } from 'node:fs/promises';
import { stringifyWithBuffers } from './buffer-json';
import { crc32 } from './crc32';
import { writeFully } from './fs-util';
import { RECORD_HEADER_BYTES } from './record-codec';
import type { PersistedState } from './types';

/** Bytes of JSON gathered before each write. */
const CHUNK_BYTES = 1024 * 1024;
const MAX_RECORD_BYTES = 0xffffffff;

/**
 * Writes one record in pieces: the payload goes out in chunks after an 8-byte gap, with a running
 * CRC, and the header is filled in at the end. The state is never held as one string, and the event
 * loop gets a turn at every chunk.
 */
class RecordStream {
  private parts: string[] = [];
  private pending = 0;
  private length = 0;
  private crc = 0;

  constructor(private readonly handle: FileHandle) {}

  async add(text: string): Promise<void> {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= CHUNK_BYTES) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    header.writeUInt32BE(this.length, 0);
    header.writeUInt32BE(this.crc, 4);
    await writeFully(this.handle, header, 0);
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    if (this.length + chunk.length > MAX_RECORD_BYTES) throw new Error('snapshot larger than 4 GiB');
    this.crc = crc32(chunk, this.crc);
    await writeFully(this.handle, chunk, RECORD_HEADER_BYTES + this.length);
    this.length += chunk.length;
  }
}

/**
 * Writes `{"seq":n,"state":{…}}` as one record, item by item: every session (its queue entry by
 * entry) and every retained message is encoded on its own. Reads back as one JSON document.
 */
export async function streamSnapshot(handle: FileHandle, seq: number, state: PersistedState): Promise<void> {
  const out = new RecordStream(handle);
  await out.add(`{"seq":${seq},"state":{"sessions":[`);
  for (const [i, session] of state.sessions.entries()) {
    const { queue, ...rest } = session;
    // `rest` always has a clientId, so its JSON is a non-empty object that ends in '}'.
    const head = stringifyWithBuffers(rest);
    await out.add(`${i === 0 ? '' : ','}${head.slice(0, -1)},"queue":[`);
    for (const [j, entry] of queue.entries())
      await out.add(`${j === 0 ? '' : ','}${stringifyWithBuffers(entry)}`);
    await out.add(']}');
  }
  await out.add('],"retained":[');
  for (const [i, message] of state.retained.entries()) {
    await out.add(`${i === 0 ? '' : ','}${stringifyWithBuffers(message)}`);
  }
  await out.add(']}}');
  await out.finish();
}
