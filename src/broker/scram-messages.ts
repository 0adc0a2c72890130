import { isUtf8 } from 'node:buffer';

/**
 * SCRAM messages (RFC 5802 section 7), parsed and formatted: what SCRAM-SHA-256 without channel
 * binding needs on both sides. Parsers throw `ScramError`; the exchange turns it into a failure.
 *
 * - client-first: `n,,n=<user>,r=<client nonce>` (gs2 header `n,,` or `y,,`; `p=` asks for channel
 *   binding and an authorization identity `a=` is not supported).
 * - server-first: `r=<client nonce + server nonce>,s=<salt, base64>,i=<iterations>`.
 * - client-final: `c=<gs2 header, base64>,r=<nonce>,p=<proof, base64>`.
 * - server-final: `v=<server signature, base64>` or `e=<error>`.
 *
 * Attribute values never hold a comma (RFC 5802 section 7), so splitting on commas is exact.
 */

export class ScramError extends Error {
  override readonly name = 'ScramError';
}

export interface ClientFirst {
  /** The gs2 header as sent (`n,,` or `y,,`): the client-final `c=` must be its base64. */
  gs2Header: string;
  username: string;
  nonce: string;
  /** client-first-message-bare: the first part of the AuthMessage. */
  bare: string;
}

export interface ServerFirst {
  nonce: string;
  salt: Buffer;
  iterations: number;
}

export interface ClientFinal {
  /** The `c=` value as sent (base64 of the gs2 header). */
  channelBinding: string;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof: the last part of the AuthMessage. */
  withoutProof: string;
}

export type ServerFinal = { kind: 'verifier'; signature: Buffer } | { kind: 'error'; error: string };

/** SHA-256 output, and so the length of a proof and a signature. */
export const SCRAM_KEY_BYTES = 32;

const MAX_ITERATIONS = 0xffffffff;

function text(message: Buffer, what: string): string {
  // RFC 5802 section 7: messages are UTF-8; the server error for anything else is invalid-encoding.
  if (!isUtf8(message)) throw new ScramError(`${what} is not valid UTF-8`);
  return message.toString('utf8');
}

/** The value of attribute `name` in `part` (`name=value`), or a ScramError. */
function attribute(part: string | undefined, name: string, what: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) {
    throw new ScramError(`${what}: expected the ${name}= attribute`);
  }
  return part.slice(name.length + 1);
}

/** RFC 5802 section 5.1: `m=` is reserved, and its presence MUST fail the authentication. */
function refuseMandatoryExtension(part: string | undefined, what: string): void {
  if (part?.startsWith('m=') === true)
    throw new ScramError(`${what}: mandatory extensions are not supported`);
}

/** `printable` of RFC 5802: %x21-2B / %x2D-7E, at least one character. */
export function isValidNonce(nonce: string): boolean {
  if (nonce.length === 0) return false;
  for (let i = 0; i < nonce.length; i++) {
    const c = nonce.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x2c) return false;
  }
  return true;
}

function nonceOf(part: string | undefined, what: string): string {
  const nonce = attribute(part, 'r', what);
  if (!isValidNonce(nonce)) throw new ScramError(`${what}: invalid nonce`);
  return nonce;
}

/** Strict base64: `Buffer.from` skips characters it does not know, so re-encode and compare. */
export function decodeBase64(value: string): Buffer | undefined {
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}

/** A user name as a `saslname`: `=` becomes `=3D` and `,` becomes `=2C` (RFC 5802 section 5.1). */
export function escapeUsername(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The user name a `saslname` stands for; any `=` not starting `=2C` or `=3D` is an error. */
export function unescapeUsername(saslname: string): string {
  if (saslname.length === 0) throw new ScramError('empty user name');
  if (saslname.includes('\u0000')) throw new ScramError('NUL in the user name');
  return saslname.replace(/=(..)?/g, (match, code: string | undefined) => {
    if (code === '2C') return ',';
    if (code === '3D') return '=';
    throw new ScramError(`invalid escape ${match} in the user name`);
  });
}

export function parseClientFirst(message: Buffer): ClientFirst {
  const what = 'client-first message';
  const full = text(message, what);
  const flagEnd = full.indexOf(',');
  const authzEnd = flagEnd < 0 ? -1 : full.indexOf(',', flagEnd + 1);
  if (authzEnd < 0) throw new ScramError(`${what}: no gs2 header`);
  const flag = full.slice(0, flagEnd);
  // 'y': the client supports channel binding but thinks the server does not; so it is, and the
  // server accepts it (RFC 5802 section 6). 'p=': the client requires channel binding.
  if (flag.startsWith('p=')) throw new ScramError(`${what}: channel binding is not supported`);
  if (flag !== 'n' && flag !== 'y') throw new ScramError(`${what}: invalid gs2 header`);
  if (authzEnd !== flagEnd + 1) throw new ScramError(`${what}: authorization identities are not supported`);
  const bare = full.slice(authzEnd + 1);
  const parts = bare.split(',');
  refuseMandatoryExtension(parts[0], what);
  const username = unescapeUsername(attribute(parts[0], 'n', what));
  const nonce = nonceOf(parts[1], what);
  return { gs2Header: full.slice(0, authzEnd + 1), username, nonce, bare };
}

export function parseServerFirst(message: Buffer): ServerFirst {
  const what = 'server-first message';
  const parts = text(message, what).split(',');
  refuseMandatoryExtension(parts[0], what);
  const nonce = nonceOf(parts[0], what);
  const salt = decodeBase64(attribute(parts[1], 's', what));
  if (salt === undefined || salt.length === 0) throw new ScramError(`${what}: invalid salt`);
  const count = attribute(parts[2], 'i', what);
  const iterations = Number(count);
  if (!/^[1-9][0-9]{0,9}$/.test(count) || iterations > MAX_ITERATIONS) {
    throw new ScramError(`${what}: invalid iteration count`);
  }
  return { nonce, salt, iterations };
}

export function parseClientFinal(message: Buffer): ClientFinal {
  const what = 'client-final message';
  const parts = text(message, what).split(',');
  // The proof comes last (RFC 5802 section 7); extensions may sit between the nonce and it.
  const proofText = attribute(parts.pop(), 'p', what);
  const channelBinding = attribute(parts[0], 'c', what);
  const nonce = nonceOf(parts[1], what);
  const proof = decodeBase64(proofText);
  if (proof === undefined || proof.length !== SCRAM_KEY_BYTES) throw new ScramError(`${what}: invalid proof`);
  return { channelBinding, nonce, proof, withoutProof: parts.join(',') };
}

export function parseServerFinal(message: Buffer): ServerFinal {
  const what = 'server-final message';
  const first = text(message, what).split(',')[0];
  if (first?.startsWith('e=') === true) return { kind: 'error', error: first.slice(2) };
  const signature = decodeBase64(attribute(first, 'v', what));
  if (signature === undefined || signature.length !== SCRAM_KEY_BYTES) {
    throw new ScramError(`${what}: invalid server signature`);
  }
  return { kind: 'verifier', signature };
}

/** The gs2 header this implementation sends: no channel binding, no authorization identity. */
export const GS2_HEADER = 'n,,';

export function formatClientFirstBare(username: string, nonce: string): string {
  return `n=${escapeUsername(username)},r=${nonce}`;
}

export function formatServerFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

/** The `c=` value: the gs2 header in base64 (`biws` for `n,,`), as no channel binding data follows. */
export function channelBindingOf(gs2Header: string): string {
  return Buffer.from(gs2Header, 'utf8').toString('base64');
}

export function formatClientFinalWithoutProof(gs2Header: string, nonce: string): string {
  return `c=${channelBindingOf(gs2Header)},r=${nonce}`;
}

export function formatServerFinal(signature: Buffer): string {
  return `v=${signature.toString('base64')}`;
}
