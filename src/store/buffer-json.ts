/**
 * JSON that round-trips Buffers exactly. A Buffer (or any Uint8Array) becomes `{ "$b": "<base64>" }`.
 * So that no data can be mistaken for that marker, every object key that starts with `$` gets one
 * more `$` when written and loses it when read: a user's `{ "$b": "x" }` is written `{ "$$b": "x" }`.
 * Keys whose value is `undefined` are left out, as `JSON.stringify` does.
 *
 * Both directions walk the tree themselves rather than use a replacer or reviver: `JSON.stringify`
 * would first turn each Buffer into an array of numbers (`Buffer#toJSON`), and a reviver makes
 * `JSON.parse` several times slower.
 */

const BUFFER_KEY = '$b';
const DOLLAR = 0x24;

type Json = Record<string, unknown>;

/** Sets an own property, even one named `__proto__`, without touching the prototype. */
function setOwn(target: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true });
  else target[key] = value;
}

function encodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { [BUFFER_KEY]: bytes.toString('base64') };
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  // Any other object is read as a record of its own enumerable string keys, as JSON.stringify does.
  const source = value as Json;
  const out: Json = {};
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const item = source[key];
    if (item === undefined) continue;
    setOwn(out, key.charCodeAt(0) === DOLLAR ? `$${key}` : key, encodeValue(item));
  }
  return out;
}

/** `JSON.stringify` with Buffers as markers. Throws on what JSON cannot hold (cycles, BigInt). */
export function stringifyWithBuffers(value: unknown): string {
  return JSON.stringify(encodeValue(value));
}

/** Decodes a tree fresh from `JSON.parse`, reusing its objects where nothing changes. */
function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeValue(value[i]);
    return value;
  }
  // Parsed JSON objects are plain records, read and written through their own keys.
  const target = value as Json;
  let count = 0;
  let escaped = false;
  for (const key in target) {
    count += 1;
    if (key.charCodeAt(0) === DOLLAR) escaped = true;
  }
  if (!escaped) {
    for (const key in target) {
      const item = target[key];
      const decoded = decodeValue(item);
      if (decoded !== item) setOwn(target, key, decoded);
    }
    return target;
  }
  const marker = target[BUFFER_KEY];
  if (count === 1 && marker !== undefined) {
    if (typeof marker !== 'string') throw new SyntaxError('buffer marker without a base64 string');
    return Buffer.from(marker, 'base64');
  }
  const out: Json = {};
  for (const key in target) {
    const item = decodeValue(target[key]);
    if (key.charCodeAt(0) !== DOLLAR) setOwn(out, key, item);
    else if (key.charCodeAt(1) === DOLLAR) setOwn(out, key.slice(1), item);
    else throw new SyntaxError(`unexpected key ${JSON.stringify(key)}`);
  }
  return out;
}

/** `JSON.parse` that turns markers back into Buffers. Throws `SyntaxError` on bad input. */
export function parseWithBuffers(text: string): unknown {
  return decodeValue(JSON.parse(text));
}
