import { crc32 } from './crc32';

/**
 * One record on disk: a 4-byte big-endian payload length, the 4-byte big-endian CRC-32 of the
 * payload, then the payload.
 */
export const RECORD_HEADER_BYTES = 8;

export function encodeRecord(payload: Buffer): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32BE(payload.length, 0);
  record.writeUInt32BE(crc32(payload), 4);
  payload.copy(record, RECORD_HEADER_BYTES);
  return record;
}

export type RecordRead =
  | { kind: 'record'; payload: Buffer; end: number }
  | { kind: 'end' }
  /** A record cut short or damaged: nothing from `offset` on can be trusted. */
  | { kind: 'bad'; reason: string };

/** Reads the record at `offset` of `data`. The payload is a view into `data`, not a copy. */
export function readRecord(data: Buffer, offset: number): RecordRead {
  const left = data.length - offset;
  if (left <= 0) return { kind: 'end' };
  if (left < RECORD_HEADER_BYTES) return { kind: 'bad', reason: `torn header (${left} of 8 bytes)` };
  const length = data.readUInt32BE(offset);
  const checksum = data.readUInt32BE(offset + 4);
  const start = offset + RECORD_HEADER_BYTES;
  if (length > data.length - start) {
    return { kind: 'bad', reason: `torn record (${data.length - start} of ${length} payload bytes)` };
  }
  const payload = data.subarray(start, start + length);
  if (crc32(payload) !== checksum) return { kind: 'bad', reason: 'checksum mismatch' };
  return { kind: 'record', payload, end: start + length };
}
