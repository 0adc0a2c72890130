import { ReasonCode } from '../protocol/reason-codes';
import { hashPassword, verifyPassword } from './password-hash';
import type { Authenticator, AuthResult } from './security';
import type { ClientIdentity } from './types';

/** One configured user; `password` is plain text or a `hashPassword` string. */
export interface UserAccount {
  username: string;
  password: string;
}

export interface UserAuthenticatorOptions {
  users: readonly UserAccount[];
  /**
   * May a client connect without a username? `'auto'` (the default in the editor) allows it only
   * while no users are configured, as mosquitto 2.x does; `true` and `false` force it.
   */
  allowAnonymous: 'auto' | boolean;
}

const OK: AuthResult = { ok: true };
/** One reason for an unknown user and a wrong password alike, so a refusal does not tell them apart. */
const BAD_CREDENTIALS: AuthResult = {
  ok: false,
  reasonCode: ReasonCode.BadUserNameOrPassword,
  reason: 'bad user name or password',
};
const ANONYMOUS_REFUSED: AuthResult = {
  ok: false,
  reasonCode: ReasonCode.NotAuthorized,
  reason: 'anonymous access is not allowed: a user name is required',
};

/**
 * Checks CONNECT user names and passwords against a configured list (spec 3.1.3.5, 3.1.3.6).
 *
 * - No username: allowed when anonymous access is; otherwise 0x87 Not authorized.
 * - A username while no users are configured: there is nothing to check it against, so it is
 *   treated like an anonymous client (mosquitto does the same without a password file).
 * - A configured username: the password must be present and match, otherwise 0x86 Bad user name
 *   or password. A user configured with an empty password (Node-RED leaves credentials empty when
 *   it cannot decrypt them) never authenticates, so lost credentials cannot open the broker.
 * - An unknown username: 0x86, after the same password work as a known one.
 */
export class UserAuthenticator implements Authenticator {
  readonly hasUsers: boolean;
  readonly allowsAnonymous: boolean;
  private readonly passwords = new Map<string, string>();
  /** Compared against when the username is unknown, so that takes as long as a wrong password. */
  private dummyHash: string | undefined;

  constructor(options: UserAuthenticatorOptions) {
    for (const user of options.users) {
      // The first entry for a username wins. A missing password from an untyped config is empty.
      const password = typeof user.password === 'string' ? user.password : '';
      if (!this.passwords.has(user.username)) this.passwords.set(user.username, password);
    }
    this.hasUsers = this.passwords.size > 0;
    this.allowsAnonymous = options.allowAnonymous === 'auto' ? !this.hasUsers : options.allowAnonymous;
  }

  authenticate(identity: ClientIdentity, password: Buffer | undefined): AuthResult {
    const username = identity.username;
    if (username === undefined || !this.hasUsers) {
      if (this.allowsAnonymous) return OK;
      return username === undefined ? ANONYMOUS_REFUSED : BAD_CREDENTIALS;
    }
    // Never dereference a missing password (node-red-contrib-aedes crashed here).
    if (password === undefined) return BAD_CREDENTIALS;
    const stored = this.passwords.get(username);
    if (stored === undefined) {
      this.dummyHash ??= hashPassword('');
      verifyPassword(this.dummyHash, password);
      return BAD_CREDENTIALS;
    }
    if (stored === '') return BAD_CREDENTIALS;
    return verifyPassword(stored, password) ? OK : BAD_CREDENTIALS;
  }
}
