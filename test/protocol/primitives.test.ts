import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { MqttError } from '../../src/protocol/errors';
import { Reader } from '../../src/protocol/reader';
import type { Packet } from '../../src/protocol/types';
import { decodeUtf8, utf8Length } from '../../src/protocol/utf8';
import { MAX_VBI, vbiLength, Writer } from '../../src/protocol/writer';
import { expectMqttError } from '../support/expect';

/** The Variable Byte Integer encodings at each length boundary (spec 1.5.5, the table in that section). */
const VBI_BOUNDARIES: [number, string][] = [
  [0, '00'],
  [1, '01'],
  [127, '7f'],
  [128, '8001'],
  [16383, 'ff7f'],
  [16384, '808001'],
  [2097151, 'ffff7f'],
  [2097152, '80808001'],
  [268435455, 'ffffff7f'],
];

function readerOf(hex: string): Reader {
  const buf = Buffer.from(hex, 'hex');
  return new Reader(buf, 0, buf.length);
}

function writeVbi(value: number): Buffer {
  const w = new Writer(Buffer.alloc(vbiLength(value)));
  w.vbi(value);
  assert.equal(w.pos, w.buf.length, 'vbiLength agrees with the bytes written');
  return w.buf;
}

function writeString(str: string): Buffer {
  const w = new Writer(Buffer.alloc(2 + utf8Length(str)));
  w.string(str);
  assert.equal(w.pos, w.buf.length, 'utf8Length agrees with the bytes written');
  return w.buf;
}

/** A valid MQTT string: any code points but U+0000, from ASCII, BMP and astral ranges. */
const mqttString = fc
  .oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
  )
  .map((s) => s.replaceAll('\u0000', ''));

describe('protocol primitives', () => {
  describe('Variable Byte Integer', () => {
    for (const [value, hex] of VBI_BOUNDARIES) {
      it(`writes ${value} as ${hex} and reads it back`, () => {
        assert.equal(writeVbi(value).toString('hex'), hex);
        const r = readerOf(hex);
        assert.equal(r.vbi(), value);
        assert.equal(r.remaining(), 0);
      });
    }

    it('gives the length of each boundary value', () => {
      for (const [value, hex] of VBI_BOUNDARIES) assert.equal(vbiLength(value), hex.length / 2, `${value}`);
      assert.equal(MAX_VBI, 268435455);
    });

    it('round-trips every value in range', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX_VBI }), (value) => {
          const buf = writeVbi(value);
          assert.equal(new Reader(buf, 0, buf.length).vbi(), value);
        }),
        { numRuns: 2000 },
      );
    });

    it('[MQTT-1.5.5-1] rejects a fifth byte (0x81)', () => {
      expectMqttError(() => readerOf('ffffffff7f').vbi(), 0x81);
      expectMqttError(() => readerOf('8080808001').vbi(), 0x81);
    });

    it('[MQTT-1.5.5-1] rejects encodings that are not the shortest (0x81)', () => {
      for (const hex of ['8000', '808000', '80808000', 'ff8000', '8100']) {
        expectMqttError(() => readerOf(hex).vbi(), 0x81, hex);
      }
    });

    it('rejects an integer cut short by the end of the packet (0x81)', () => {
      expectMqttError(() => readerOf('').vbi(), 0x81);
      expectMqttError(() => readerOf('80').vbi(), 0x81);
      expectMqttError(() => readerOf('ffff').vbi(), 0x81);
    });
  });

  describe('fixed-width integers', () => {
    it('writes and reads u8, u16 and u32 big-endian at their limits', () => {
      const w = new Writer(Buffer.alloc(1 + 2 + 2 + 4 + 4));
      w.u8(0xff);
      w.u16(0);
      w.u16(0xffff);
      w.u32(0);
      w.u32(0xffffffff);
      assert.equal(w.buf.toString('hex'), 'ff0000ffff00000000ffffffff');
      const r = new Reader(w.buf, 0, w.buf.length);
      assert.deepEqual([r.u8(), r.u16(), r.u16(), r.u32(), r.u32()], [0xff, 0, 0xffff, 0, 0xffffffff]);
      r.done();
    });

    it('round-trips random u16 and u32 values', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) => {
          const w = new Writer(Buffer.alloc(6));
          w.u16(a);
          w.u32(b);
          assert.equal(w.buf.readUInt16BE(0), a);
          assert.equal(w.buf.readUInt32BE(2), b);
          const r = new Reader(w.buf, 0, 6);
          assert.equal(r.u16(), a);
          assert.equal(r.u32(), b);
        }),
        { numRuns: 500 },
      );
    });

    it('rejects reads past the end of the packet (0x81)', () => {
      expectMqttError(() => readerOf('').u8(), 0x81);
      expectMqttError(() => readerOf('01').u16(), 0x81);
      expectMqttError(() => readerOf('010203').u32(), 0x81);
    });

    it('honours an end before the end of the buffer', () => {
      const r = new Reader(Buffer.from('01020304', 'hex'), 0, 2);
      assert.equal(r.u16(), 0x0102);
      expectMqttError(() => r.u8(), 0x81);
    });
  });

  describe('UTF-8 strings', () => {
    it('utf8Length equals Buffer.byteLength for ASCII, BMP and astral strings', () => {
      fc.assert(
        fc.property(mqttString, (s) => {
          assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'));
        }),
        { numRuns: 1000 },
      );
    });

    it('utf8Length counts 1, 2, 3 and 4 byte forms', () => {
      assert.equal(utf8Length(''), 0);
      assert.equal(utf8Length('a'), 1);
      assert.equal(utf8Length('\u00e9'), 2);
      assert.equal(utf8Length('\u07ff'), 2);
      assert.equal(utf8Length('\u0800'), 3);
      assert.equal(utf8Length('\uffff'), 3);
      assert.equal(utf8Length('\u{10000}'), 4);
      assert.equal(utf8Length('\u{10ffff}'), 4);
    });

    it('[MQTT-1.5.4-1] utf8Length rejects lone surrogates (0x81)', () => {
      for (const s of ['\ud800', '\udc00', 'a\ud800b', '\ud800\ud800', '\udc00\ud800', 'x\udbff', '\udfff']) {
        expectMqttError(() => utf8Length(s), 0x81, JSON.stringify(s));
      }
    });

    it('[MQTT-1.5.4-2] utf8Length rejects U+0000 (0x81)', () => {
      expectMqttError(() => utf8Length('\u0000'), 0x81);
      expectMqttError(() => utf8Length('ab\u0000c'), 0x81);
    });

    it('Writer.string writes a length prefix and the UTF-8 bytes, ASCII or not', () => {
      for (const s of [
        '',
        'a',
        'hello/world',
        '\u00e9t\u00e9',
        'a\u20acb',
        '\u{1f600}',
        'mixed \u00e9 \u{1f600} end',
      ]) {
        const expected = Buffer.concat([Buffer.from([0, 0]), Buffer.from(s, 'utf8')]);
        expected.writeUInt16BE(expected.length - 2, 0);
        assert.deepEqual(writeString(s), expected, JSON.stringify(s));
      }
    });

    it('Writer.string then Reader.utf8 is the identity for random strings', () => {
      fc.assert(
        fc.property(mqttString, (s) => {
          const buf = writeString(s);
          assert.equal(buf.readUInt16BE(0), Buffer.byteLength(s, 'utf8'));
          const r = new Reader(buf, 0, buf.length);
          assert.equal(r.utf8(), s);
          r.done();
        }),
        { numRuns: 1000 },
      );
    });

    it('Writer.string writes at an offset into a larger buffer', () => {
      const buf = Buffer.alloc(3 + 2 + 4);
      const w = new Writer(buf, 3);
      w.string('\u00e9\u00e9');
      assert.equal(w.pos, buf.length);
      assert.equal(buf.subarray(3).toString('hex'), '0004c3a9c3a9');
    });

    it('[MQTT-1.5.4-3] keeps a leading U+FEFF (BOM) both ways', () => {
      const buf = writeString('\ufeffx');
      assert.equal(buf.toString('hex'), '0004efbbbf78');
      const r = new Reader(buf, 0, buf.length);
      assert.equal(r.utf8(), '\ufeffx');
      assert.equal(decodeUtf8(Buffer.from('efbbbf', 'hex'), 0, 3), '\ufeff');
    });

    it('[MQTT-1.5.4-3] keeps U+FEFF at the start of a PUBLISH topic and in a user property', () => {
      const p: Packet = {
        type: 'publish',
        topic: '\ufeffa/b',
        payload: Buffer.alloc(0),
        qos: 0,
        retain: false,
        dup: false,
        properties: { userProperties: [['\ufeff', '\ufeffv']] },
      };
      const bytes = encodePacket(p, 5);
      assert.equal(bytes.subarray(2, 10).toString('hex'), '0006efbbbf612f62');
      assert.deepEqual(decodePacket(bytes, 5), p);
    });

    it('decodeUtf8 decodes a range inside a larger buffer', () => {
      const buf = Buffer.from('xx\u00e9a/bxx', 'utf8');
      assert.equal(decodeUtf8(buf, 2, buf.length - 2), '\u00e9a/b');
      assert.equal(decodeUtf8(buf, 0, 2), 'xx');
    });

    const illFormed: [string, string][] = [
      ['ed a0 80', 'an encoded high surrogate U+D800'],
      ['ed bf bf', 'an encoded low surrogate U+DFFF'],
      ['c0 80', 'an overlong U+0000'],
      ['c1 bf', 'an overlong 2-byte form'],
      ['e0 80 af', 'an overlong 3-byte form'],
      ['f0 80 80 af', 'an overlong 4-byte form'],
      ['f4 90 80 80', 'a code point above U+10FFFF'],
      ['80', 'a lone continuation byte'],
      ['e2 82', 'a truncated sequence'],
      ['61 e2 82', 'a truncated sequence after ASCII'],
      ['ff', 'the byte 0xFF'],
      ['c3 28', 'a lead byte followed by ASCII'],
    ];
    for (const [hex, what] of illFormed) {
      it(`[MQTT-1.5.4-1] decodeUtf8 rejects ${what} (0x81)`, () => {
        const buf = Buffer.from(hex.replaceAll(' ', ''), 'hex');
        expectMqttError(() => decodeUtf8(buf, 0, buf.length), 0x81);
      });
    }

    it('[MQTT-1.5.4-2] decodeUtf8 rejects U+0000 in ASCII and non-ASCII strings (0x81)', () => {
      for (const hex of ['00', '610062', 'c3a900', '00c3a9', 'c3a9610061']) {
        const buf = Buffer.from(hex, 'hex');
        expectMqttError(() => decodeUtf8(buf, 0, buf.length), 0x81, hex);
      }
    });

    it('Reader.utf8 rejects a length running past the end (0x81)', () => {
      expectMqttError(() => readerOf('000361').utf8(), 0x81);
      expectMqttError(() => readerOf('00').utf8(), 0x81);
    });
  });

  describe('binary data', () => {
    it('Writer.binary then Reader.binary round-trips, as a slice of the input', () => {
      const data = Buffer.from('00ff10', 'hex');
      const w = new Writer(Buffer.alloc(2 + data.length + 1));
      w.binary(data);
      w.u8(7);
      assert.equal(w.buf.toString('hex'), '000300ff1007');
      const r = new Reader(w.buf, 0, w.buf.length);
      const out = r.binary();
      assert.deepEqual(out, data);
      assert.equal(out.buffer, w.buf.buffer, 'binary data is a view of the packet buffer');
      assert.equal(r.u8(), 7);
      r.done();
    });

    it('Reader.binary rejects a length running past the end (0x81)', () => {
      expectMqttError(() => readerOf('0002ff').binary(), 0x81);
    });

    it('Reader.rest returns the remaining bytes and done() then passes', () => {
      const r = readerOf('0102030405');
      r.u8();
      assert.equal(r.rest().toString('hex'), '02030405');
      r.done();
    });

    it('Reader.done rejects bytes left over (0x81)', () => {
      const r = readerOf('0102');
      r.u8();
      const err = expectMqttError(() => r.done(), 0x81);
      assert.ok(err instanceof MqttError);
    });
  });
});
