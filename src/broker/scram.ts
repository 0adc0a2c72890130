import { randomBytes } from 'node:crypto';
import { ReasonCode } from '../protocol/reason-codes';
import type { AuthExchange, AuthStep, EnhancedAuthMethod } from './enhanced-auth';
import {
  authMessage,
  clientKeyOf,
  constantTimeEqual,
  hmac,
  saltedPassword,
  serverKeyOf,
  sha256,
  xor,
} from './scram-keys';
import {
  type ClientFirst,
  channelBindingOf,
  formatServerFinal,
  formatServerFirst,
  isValidNonce,
  parseClientFinal,
  parseClientFirst,
  SCRAM_KEY_BYTES,
  ScramError,
} from './scram-messages';
import type { ClientIdentity } from './types';

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as an enhanced authentication method, server side. The
 * client-first message comes in the CONNECT's (or the re-authenticating AUTH's) Authentication
 * Data, the server-first goes out in AUTH 0x18, the client-final comes back in AUTH 0x18, and the
 * server-final (`v=`, the server's proof that it knows the password) rides on the CONNACK or on
 * AUTH 0x00. The server keeps only StoredKey and ServerKey, and runs no PBKDF2 per connection.
 */

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

/** RFC 7677 section 4: the iteration count SHOULD be at least 4096. */
export const SCRAM_DEFAULT_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const MIN_SALT_BYTES = 8;
const NONCE_BYTES = 18;

/** What the server stores for one user: never the password, nor anything that logs in as it. */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export interface ScramCredentialOptions {
  /** PBKDF2 iterations, 1 to `SCRAM_MAX_ITERATIONS`; `SCRAM_DEFAULT_ITERATIONS` when absent. */
  iterations?: number;
  /** At least 8 bytes; 16 random bytes when absent. */
  salt?: Buffer;
}

/** Derives a user's credential from the password (one PBKDF2-SHA-256 run). Throws RangeError on bad options. */
export function scramCredentialFromPassword(
  password: string,
  options: ScramCredentialOptions = {},
): ScramCredential {
  const iterations = options.iterations ?? SCRAM_DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > SCRAM_MAX_ITERATIONS) {
    throw new RangeError(
      `iterations must be an integer from 1 to ${SCRAM_MAX_ITERATIONS}, got ${iterations}`,
    );
  }
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  if (salt.length < MIN_SALT_BYTES) throw new RangeError(`salt must be at least ${MIN_SALT_BYTES} bytes`);
  const salted = saltedPassword(password, salt, iterations);
  return { salt, iterations, storedKey: sha256(clientKeyOf(salted)), serverKey: serverKeyOf(salted) };
}

export interface ScramSha256Options {
  /** The credential of a user name, or undefined for a user that does not exist. */
  lookup(username: string): ScramCredential | undefined;
  /** The server's part of each nonce (printable ASCII, no comma); 18 random bytes in base64 by default. */
  nonce?: () => string;
  /** Keys the made-up salts and keys of unknown users; 32 random bytes by default. */
  secret?: Buffer;
  /** The iteration count shown for unknown users; use the one real users have. 4096 by default. */
  fakeIterations?: number;
}

const BAD_CREDENTIALS: AuthStep = {
  kind: 'failure',
  reasonCode: ReasonCode.BadUserNameOrPassword,
  reason: 'bad user name or password',
};

function refused(reason: string): AuthStep {
  return { kind: 'failure', reasonCode: ReasonCode.NotAuthorized, reason: `SCRAM-SHA-256: ${reason}` };
}

function randomNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64');
}

/** What an exchange needs from its method: credentials and nonces. */
interface ScramServerSource {
  credentialFor(username: string): { credential: ScramCredential; known: boolean };
  serverNonce(): string;
}

/**
 * The SCRAM-SHA-256 method. An unknown user is not revealed: the exchange goes on with a salt and
 * keys made up from the user name (the same ones every time, so probing twice shows nothing) and
 * fails at the proof with 0x86, as a wrong password does. Malformed or unsupported messages
 * (channel binding, authorization identities, mandatory extensions) fail with 0x87.
 */
export class ScramSha256 implements EnhancedAuthMethod {
  readonly name = SCRAM_SHA_256;
  private readonly source: ScramServerSource;

  constructor(options: ScramSha256Options) {
    const nonce = options.nonce ?? randomNonce;
    const secret = options.secret ?? randomBytes(32);
    const fakeIterations = options.fakeIterations ?? SCRAM_DEFAULT_ITERATIONS;
    this.source = {
      credentialFor(username) {
        const credential = options.lookup(username);
        if (credential !== undefined) return { credential: checked(credential), known: true };
        const key = (label: string) => hmac(secret, `${label}\u0000${username}`);
        const salt = key('salt').subarray(0, SALT_BYTES);
        return {
          credential: {
            salt,
            iterations: fakeIterations,
            storedKey: key('stored'),
            serverKey: key('server'),
          },
          known: false,
        };
      },
      serverNonce() {
        const value = nonce();
        if (!isValidNonce(value)) throw new Error('SCRAM-SHA-256: the nonce source gave an invalid nonce');
        return value;
      },
    };
  }

  /** The identity plays no part: SCRAM names its user in the client-first message. */
  begin(_identity: Readonly<ClientIdentity>): AuthExchange {
    return new ScramServerExchange(this.source);
  }
}

/** A credential from the host's lookup is used only when it has the right shape. */
function checked(credential: ScramCredential): ScramCredential {
  const { salt, iterations, storedKey, serverKey } = credential;
  if (
    salt.length === 0 ||
    !Number.isInteger(iterations) ||
    iterations < 1 ||
    storedKey.length !== SCRAM_KEY_BYTES ||
    serverKey.length !== SCRAM_KEY_BYTES
  ) {
    throw new TypeError('SCRAM-SHA-256: the lookup returned a malformed credential');
  }
  return credential;
}

interface AwaitingFinal {
  first: ClientFirst;
  serverFirst: string;
  nonce: string;
  credential: ScramCredential;
  known: boolean;
}

type Phase =
  | { name: 'client-first'; askedForIt: boolean }
  | ({ name: 'client-final' } & AwaitingFinal)
  | { name: 'done' };

/** One authentication: client-first in, server-first out, client-final in, server-final out. */
class ScramServerExchange implements AuthExchange {
  private phase: Phase = { name: 'client-first', askedForIt: false };

  constructor(private readonly source: ScramServerSource) {}

  step(clientData: Buffer | undefined): AuthStep {
    const phase = this.phase;
    this.phase = { name: 'done' };
    try {
      switch (phase.name) {
        case 'client-first':
          return this.first(clientData, phase.askedForIt);
        case 'client-final':
          return this.final(clientData, phase);
        case 'done':
          return refused('the exchange is over');
      }
    } catch (error) {
      if (error instanceof ScramError) return refused(error.message);
      throw error;
    }
  }

  private first(clientData: Buffer | undefined, askedForIt: boolean): AuthStep {
    if (clientData === undefined || clientData.length === 0) {
      if (askedForIt) return refused('no client-first message');
      // No initial response: an empty challenge asks the client for it (RFC 4422 section 5).
      this.phase = { name: 'client-first', askedForIt: true };
      return { kind: 'continue', data: Buffer.alloc(0) };
    }
    const first = parseClientFirst(clientData);
    const { credential, known } = this.source.credentialFor(first.username);
    const nonce = first.nonce + this.source.serverNonce();
    const serverFirst = formatServerFirst(nonce, credential.salt, credential.iterations);
    this.phase = { name: 'client-final', first, serverFirst, nonce, credential, known };
    return { kind: 'continue', data: Buffer.from(serverFirst, 'utf8') };
  }

  private final(clientData: Buffer | undefined, state: AwaitingFinal): AuthStep {
    if (clientData === undefined) return refused('no client-final message');
    const final = parseClientFinal(clientData);
    if (final.nonce !== state.nonce) return refused('wrong nonce');
    // `c=` repeats the gs2 header: a 'y' or 'n' the client claimed cannot be changed on the way.
    if (final.channelBinding !== channelBindingOf(state.first.gs2Header)) {
      return refused('channel binding does not match the gs2 header');
    }
    const { credential } = state;
    const message = authMessage(state.first.bare, state.serverFirst, final.withoutProof);
    const clientKey = xor(final.proof, hmac(credential.storedKey, message));
    // Constant time: how much of the proof is right does not show in the time taken.
    const proven = constantTimeEqual(sha256(clientKey), credential.storedKey);
    if (!proven || !state.known) return BAD_CREDENTIALS;
    const signature = hmac(credential.serverKey, message);
    return {
      kind: 'success',
      data: Buffer.from(formatServerFinal(signature), 'utf8'),
      username: state.first.username,
    };
  }
}
