import zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, as zlib and gzip compute it) of `data`. Pass the CRC of the bytes before `data`
 * as `previous` to continue a running checksum over several chunks.
 */
export type Crc32 = (data: Uint8Array, previous?: number) => number;

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const result = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    result[n] = c >>> 0;
  }
  return result;
}

/** The table-driven fallback, for Node.js releases before `zlib.crc32` (20.15). */
export function crc32Fallback(data: Uint8Array, previous = 0): number {
  if (table === undefined) table = makeTable();
  const t = table;
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) {
    crc = (t[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pickCrc32(): Crc32 {
  // Checked at run time: the type declarations have it, older Node.js 20 releases do not.
  if (typeof zlib.crc32 === 'function') {
    const native = zlib.crc32;
    return (data, previous = 0) => native(data, previous) >>> 0;
  }
  return crc32Fallback;
}

export const crc32: Crc32 = pickCrc32();
