import { isUtf8 } from 'node:buffer';
import { errorMessage, fail, ok, type Result } from './problems';

/**
 * Payload conversion between the wire (bytes) and flows (strings, objects, Buffers).
 */

/** The `mqtt5 in` output types. */
export const OUTPUT_FORMATS = ['auto-detect', 'utf8', 'buffer', 'json', 'base64'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the message said about its payload (MQTT 5.0 3.3.2.3.2 and 3.3.2.3.9). */
export interface PayloadHints {
  payloadFormatIndicator?: boolean;
  contentType?: string;
}

export interface DecodedPayload {
  payload: unknown;
  /** Set when JSON was asked for (or announced by the content type) and the text is not JSON. */
  jsonError?: string;
}

const JSON_TYPE = /^(application|text)\/([\w.+-]+\+)?json\b/i;
const TEXT_TYPE = /^(text\/|application\/([\w.+-]+\+)?(xml|javascript|x-www-form-urlencoded)\b)/i;

function parseJson(text: string): DecodedPayload {
  try {
    return { payload: JSON.parse(text) };
  } catch (error) {
    return { payload: text, jsonError: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The payload for a flow. `auto-detect` follows the message's hints first: a JSON content type
 * is parsed, a UTF-8 payload format or a text content type gives a string, any other content
 * type a Buffer. Without hints it does what the core `mqtt in` node's auto-detect does: UTF-8
 * text that is JSON is parsed, other UTF-8 text stays a string, anything else is a Buffer.
 */
export function decodePayload(bytes: Buffer, format: OutputFormat, hints: PayloadHints): DecodedPayload {
  switch (format) {
    case 'buffer':
      return { payload: bytes };
    case 'utf8':
      return { payload: bytes.toString('utf8') };
    case 'base64':
      return { payload: bytes.toString('base64') };
    case 'json':
      return parseJson(bytes.toString('utf8'));
    case 'auto-detect':
      return autoDetect(bytes, hints);
  }
}

function autoDetect(bytes: Buffer, hints: PayloadHints): DecodedPayload {
  const type = hints.contentType;
  if (type !== undefined && JSON_TYPE.test(type)) return parseJson(bytes.toString('utf8'));
  if (hints.payloadFormatIndicator === true || (type !== undefined && TEXT_TYPE.test(type))) {
    return { payload: bytes.toString('utf8') };
  }
  if (type !== undefined && type !== '') return { payload: bytes };
  if (!isUtf8(bytes)) return { payload: bytes };
  const text = bytes.toString('utf8');
  if (text === '') return { payload: text };
  try {
    return { payload: JSON.parse(text) };
  } catch {
    return { payload: text };
  }
}

/**
 * The bytes of a flow's payload: a Buffer (or typed array) as is, a string as UTF-8, an object
 * or array as JSON, a number or boolean as its text, and nothing (null, undefined) as empty,
 * which is how a retained message is cleared. An object JSON cannot hold (a cycle, a BigInt)
 * is refused.
 */
export function encodePayload(payload: unknown): Result<Buffer> {
  if (Buffer.isBuffer(payload)) return ok(payload);
  // Any typed array or DataView as its bytes (JSON would turn a Uint16Array into `{"0":..}`).
  if (ArrayBuffer.isView(payload)) {
    return ok(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }
  if (payload instanceof ArrayBuffer) return ok(Buffer.from(payload));
  if (typeof payload === 'string') return ok(Buffer.from(payload, 'utf8'));
  if (payload === undefined || payload === null) return ok(Buffer.alloc(0));
  if (typeof payload === 'object') {
    try {
      return ok(Buffer.from(JSON.stringify(payload), 'utf8'));
    } catch (error) {
      return fail('payload-invalid', { reason: errorMessage(error) });
    }
  }
  if (typeof payload === 'bigint' || typeof payload === 'number' || typeof payload === 'boolean') {
    return ok(Buffer.from(String(payload), 'utf8'));
  }
  return fail('payload-invalid', { reason: typeof payload });
}
