import { looksLikePasswordHash } from './password-hash';
import {
  SCRAM_DEFAULT_ITERATIONS,
  type ScramCredential,
  type ScramSha256Options,
  scramCredentialFromPassword,
} from './scram';
import type { UserAccount } from './users';

export interface ScramUsersOptions {
  /** PBKDF2 iterations of the derived credentials; `SCRAM_DEFAULT_ITERATIONS` (4096) when absent. */
  iterations?: number;
}

/**
 * SCRAM-SHA-256 credentials for the user list `UserAuthenticator` takes, derived once here (one
 * PBKDF2-SHA-256 run per user, with a fresh salt at every start). It is a set of `ScramSha256`
 * options: `new ScramSha256(new ScramUsers(users))`.
 *
 * Left out, so they cannot log in with SCRAM (`skipped` names them for the host to report):
 * - users whose password is stored as a `pbkdf2-sha512$...` hash: SCRAM-SHA-256 needs
 *   PBKDF2-HMAC-SHA-256 of the password itself, which a SHA-512 hash cannot give. They still log
 *   in with a CONNECT password.
 * - users with an empty password, whom `UserAuthenticator` never accepts either.
 *
 * As in `UserAuthenticator`, the first entry for a username wins.
 */
export class ScramUsers implements ScramSha256Options {
  readonly skipped: readonly string[];
  /** Unknown users are shown the iteration count real ones have. */
  readonly fakeIterations: number;
  private readonly credentials = new Map<string, ScramCredential>();
  readonly lookup = (username: string): ScramCredential | undefined => this.credentials.get(username);

  /** Throws RangeError for an iteration count `scramCredentialFromPassword` refuses. */
  constructor(users: readonly UserAccount[], options: ScramUsersOptions = {}) {
    const seen = new Set<string>();
    const skipped: string[] = [];
    this.fakeIterations = options.iterations ?? SCRAM_DEFAULT_ITERATIONS;
    const derive = { iterations: this.fakeIterations };
    for (const user of users) {
      if (seen.has(user.username)) continue;
      seen.add(user.username);
      // A missing password from an untyped config is empty.
      const password = typeof user.password === 'string' ? user.password : '';
      if (password === '' || looksLikePasswordHash(password)) skipped.push(user.username);
      else this.credentials.set(user.username, scramCredentialFromPassword(password, derive));
    }
    this.skipped = skipped;
  }

  get size(): number {
    return this.credentials.size;
  }
}
