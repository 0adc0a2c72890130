import assert from 'node:assert/strict';
import { decodePayload, encodePayload, OUTPUT_FORMATS } from '../../nodes/lib/payload';
import {
  mergeUserProperties,
  objectToUserProperties,
  userPropertiesToObject,
} from '../../nodes/lib/user-properties';

const JSON_TEXT = Buffer.from('{"a":1,"b":[true,null]}');
const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0x41]);

function bytesOf(payload: unknown): Buffer {
  const encoded = encodePayload(payload);
  if (!encoded.ok) throw new Error(`unexpected problem ${encoded.problem.key}`);
  return encoded.value;
}

describe('client payload decoding', () => {
  it('offers the five output formats of the mqtt5 in node', () => {
    assert.deepEqual([...OUTPUT_FORMATS], ['auto-detect', 'utf8', 'buffer', 'json', 'base64']);
  });

  it('gives the bytes themselves as a Buffer', () => {
    const decoded = decodePayload(JSON_TEXT, 'buffer', { contentType: 'application/json' });
    assert.equal(decoded.payload, JSON_TEXT);
    assert.equal(decoded.jsonError, undefined);
  });

  it('gives the bytes as UTF-8 text, whatever the hints say', () => {
    assert.deepEqual(decodePayload(Buffer.from('héllo'), 'utf8', { contentType: 'image/png' }), {
      payload: 'héllo',
    });
  });

  it('gives the bytes as base64', () => {
    assert.deepEqual(decodePayload(Buffer.from([0, 1, 0xff]), 'base64', {}), { payload: 'AAH/' });
  });

  it('parses the text as JSON when JSON is asked for', () => {
    assert.deepEqual(decodePayload(JSON_TEXT, 'json', {}), { payload: { a: 1, b: [true, null] } });
  });

  it('keeps the text and reports a jsonError when JSON is asked for and the text is not JSON', () => {
    const decoded = decodePayload(Buffer.from('not json'), 'json', {});
    assert.equal(decoded.payload, 'not json');
    assert.equal(typeof decoded.jsonError, 'string');
    assert.ok((decoded.jsonError ?? '').length > 0);
  });

  describe('auto-detect by content type', () => {
    it('parses application/json', () => {
      assert.deepEqual(decodePayload(JSON_TEXT, 'auto-detect', { contentType: 'application/json' }), {
        payload: { a: 1, b: [true, null] },
      });
    });

    it('parses a +json vendor type, and a JSON type with parameters or in capitals', () => {
      for (const contentType of [
        'application/vnd.x+json',
        'application/json; charset=utf-8',
        'Application/JSON',
        'text/json',
      ]) {
        assert.deepEqual(decodePayload(Buffer.from('[1,2]'), 'auto-detect', { contentType }), {
          payload: [1, 2],
        });
      }
    });

    it('reports a jsonError when the content type announces JSON and the text is not JSON', () => {
      const decoded = decodePayload(Buffer.from('{oops'), 'auto-detect', { contentType: 'application/json' });
      assert.equal(decoded.payload, '{oops');
      assert.ok(decoded.jsonError !== undefined);
    });

    it('gives text/plain as a string, even when the text looks like JSON', () => {
      assert.deepEqual(decodePayload(Buffer.from('42'), 'auto-detect', { contentType: 'text/plain' }), {
        payload: '42',
      });
    });

    it('gives the text types of application/ (xml, javascript, form data) as strings', () => {
      for (const contentType of ['application/xml', 'application/atom+xml', 'application/javascript']) {
        assert.deepEqual(decodePayload(Buffer.from('<a/>'), 'auto-detect', { contentType }), {
          payload: '<a/>',
        });
      }
    });

    it('gives application/octet-stream as a Buffer, even when the bytes are JSON text', () => {
      const decoded = decodePayload(JSON_TEXT, 'auto-detect', { contentType: 'application/octet-stream' });
      assert.equal(decoded.payload, JSON_TEXT);
    });

    it('gives image/png as a Buffer', () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
      assert.equal(decodePayload(png, 'auto-detect', { contentType: 'image/png' }).payload, png);
    });

    it('treats a blank content type as no content type', () => {
      assert.deepEqual(decodePayload(Buffer.from('{"x":1}'), 'auto-detect', { contentType: '' }), {
        payload: { x: 1 },
      });
    });
  });

  describe('auto-detect by payload format indicator', () => {
    it('gives a payload marked as UTF-8 as a string', () => {
      assert.deepEqual(decodePayload(JSON_TEXT, 'auto-detect', { payloadFormatIndicator: true }), {
        payload: '{"a":1,"b":[true,null]}',
      });
    });

    it('gives a payload marked UTF-8 with a binary content type as a string', () => {
      const decoded = decodePayload(Buffer.from('abc'), 'auto-detect', {
        payloadFormatIndicator: true,
        contentType: 'application/octet-stream',
      });
      assert.equal(decoded.payload, 'abc');
    });

    it('treats a payload marked as unspecified bytes like one without hints', () => {
      assert.deepEqual(decodePayload(JSON_TEXT, 'auto-detect', { payloadFormatIndicator: false }), {
        payload: { a: 1, b: [true, null] },
      });
      assert.equal(
        decodePayload(INVALID_UTF8, 'auto-detect', { payloadFormatIndicator: false }).payload,
        INVALID_UTF8,
      );
    });
  });

  describe('auto-detect without hints (as the core mqtt in node)', () => {
    it('parses a JSON object', () => {
      assert.deepEqual(decodePayload(JSON_TEXT, 'auto-detect', {}), { payload: { a: 1, b: [true, null] } });
    });

    it('parses a JSON number, string, boolean and null', () => {
      assert.deepEqual(decodePayload(Buffer.from('42'), 'auto-detect', {}), { payload: 42 });
      assert.deepEqual(decodePayload(Buffer.from('-1.5e3'), 'auto-detect', {}), { payload: -1500 });
      assert.deepEqual(decodePayload(Buffer.from('"hi"'), 'auto-detect', {}), { payload: 'hi' });
      assert.deepEqual(decodePayload(Buffer.from('true'), 'auto-detect', {}), { payload: true });
      assert.deepEqual(decodePayload(Buffer.from('null'), 'auto-detect', {}), { payload: null });
    });

    it('keeps text that is not JSON as a string, with no jsonError', () => {
      assert.deepEqual(decodePayload(Buffer.from('on'), 'auto-detect', {}), { payload: 'on' });
      assert.deepEqual(decodePayload(Buffer.from('{"a":'), 'auto-detect', {}), { payload: '{"a":' });
    });

    it('keeps bytes that are not UTF-8 as a Buffer', () => {
      assert.equal(decodePayload(INVALID_UTF8, 'auto-detect', {}).payload, INVALID_UTF8);
    });

    it('gives an empty payload as an empty string', () => {
      assert.deepEqual(decodePayload(Buffer.alloc(0), 'auto-detect', {}), { payload: '' });
    });
  });
});

describe('client payload encoding', () => {
  it('sends a Buffer as it is', () => {
    const b = Buffer.from([1, 2, 3]);
    assert.equal(bytesOf(b), b);
  });

  it('sends only the bytes a Uint8Array view covers, not its whole ArrayBuffer', () => {
    const whole = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const view = whole.subarray(2, 5);
    assert.deepEqual([...bytesOf(view)], [1, 2, 3]);
  });

  it('sends the bytes of other typed arrays and of an ArrayBuffer, not their JSON', () => {
    const words = new Uint16Array([0x0102, 0x0304]);
    assert.deepEqual(bytesOf(words), Buffer.from(words.buffer));
    assert.equal(bytesOf(words).length, 4);
    assert.deepEqual([...bytesOf(new Uint8Array([5, 6]).buffer)], [5, 6]);
  });

  it('sends a string as UTF-8', () => {
    assert.deepEqual(bytesOf('héllo'), Buffer.from('héllo', 'utf8'));
  });

  it('sends an object and an array as JSON', () => {
    assert.equal(bytesOf({ a: 1, b: 'x' }).toString(), '{"a":1,"b":"x"}');
    assert.equal(bytesOf([1, 'two', null]).toString(), '[1,"two",null]');
  });

  it('sends a number, a boolean and a bigint as their text', () => {
    assert.equal(bytesOf(42.5).toString(), '42.5');
    assert.equal(bytesOf(0).toString(), '0');
    assert.equal(bytesOf(false).toString(), 'false');
    assert.equal(bytesOf(12345678901234567890n).toString(), '12345678901234567890');
  });

  it('sends null and undefined as an empty payload (which clears a retained message)', () => {
    assert.equal(bytesOf(null).length, 0);
    assert.equal(bytesOf(undefined).length, 0);
  });

  it('refuses an object JSON cannot hold, with the reason', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular['self'] = circular;
    const encoded = encodePayload(circular);
    assert.equal(encoded.ok, false);
    if (encoded.ok) return;
    assert.equal(encoded.problem.key, 'payload-invalid');
    assert.match(String(encoded.problem.params?.['reason']), /circular/i);
    const withBigInt = encodePayload({ n: 1n });
    assert.equal(withBigInt.ok ? '' : withBigInt.problem.key, 'payload-invalid');
  });

  it('refuses a function or a symbol, naming its type', () => {
    const encoded = encodePayload(Symbol('s'));
    assert.deepEqual(encoded, {
      ok: false,
      problem: { key: 'payload-invalid', params: { reason: 'symbol' } },
    });
    assert.equal(encodePayload(() => 1).ok, false);
  });
});

describe('client user properties', () => {
  it('turns pairs into an object, a repeated key into an array of its values in order', () => {
    const object = userPropertiesToObject([
      ['unit', 'C'],
      ['tag', 'a'],
      ['tag', 'b'],
      ['tag', 'c'],
    ]);
    assert.deepEqual(object, { unit: 'C', tag: ['a', 'b', 'c'] });
    assert.deepEqual(Object.keys(object), ['unit', 'tag']);
  });

  it('gives no pairs as an empty object', () => {
    assert.deepEqual(userPropertiesToObject([]), {});
  });

  it('keeps keys that name Object.prototype members as ordinary keys', () => {
    const object = userPropertiesToObject([
      ['constructor', 'a'],
      ['toString', 'b'],
      ['__proto__', 'c'],
      ['__proto__', 'd'],
    ]);
    assert.equal(Object.getPrototypeOf(object), Object.prototype);
    assert.deepEqual(Object.keys(object), ['constructor', 'toString', '__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(object, 'constructor')?.value, 'a');
    assert.equal(Object.getOwnPropertyDescriptor(object, 'toString')?.value, 'b');
    assert.deepEqual(Object.getOwnPropertyDescriptor(object, '__proto__')?.value, ['c', 'd']);
  });

  it('turns an object into pairs, an array into one pair per element in order', () => {
    assert.deepEqual(objectToUserProperties({ unit: 'C', tag: ['a', 'b'], z: 'last' }), {
      ok: true,
      value: [
        ['unit', 'C'],
        ['tag', 'a'],
        ['tag', 'b'],
        ['z', 'last'],
      ],
    });
  });

  it('round-trips pairs with repeated keys through the object', () => {
    const pairs: [string, string][] = [
      ['a', '1'],
      ['b', 'x'],
      ['b', 'y'],
    ];
    assert.deepEqual(objectToUserProperties(userPropertiesToObject(pairs)), { ok: true, value: pairs });
  });

  it('sends numbers and booleans as their text, inside arrays too', () => {
    assert.deepEqual(objectToUserProperties({ n: 5, f: 1.5, b: true, list: [0, false] }), {
      ok: true,
      value: [
        ['n', '5'],
        ['f', '1.5'],
        ['b', 'true'],
        ['list', '0'],
        ['list', 'false'],
      ],
    });
  });

  it('refuses a nested object, null, or a nested array, naming the key', () => {
    for (const [value, key] of [
      [{ ok: 'x', deep: { a: 1 } }, 'deep'],
      [{ gone: null }, 'gone'],
      [{ list: ['a', ['b']] }, 'list'],
      [{ list: ['a', { b: 1 }] }, 'list'],
    ] as const) {
      assert.deepEqual(objectToUserProperties(value), {
        ok: false,
        problem: { key: 'user-property-invalid', params: { key } },
      });
    }
  });

  it('refuses user properties that are not an object', () => {
    for (const value of ['a=1', 5, ['a', 'b'], null]) {
      assert.deepEqual(objectToUserProperties(value), {
        ok: false,
        problem: { key: 'user-properties-invalid' },
      });
    }
  });

  describe('merging the node’s user properties with the msg’s', () => {
    const node: [string, string][] = [
      ['site', 'north'],
      ['tag', 'n1'],
      ['tag', 'n2'],
      ['unit', 'C'],
    ];

    it('keeps the node’s when the msg has none', () => {
      const merged = mergeUserProperties(node, []);
      assert.deepEqual(merged, node);
      assert.notEqual(merged, node);
    });

    it('lets the msg win key by key and keeps the node’s other keys', () => {
      assert.deepEqual(mergeUserProperties(node, [['unit', 'F']]), [
        ['site', 'north'],
        ['tag', 'n1'],
        ['tag', 'n2'],
        ['unit', 'F'],
      ]);
    });

    it('replaces all values of a repeated key as a whole', () => {
      assert.deepEqual(
        mergeUserProperties(node, [
          ['tag', 'm1'],
          ['new', 'x'],
        ]),
        [
          ['site', 'north'],
          ['unit', 'C'],
          ['tag', 'm1'],
          ['new', 'x'],
        ],
      );
    });

    it('takes the msg’s repeated values for a key the node has once', () => {
      assert.deepEqual(
        mergeUserProperties(
          [['site', 'north']],
          [
            ['site', 'a'],
            ['site', 'b'],
          ],
        ),
        [
          ['site', 'a'],
          ['site', 'b'],
        ],
      );
    });
  });
});
