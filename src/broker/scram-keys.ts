import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { SCRAM_KEY_BYTES } from './scram-messages';

/**
 * The key algebra of SCRAM-SHA-256 (RFC 5802 section 3, RFC 7677):
 *
 *     SaltedPassword  = Hi(Normalize(password), salt, i)     (PBKDF2-HMAC-SHA-256)
 *     ClientKey       = HMAC(SaltedPassword, "Client Key")
 *     StoredKey       = H(ClientKey)
 *     ServerKey       = HMAC(SaltedPassword, "Server Key")
 *     AuthMessage     = client-first-bare "," server-first "," client-final-without-proof
 *     ClientSignature = HMAC(StoredKey, AuthMessage)
 *     ClientProof     = ClientKey XOR ClientSignature
 *     ServerSignature = HMAC(ServerKey, AuthMessage)
 */

const HASH = 'sha256';

/**
 * `Normalize` of RFC 5802 is SASLprep (RFC 4013). Only its Unicode normalization step (NFKC) is
 * applied here, with no mapping or prohibition tables: an ASCII password is unchanged either way,
 * and a non-ASCII one is the same on both sides when both sides are this implementation.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(
    Buffer.from(normalizePassword(password), 'utf8'),
    salt,
    iterations,
    SCRAM_KEY_BYTES,
    HASH,
  );
}

export function hmac(key: Buffer, data: string): Buffer {
  return createHmac(HASH, key).update(data, 'utf8').digest();
}

export function sha256(data: Buffer): Buffer {
  return createHash(HASH).update(data).digest();
}

export function clientKeyOf(salted: Buffer): Buffer {
  return hmac(salted, 'Client Key');
}

export function serverKeyOf(salted: Buffer): Buffer {
  return hmac(salted, 'Server Key');
}

export function authMessage(
  clientFirstBare: string,
  serverFirst: string,
  clientFinalWithoutProof: string,
): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
}

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/** Byte equality in time that depends only on the length, which is public (32 bytes). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
