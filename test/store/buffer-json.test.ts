import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseWithBuffers, stringifyWithBuffers } from '../../src/store/buffer-json';

function roundTrip(value: unknown): unknown {
  return parseWithBuffers(stringifyWithBuffers(value));
}

describe('buffer-json', () => {
  it('round-trips Buffers byte-exact, empty and binary, nested in objects and arrays', () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const value = { a: Buffer.alloc(0), b: [binary, { c: Buffer.from('hi') }], d: 'text' };
    const back = roundTrip(value);
    assert.deepEqual(back, value);
  });

  it('writes a Buffer as a {"$b": base64} marker', () => {
    assert.equal(stringifyWithBuffers({ p: Buffer.from('hi') }), '{"p":{"$b":"aGk="}}');
  });

  it('never turns user data that looks like a marker into a Buffer', () => {
    const value = {
      asObject: { $b: 'AAAA' },
      escaped: { $$b: 'AAAA', $: 1, $$: 2, $x: null },
      asText: '{"$b":"AAAA"}',
      asBytes: Buffer.from('{"$b":"AAAA"}'),
      wrapped: { $b: Buffer.from([1, 2]) },
    };
    const back = roundTrip(value);
    assert.deepEqual(back, value);
    assert.equal(stringifyWithBuffers({ $b: 'x' }), '{"$$b":"x"}');
  });

  it('turns any Uint8Array into a Buffer and leaves undefined fields out', () => {
    assert.deepEqual(roundTrip({ u: new Uint8Array([7, 8]), gone: undefined }), { u: Buffer.from([7, 8]) });
  });

  it('rejects a marker without a base64 string, and an unescaped $ key', () => {
    assert.throws(() => parseWithBuffers('{"$b":7}'), SyntaxError);
    assert.throws(() => parseWithBuffers('{"$x":1}'), SyntaxError);
  });

  it('round-trips arbitrary JSON with Buffers and $-keys (property)', () => {
    const key = fc.oneof(fc.constantFrom('$b', '$$b', '$', '$$', 'b', '$bb'), fc.string({ maxLength: 4 }));
    const values = [
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
    ];
    const arbitrary = fc.object({ key: key.filter((k) => k !== '__proto__'), values, maxDepth: 3 });
    fc.assert(
      fc.property(arbitrary, (value) => {
        assert.deepEqual(roundTrip(value), value);
      }),
      { numRuns: 300 },
    );
  });
});
