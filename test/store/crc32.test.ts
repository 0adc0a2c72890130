import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32, crc32Fallback } from '../../src/store/crc32';

describe('crc32', () => {
  it('gives the standard check value for "123456789" and 0 for no bytes', () => {
    for (const fn of [crc32, crc32Fallback]) {
      assert.equal(fn(Buffer.from('123456789')), 0xcbf43926);
      assert.equal(fn(Buffer.alloc(0)), 0);
    }
  });

  it('has a fallback that agrees with zlib on random data', () => {
    for (let i = 0; i < 50; i++) {
      const data = randomBytes(i * 37);
      assert.equal(crc32Fallback(data), crc32(data));
    }
  });
});

describe('crc32 over chunks', () => {
  it('continues a running checksum across chunks, natively and in the fallback', () => {
    const data = randomBytes(1000);
    for (const fn of [crc32, crc32Fallback]) {
      assert.equal(fn(data.subarray(300), fn(data.subarray(0, 300))), crc32(data));
    }
  });
});
