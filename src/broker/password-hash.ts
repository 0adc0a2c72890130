import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes for the broker's user list: `pbkdf2-sha512$<iterations>$<salt>$<hash>`, salt and
 * hash in standard base64 with padding. The string says how it was made, so a hash written today
 * keeps verifying after the default changes.
 */

const SCHEME = 'pbkdf2-sha512';
const PREFIX = `${SCHEME}$`;
const DIGEST = 'sha512';

/**
 * 10,000 iterations: the check runs synchronously on the event loop on every CONNECT that carries a
 * username, so its cost is paid by every other client and flow while it runs. That is about 10 ms on
 * a desktop core and 50-100 ms on a Raspberry Pi, the usual Node-RED host; a reconnect storm of a
 * hundred devices then stalls a Pi for seconds, not minutes. The OWASP figure for PBKDF2-SHA512
 * (210,000) would cost a Pi about two seconds per CONNECT. The hash only matters once the flow file
 * leaks; whoever wants more can pass `iterations`, and verification honours what the string says.
 */
export const DEFAULT_ITERATIONS = 10_000;
/** Stored hashes claiming more iterations are malformed: one CONNECT must not block for minutes. */
export const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
/** One SHA-512 block: longer output costs PBKDF2 a second full run and adds no strength. */
const HASH_BYTES = 64;
const MIN_SALT_BYTES = 8;
const MIN_HASH_BYTES = 16;

export interface HashOptions {
  /** PBKDF2 iterations, 1 to `MAX_ITERATIONS`; `DEFAULT_ITERATIONS` when absent. */
  iterations?: number;
  /** At least 8 bytes; 16 random bytes when absent. Tests pass one to get a fixed output. */
  salt?: Buffer;
}

interface ParsedHash {
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

/** Hashes `password` (as UTF-8) into the self-describing form. Throws RangeError on bad options. */
export function hashPassword(password: string, options: HashOptions = {}): string {
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!validIterations(iterations)) {
    throw new RangeError(`iterations must be an integer from 1 to ${MAX_ITERATIONS}, got ${iterations}`);
  }
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  if (salt.length < MIN_SALT_BYTES) throw new RangeError(`salt must be at least ${MIN_SALT_BYTES} bytes`);
  const hash = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, HASH_BYTES, DIGEST);
  return `${PREFIX}${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `stored` starts like a hash, so it is never compared as a plain password. */
export function looksLikePasswordHash(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** True when `stored` is a well-formed hash `verifyPassword` can check. */
export function isPasswordHash(stored: string): boolean {
  return parseHash(stored) !== undefined;
}

/**
 * Does `candidate` (the CONNECT password bytes) match `stored`? `stored` is either a hash from
 * `hashPassword` or a plain password (Node-RED's encrypted credentials store holds plain ones).
 * Anything starting with `pbkdf2-sha512$` is taken as a hash, and a malformed one verifies false.
 *
 * Both paths end in `timingSafeEqual` over two digests of the same length, so neither the
 * comparison nor its length check depends on how much of the candidate is right, nor on the
 * length of a plain stored password. Never throws.
 */
export function verifyPassword(stored: string, candidate: Buffer): boolean {
  if (looksLikePasswordHash(stored)) {
    const parsed = parseHash(stored);
    if (parsed === undefined) return false;
    const derived = pbkdf2Sync(candidate, parsed.salt, parsed.iterations, parsed.hash.length, DIGEST);
    return timingSafeEqual(derived, parsed.hash);
  }
  // Plain password: compare fixed-length digests, so unequal lengths take the same path as equal ones.
  return timingSafeEqual(sha512(Buffer.from(stored, 'utf8')), sha512(candidate));
}

function sha512(data: Buffer): Buffer {
  return createHash(DIGEST).update(data).digest();
}

function parseHash(stored: string): ParsedHash | undefined {
  if (!looksLikePasswordHash(stored)) return undefined;
  const parts = stored.slice(PREFIX.length).split('$');
  if (parts.length !== 3) return undefined;
  const [iterationsText = '', saltText = '', hashText = ''] = parts;
  if (!/^[1-9][0-9]{0,7}$/.test(iterationsText)) return undefined;
  const iterations = Number(iterationsText);
  if (!validIterations(iterations)) return undefined;
  const salt = decodeBase64(saltText);
  const hash = decodeBase64(hashText);
  if (salt === undefined || salt.length < MIN_SALT_BYTES) return undefined;
  if (hash === undefined || hash.length < MIN_HASH_BYTES || hash.length > HASH_BYTES) return undefined;
  return { iterations, salt, hash };
}

/** Strict base64: `Buffer.from` skips characters it does not know, so re-encode and compare. */
function decodeBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function validIterations(iterations: number): boolean {
  return Number.isInteger(iterations) && iterations >= 1 && iterations <= MAX_ITERATIONS;
}
