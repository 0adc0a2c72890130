import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import {
  DEFAULT_ITERATIONS,
  hashPassword,
  isPasswordHash,
  looksLikePasswordHash,
  MAX_ITERATIONS,
  verifyPassword,
} from '../../src/broker/password-hash';
import type { AuthResult } from '../../src/broker/security';
import type { ClientIdentity } from '../../src/broker/types';
import { type UserAccount, UserAuthenticator, type UserAuthenticatorOptions } from '../../src/broker/users';
import { ReasonCode } from '../../src/protocol/reason-codes';

const SALT = Buffer.from('0123456789abcdef');
/** Few iterations keep the tests fast; verification reads the count from the string. */
const FAST = { iterations: 10 };

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

describe('hashPassword', () => {
  it('produces pbkdf2-sha512$<iterations>$<salt>$<hash> with a 64-byte SHA-512 derivation', () => {
    const stored = hashPassword('secret', { iterations: 1000, salt: SALT });
    const expected = pbkdf2Sync('secret', SALT, 1000, 64, 'sha512').toString('base64');
    assert.equal(stored, `pbkdf2-sha512$1000$${SALT.toString('base64')}$${expected}`);
  });

  it('uses the default iteration count and a fresh 16-byte salt each time', () => {
    const first = hashPassword('secret');
    const second = hashPassword('secret');
    assert.notEqual(first, second);
    const [, iterations, salt] = first.split('$');
    assert.equal(iterations, String(DEFAULT_ITERATIONS));
    assert.equal(Buffer.from(salt ?? '', 'base64').length, 16);
    assert.equal(verifyPassword(first, bytes('secret')), true);
  });

  it('hashes the UTF-8 bytes of the password', () => {
    const stored = hashPassword('pässwörd ✓', FAST);
    assert.equal(verifyPassword(stored, bytes('pässwörd ✓')), true);
    assert.equal(verifyPassword(stored, Buffer.from('pässwörd ✓', 'latin1')), false);
  });

  it('rejects iteration counts that are not whole numbers from 1 to the maximum', () => {
    for (const iterations of [0, -1, 1.5, Number.NaN, MAX_ITERATIONS + 1]) {
      assert.throws(() => hashPassword('x', { iterations }), RangeError, String(iterations));
    }
  });

  it('rejects a salt shorter than 8 bytes', () => {
    assert.throws(() => hashPassword('x', { ...FAST, salt: Buffer.alloc(7) }), RangeError);
    assert.doesNotThrow(() => hashPassword('x', { ...FAST, salt: Buffer.alloc(8) }));
  });
});

describe('verifyPassword', () => {
  const stored = hashPassword('correct horse', FAST);

  it('accepts the right password against a hash', () => {
    assert.equal(verifyPassword(stored, bytes('correct horse')), true);
  });

  it('refuses a wrong password of the same length, a shorter one, a longer one and an empty one', () => {
    for (const candidate of ['correct house', 'correct', 'correct horse battery staple', '']) {
      assert.equal(verifyPassword(stored, bytes(candidate)), false, candidate);
    }
  });

  it('refuses a password that differs only in its last byte', () => {
    const candidate = bytes('correct horse');
    candidate[candidate.length - 1] = 0x66;
    assert.equal(verifyPassword(stored, candidate), false);
  });

  it('honours the iteration count written in the hash', () => {
    const slow = hashPassword('pw', { iterations: 2000, salt: SALT });
    assert.equal(verifyPassword(slow, bytes('pw')), true);
    assert.equal(verifyPassword(slow.replace('$2000$', '$2001$'), bytes('pw')), false);
  });

  it('accepts a hash with a shorter derived key than 64 bytes', () => {
    const derived = pbkdf2Sync('pw', SALT, 5, 32, 'sha512').toString('base64');
    const stored32 = `pbkdf2-sha512$5$${SALT.toString('base64')}$${derived}`;
    assert.equal(verifyPassword(stored32, bytes('pw')), true);
    assert.equal(verifyPassword(stored32, bytes('px')), false);
  });

  it('compares a plain stored password, whatever the lengths', () => {
    assert.equal(verifyPassword('plain-secret', bytes('plain-secret')), true);
    assert.equal(verifyPassword('plain-secret', bytes('plain-secreT')), false);
    assert.equal(verifyPassword('plain-secret', bytes('plain')), false);
    assert.equal(verifyPassword('plain-secret', bytes('plain-secret-and-more')), false);
    assert.equal(verifyPassword('plain-secret', Buffer.alloc(0)), false);
    assert.equal(verifyPassword('', Buffer.alloc(0)), true);
  });

  it('compares binary password bytes exactly', () => {
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    assert.equal(verifyPassword(binary.toString('utf8'), binary), false);
    const hashed = `pbkdf2-sha512$3$${SALT.toString('base64')}$${pbkdf2Sync(binary, SALT, 3, 64, 'sha512').toString('base64')}`;
    assert.equal(verifyPassword(hashed, binary), true);
  });

  it('verifies false, without throwing, for malformed hashes', () => {
    const salt = SALT.toString('base64');
    const hash = pbkdf2Sync('pw', SALT, 10, 64, 'sha512').toString('base64');
    const malformed = [
      'pbkdf2-sha512$',
      'pbkdf2-sha512$10',
      `pbkdf2-sha512$10$${salt}`,
      `pbkdf2-sha512$10$${salt}$${hash}$extra`,
      `pbkdf2-sha512$$${salt}$${hash}`,
      `pbkdf2-sha512$0$${salt}$${hash}`,
      `pbkdf2-sha512$010$${salt}$${hash}`,
      `pbkdf2-sha512$-10$${salt}$${hash}`,
      `pbkdf2-sha512$1e3$${salt}$${hash}`,
      `pbkdf2-sha512$ten$${salt}$${hash}`,
      `pbkdf2-sha512$${MAX_ITERATIONS + 1}$${salt}$${hash}`,
      `pbkdf2-sha512$999999999$${salt}$${hash}`,
      `pbkdf2-sha512$10$$${hash}`,
      `pbkdf2-sha512$10$${salt}$`,
      `pbkdf2-sha512$10$not base64!$${hash}`,
      `pbkdf2-sha512$10$${salt}$${hash.slice(0, -2)}`,
      `pbkdf2-sha512$10$${Buffer.alloc(7).toString('base64')}$${hash}`,
      `pbkdf2-sha512$10$${salt}$${Buffer.alloc(15).toString('base64')}`,
      `pbkdf2-sha512$10$${salt}$${Buffer.alloc(65).toString('base64')}`,
    ];
    for (const stored of malformed) {
      assert.equal(isPasswordHash(stored), false, stored);
      assert.equal(looksLikePasswordHash(stored), true, stored);
      assert.equal(verifyPassword(stored, bytes('pw')), false, stored);
      assert.equal(verifyPassword(stored, bytes(stored)), false, `${stored} as its own password`);
    }
    assert.equal(verifyPassword(`pbkdf2-sha512$10$${salt}$${hash}`, bytes('pw')), true);
  });

  it('tells hashes from plain passwords', () => {
    assert.equal(isPasswordHash(stored), true);
    assert.equal(isPasswordHash('correct horse'), false);
    assert.equal(looksLikePasswordHash('correct horse'), false);
    assert.equal(looksLikePasswordHash('pbkdf2-sha256$1$a$b'), false);
  });
});

function identity(username?: string, clientId = 'client-1'): ClientIdentity {
  return {
    clientId,
    ...(username === undefined ? {} : { username }),
    protocolLevel: 5,
    remoteAddress: '127.0.0.1:50000',
    listener: 'tcp',
  };
}

const OK: AuthResult = { ok: true };

function reasonCodeOf(result: AuthResult): number | 'ok' {
  return result.ok ? 'ok' : result.reasonCode;
}

const USERS: UserAccount[] = [
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: hashPassword('builder', FAST) },
];

function authenticator(options: Partial<UserAuthenticatorOptions> = {}): UserAuthenticator {
  return new UserAuthenticator({ users: USERS, allowAnonymous: 'auto', ...options });
}

describe('UserAuthenticator', () => {
  describe('anonymous access', () => {
    const cases: Array<[string, UserAccount[], 'auto' | boolean, number | 'ok']> = [
      ['no users, auto', [], 'auto', 'ok'],
      ['no users, forced on', [], true, 'ok'],
      ['no users, forced off', [], false, ReasonCode.NotAuthorized],
      ['users, auto', USERS, 'auto', ReasonCode.NotAuthorized],
      ['users, forced on', USERS, true, 'ok'],
      ['users, forced off', USERS, false, ReasonCode.NotAuthorized],
    ];
    for (const [name, users, allowAnonymous, expected] of cases) {
      it(`${name}: a client without a username gets ${String(expected)}`, () => {
        const auth = new UserAuthenticator({ users, allowAnonymous });
        assert.equal(reasonCodeOf(auth.authenticate(identity(), undefined)), expected);
        assert.equal(reasonCodeOf(auth.authenticate(identity(), bytes('ignored'))), expected);
        assert.equal(auth.allowsAnonymous, expected === 'ok');
      });
    }

    it('explains a refused anonymous client as not authorized (0x87)', () => {
      const result = authenticator().authenticate(identity(), undefined);
      assert.deepEqual(result, {
        ok: false,
        reasonCode: 0x87,
        reason: 'anonymous access is not allowed: a user name is required',
      });
    });
  });

  it('reports whether users are configured', () => {
    assert.equal(authenticator().hasUsers, true);
    assert.equal(new UserAuthenticator({ users: [], allowAnonymous: 'auto' }).hasUsers, false);
  });

  it('accepts a known user with the right plain password', () => {
    assert.deepEqual(authenticator().authenticate(identity('alice'), bytes('wonderland')), OK);
  });

  it('accepts a known user with the right password against a stored hash', () => {
    assert.deepEqual(authenticator().authenticate(identity('bob'), bytes('builder')), OK);
  });

  it('accepts a known user when anonymous access is forced on or off', () => {
    for (const allowAnonymous of [true, false]) {
      assert.deepEqual(
        authenticator({ allowAnonymous }).authenticate(identity('alice'), bytes('wonderland')),
        OK,
      );
    }
  });

  it('refuses a wrong password with 0x86', () => {
    const auth = authenticator();
    assert.equal(reasonCodeOf(auth.authenticate(identity('alice'), bytes('wonderlant'))), 0x86);
    assert.equal(reasonCodeOf(auth.authenticate(identity('bob'), bytes('builder2'))), 0x86);
    assert.equal(reasonCodeOf(auth.authenticate(identity('alice'), bytes('builder'))), 0x86);
  });

  it('refuses an unknown user with 0x86, even when anonymous access is allowed', () => {
    for (const allowAnonymous of ['auto', true, false] as const) {
      const auth = authenticator({ allowAnonymous });
      assert.equal(reasonCodeOf(auth.authenticate(identity('mallory'), bytes('wonderland'))), 0x86);
      assert.equal(reasonCodeOf(auth.authenticate(identity('mallory'), bytes('other'))), 0x86);
    }
  });

  it('gives an unknown user and a wrong password the same reason', () => {
    const auth = authenticator();
    const unknown = auth.authenticate(identity('mallory'), bytes('x'));
    const wrong = auth.authenticate(identity('alice'), bytes('x'));
    assert.deepEqual(unknown, wrong);
    assert.deepEqual(wrong, { ok: false, reasonCode: 0x86, reason: 'bad user name or password' });
  });

  it('refuses a known user who sent no password with 0x86, without throwing', () => {
    const auth = authenticator();
    assert.equal(reasonCodeOf(auth.authenticate(identity('alice'), undefined)), 0x86);
    assert.equal(reasonCodeOf(auth.authenticate(identity('bob'), undefined)), 0x86);
    assert.equal(reasonCodeOf(auth.authenticate(identity('mallory'), undefined)), 0x86);
  });

  it('refuses an empty password for a user who has one', () => {
    assert.equal(reasonCodeOf(authenticator().authenticate(identity('alice'), Buffer.alloc(0))), 0x86);
  });

  it('never authenticates a user whose configured password is empty or missing', () => {
    // Node-RED leaves a credential empty when it cannot decrypt it; that must not open the account.
    const users = JSON.parse('[{"username":"ghost"},{"username":"blank","password":""}]') as UserAccount[];
    const auth = new UserAuthenticator({ users, allowAnonymous: true });
    for (const username of ['ghost', 'blank']) {
      assert.equal(reasonCodeOf(auth.authenticate(identity(username), undefined)), 0x86, username);
      assert.equal(reasonCodeOf(auth.authenticate(identity(username), Buffer.alloc(0))), 0x86, username);
      assert.equal(reasonCodeOf(auth.authenticate(identity(username), bytes('undefined'))), 0x86, username);
    }
  });

  it('treats an empty username as a username, not as anonymous', () => {
    const auth = authenticator({ allowAnonymous: true });
    assert.equal(reasonCodeOf(auth.authenticate(identity(''), bytes('x'))), 0x86);
  });

  it('matches usernames exactly, case included', () => {
    assert.equal(reasonCodeOf(authenticator().authenticate(identity('Alice'), bytes('wonderland'))), 0x86);
    assert.equal(reasonCodeOf(authenticator().authenticate(identity('alice '), bytes('wonderland'))), 0x86);
  });

  it('lets the first entry win when a username is configured twice', () => {
    const auth = new UserAuthenticator({
      users: [
        { username: 'dup', password: 'first' },
        { username: 'dup', password: 'second' },
      ],
      allowAnonymous: 'auto',
    });
    assert.deepEqual(auth.authenticate(identity('dup'), bytes('first')), OK);
    assert.equal(reasonCodeOf(auth.authenticate(identity('dup'), bytes('second'))), 0x86);
  });

  it('without configured users, takes a username as an unchecked identity when anonymous access is allowed', () => {
    const open = new UserAuthenticator({ users: [], allowAnonymous: 'auto' });
    assert.deepEqual(open.authenticate(identity('anyone'), bytes('anything')), OK);
    assert.deepEqual(open.authenticate(identity('anyone'), undefined), OK);
    const closed = new UserAuthenticator({ users: [], allowAnonymous: false });
    assert.equal(reasonCodeOf(closed.authenticate(identity('anyone'), bytes('anything'))), 0x86);
  });

  it('checks 3.1.1 and 3.1 clients the same way', () => {
    const auth = authenticator();
    for (const protocolLevel of [3, 4] as const) {
      const who = { ...identity('alice'), protocolLevel };
      assert.deepEqual(auth.authenticate(who, bytes('wonderland')), OK);
      assert.equal(reasonCodeOf(auth.authenticate(who, bytes('nope'))), 0x86);
    }
  });
});
