import assert from 'node:assert/strict';
import type { AuthExchange, AuthStep } from '../../src/broker/enhanced-auth';
import { hashPassword } from '../../src/broker/password-hash';
import {
  SCRAM_DEFAULT_ITERATIONS,
  SCRAM_SHA_256,
  type ScramCredential,
  ScramSha256,
  scramCredentialFromPassword,
} from '../../src/broker/scram';
import { ScramClient } from '../../src/broker/scram-client';
import { authMessage, clientKeyOf, hmac, saltedPassword, sha256, xor } from '../../src/broker/scram-keys';
import { escapeUsername, ScramError, unescapeUsername } from '../../src/broker/scram-messages';
import { ScramUsers } from '../../src/broker/scram-users';
import { ReasonCode } from '../../src/protocol/reason-codes';

/** RFC 7677 section 3: the SCRAM-SHA-256 test vector. */
const RFC = {
  username: 'user',
  password: 'pencil',
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  iterations: 4096,
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

/** Few iterations keep the tests that are not about the vector fast. */
const FAST = 16;

const rfcCredential = scramCredentialFromPassword(RFC.password, {
  salt: RFC.salt,
  iterations: RFC.iterations,
});

function server(
  users: Record<string, ScramCredential> = { user: rfcCredential },
  options: { nonce?: () => string; secret?: Buffer } = {},
): ScramSha256 {
  return new ScramSha256({
    lookup: (username) => users[username],
    nonce: options.nonce ?? (() => RFC.serverNonce),
    ...(options.secret === undefined ? {} : { secret: options.secret }),
  });
}

function begin(method: ScramSha256): AuthExchange {
  return method.begin({ clientId: 'c', protocolLevel: 5, remoteAddress: 'test', listener: 'default' });
}

function text(step: AuthStep): string {
  assert.ok(step.kind !== 'failure', `unexpected failure: ${step.kind === 'failure' ? step.reason : ''}`);
  return step.data?.toString('utf8') ?? '';
}

function b(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

/** Runs a whole exchange of `client` against `method`; returns the server's final step. */
function run(method: ScramSha256, client: ScramClient): AuthStep {
  const exchange = begin(method);
  const first = exchange.step(client.start());
  if (first.kind !== 'continue') return first;
  return exchange.step(client.respond(first.data));
}

function failure(step: AuthStep): { reasonCode: number; reason: string } {
  assert.equal(step.kind, 'failure');
  return step.kind === 'failure'
    ? { reasonCode: step.reasonCode, reason: step.reason }
    : { reasonCode: 0, reason: '' };
}

const fastUsers = (): Record<string, ScramCredential> => ({
  alice: scramCredentialFromPassword('secret', { iterations: FAST }),
});

function fastClient(username: string, password: string): ScramClient {
  return new ScramClient({ username, password, minIterations: 1 });
}

describe('SCRAM-SHA-256', () => {
  describe('RFC 7677 test vector', () => {
    it('derives the stored and server keys from "pencil"', () => {
      const salted = saltedPassword(RFC.password, RFC.salt, RFC.iterations);
      assert.deepEqual(rfcCredential.storedKey, sha256(clientKeyOf(salted)));
      assert.equal(rfcCredential.iterations, 4096);
    });

    it('answers the RFC client messages with the RFC server messages', () => {
      const exchange = begin(server());
      assert.equal(text(exchange.step(b(RFC.clientFirst))), RFC.serverFirst);
      const final = exchange.step(b(RFC.clientFinal));
      assert.deepEqual(final, { kind: 'success', data: b(RFC.serverFinal), username: 'user' });
    });

    it('produces the RFC client messages and accepts the RFC server signature', () => {
      const client = new ScramClient({
        username: RFC.username,
        password: RFC.password,
        nonce: () => RFC.clientNonce,
      });
      assert.equal(client.start().toString(), RFC.clientFirst);
      assert.equal(client.respond(b(RFC.serverFirst)).toString(), RFC.clientFinal);
      client.finish(b(RFC.serverFinal));
    });

    it('runs client against server to the RFC server signature', () => {
      const client = new ScramClient({ username: 'user', password: 'pencil', nonce: () => RFC.clientNonce });
      const step = run(server(), client);
      assert.equal(text(step), RFC.serverFinal);
      client.finish(step.kind === 'success' ? step.data : undefined);
    });
  });

  describe('server', () => {
    it('refuses a wrong password with 0x86 at the proof', () => {
      const step = run(server(fastUsers()), fastClient('alice', 'guess'));
      assert.deepEqual(failure(step), {
        reasonCode: ReasonCode.BadUserNameOrPassword,
        reason: 'bad user name or password',
      });
    });

    it('does not tell an unknown user from a wrong password', () => {
      const secret = Buffer.alloc(32, 7);
      const method = server(fastUsers(), { secret });
      // The same made-up salt and the default iteration count every time, and the same failure.
      const serverFirst = () => text(begin(method).step(b('n,,n=nobody,r=abc')));
      const first = serverFirst();
      assert.equal(serverFirst(), first);
      assert.match(first, /^r=abc%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,s=[A-Za-z0-9+/]{22}==,i=4096$/);
      assert.notEqual(
        text(begin(server(fastUsers(), { secret: Buffer.alloc(32, 8) })).step(b('n,,n=nobody,r=abc'))),
        first,
      );
      const unknown = new ScramClient({ username: 'nobody', password: 'x', minIterations: 1 });
      const wrong = fastClient('alice', 'guess');
      assert.deepEqual(failure(run(method, unknown)), failure(run(method, wrong)));
    });

    it('accepts the y,, gs2 header (no channel binding on either side) with c=eSws', () => {
      const exchange = begin(server(fastUsers()));
      const first = text(exchange.step(b('y,,n=alice,r=abc')));
      const [r = '', s = '', i = ''] = first.split(',');
      const nonce = r.slice(2);
      const salted = saltedPassword('secret', Buffer.from(s.slice(2), 'base64'), Number(i.slice(2)));
      const clientKey = clientKeyOf(salted);
      const withoutProof = `c=eSws,r=${nonce}`;
      const signature = hmac(sha256(clientKey), authMessage('n=alice,r=abc', first, withoutProof));
      const proof = xor(clientKey, signature).toString('base64');
      const final = exchange.step(b(`${withoutProof},p=${proof}`));
      assert.equal(final.kind, 'success');
    });

    it('refuses a c= that does not repeat the gs2 header', () => {
      const exchange = begin(server(fastUsers()));
      const first = text(exchange.step(b('n,,n=alice,r=abc')));
      const nonce = first.split(',')[0]?.slice(2) ?? '';
      const step = exchange.step(b(`c=eSws,r=${nonce},p=${Buffer.alloc(32).toString('base64')}`));
      assert.deepEqual(failure(step), {
        reasonCode: ReasonCode.NotAuthorized,
        reason: 'SCRAM-SHA-256: channel binding does not match the gs2 header',
      });
    });

    const badClientFirst: [string, string | Buffer, RegExp][] = [
      ['channel binding required', 'p=tls-unique,,n=alice,r=abc', /channel binding is not supported/],
      ['an authorization identity', 'n,a=admin,n=alice,r=abc', /authorization identities/],
      ['an unknown gs2 flag', 'x,,n=alice,r=abc', /invalid gs2 header/],
      ['no gs2 header', 'n=alice,r=abc', /no gs2 header/],
      ['a mandatory extension', 'n,,m=ext,n=alice,r=abc', /mandatory extensions/],
      ['no user name attribute', 'n,,r=abc', /expected the n= attribute/],
      ['an empty user name', 'n,,n=,r=abc', /empty user name/],
      ['a bad escape in the user name', 'n,,n=al=2Xice,r=abc', /invalid escape =2X/],
      ['a dangling escape', 'n,,n=alice=,r=abc', /invalid escape/],
      ['no nonce', 'n,,n=alice', /expected the r= attribute/],
      ['an empty nonce', 'n,,n=alice,r=', /invalid nonce/],
      ['a nonce with a space', 'n,,n=alice,r=a b', /invalid nonce/],
      ['invalid UTF-8', Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0x2c, 0x72, 0x3d, 0x61]), /UTF-8/],
    ];
    for (const [what, message, reason] of badClientFirst) {
      it(`refuses a client-first message with ${what} (0x87)`, () => {
        const step = begin(server(fastUsers())).step(typeof message === 'string' ? b(message) : message);
        const { reasonCode, reason: got } = failure(step);
        assert.equal(reasonCode, ReasonCode.NotAuthorized);
        assert.match(got, reason);
      });
    }

    const badClientFinal: [string, (nonce: string) => string, RegExp][] = [
      ['no proof', (n) => `c=biws,r=${n}`, /expected the p= attribute/],
      ['the proof not last', (n) => `c=biws,p=${'A'.repeat(43)}=,r=${n}`, /expected the p= attribute/],
      ['a proof that is not base64', (n) => `c=biws,r=${n},p=!!!!`, /invalid proof/],
      ['a short proof', (n) => `c=biws,r=${n},p=AAAA`, /invalid proof/],
      ['another nonce', () => `c=biws,r=abcdef,p=${Buffer.alloc(32).toString('base64')}`, /wrong nonce/],
      [
        'no channel binding attribute',
        (n) => `r=${n},p=${Buffer.alloc(32).toString('base64')}`,
        /c= attribute/,
      ],
    ];
    for (const [what, final, reason] of badClientFinal) {
      it(`refuses a client-final message with ${what} (0x87)`, () => {
        const exchange = begin(server(fastUsers()));
        const first = text(exchange.step(b('n,,n=alice,r=abc')));
        const { reasonCode, reason: got } = failure(
          exchange.step(b(final(first.split(',')[0]?.slice(2) ?? ''))),
        );
        assert.equal(reasonCode, ReasonCode.NotAuthorized);
        assert.match(got, reason);
      });
    }

    it('asks for the client-first message with an empty challenge when none came, once', () => {
      const method = server(fastUsers());
      const exchange = begin(method);
      assert.deepEqual(exchange.step(undefined), { kind: 'continue', data: Buffer.alloc(0) });
      assert.equal(exchange.step(Buffer.alloc(0)).kind, 'failure');
      const client = fastClient('alice', 'secret');
      const again = begin(method);
      again.step(undefined);
      const first = again.step(client.start());
      assert.equal(first.kind, 'continue');
      const final = again.step(client.respond(first.kind === 'continue' ? first.data : Buffer.alloc(0)));
      assert.equal(final.kind, 'success');
    });

    it('fails a step after the exchange is over, and a missing client-final message', () => {
      const exchange = begin(server(fastUsers()));
      exchange.step(b('n,,n=alice,r=abc'));
      assert.match(failure(exchange.step(undefined)).reason, /no client-final message/);
      assert.match(failure(exchange.step(b('anything'))).reason, /the exchange is over/);
    });

    it('authenticates a user name with , and = in it, escaped on the wire', () => {
      const name = 'a,b=c';
      const method = server({ [name]: scramCredentialFromPassword('pw', { iterations: FAST }) });
      const client = new ScramClient({
        username: name,
        password: 'pw',
        minIterations: 1,
        nonce: () => 'xyz',
      });
      assert.equal(client.start().toString(), 'n,,n=a=2Cb=3Dc,r=xyz');
      const fresh = new ScramClient({ username: name, password: 'pw', minIterations: 1 });
      const step = run(method, fresh);
      assert.equal(step.kind === 'success' ? step.username : undefined, name);
    });

    it('gives each exchange a fresh random server nonce by default', () => {
      const method = new ScramSha256({ lookup: () => undefined });
      const nonces = new Set([1, 2, 3].map(() => text(begin(method).step(b('n,,n=u,r=abc'))).split(',')[0]));
      assert.equal(nonces.size, 3);
      for (const r of nonces) assert.match(r ?? '', /^r=abc[A-Za-z0-9+/]{24}$/);
    });

    it('throws for a nonce source that gives an invalid nonce, and for a malformed credential', () => {
      assert.throws(() => begin(server(fastUsers(), { nonce: () => 'a,b' })).step(b('n,,n=alice,r=abc')));
      const broken = {
        salt: Buffer.alloc(16),
        iterations: 1,
        storedKey: Buffer.alloc(3),
        serverKey: Buffer.alloc(32),
      };
      assert.throws(() => begin(server({ alice: broken })).step(b('n,,n=alice,r=abc')), TypeError);
    });

    it('normalizes passwords with NFKC on both sides', () => {
      const composed = '\u00e9t\u00e9';
      const decomposed = 'e\u0301te\u0301';
      const method = server({ u: scramCredentialFromPassword(composed, { iterations: FAST }) });
      assert.equal(run(method, fastClient('u', decomposed)).kind, 'success');
    });
  });

  describe('scramCredentialFromPassword', () => {
    it('uses 4096 iterations and a fresh 16-byte salt by default', () => {
      const a = scramCredentialFromPassword('x');
      const b2 = scramCredentialFromPassword('x');
      assert.equal(a.iterations, SCRAM_DEFAULT_ITERATIONS);
      assert.equal(a.salt.length, 16);
      assert.notDeepEqual(a.salt, b2.salt);
      assert.equal(a.storedKey.length, 32);
      assert.equal(a.serverKey.length, 32);
    });

    it('refuses bad iteration counts and short salts', () => {
      assert.throws(() => scramCredentialFromPassword('x', { iterations: 0 }), RangeError);
      assert.throws(() => scramCredentialFromPassword('x', { iterations: 1.5 }), RangeError);
      assert.throws(() => scramCredentialFromPassword('x', { iterations: 10_000_001 }), RangeError);
      assert.throws(() => scramCredentialFromPassword('x', { salt: Buffer.alloc(7) }), RangeError);
    });
  });

  describe('ScramUsers', () => {
    it('derives plain passwords once and skips hashed and empty ones', () => {
      const users = new ScramUsers(
        [
          { username: 'alice', password: 'secret' },
          { username: 'alice', password: 'other' },
          { username: 'hashed', password: hashPassword('pw', { iterations: 1 }) },
          { username: 'empty', password: '' },
        ],
        { iterations: FAST },
      );
      assert.equal(users.size, 1);
      assert.deepEqual(users.skipped, ['hashed', 'empty']);
      assert.equal(users.lookup('alice')?.iterations, FAST);
      assert.equal(users.lookup('hashed'), undefined);
      assert.equal(users.fakeIterations, FAST);
      const method = new ScramSha256(users);
      assert.equal(method.name, SCRAM_SHA_256);
      assert.equal(run(method, fastClient('alice', 'secret')).kind, 'success');
      assert.equal(run(method, fastClient('alice', 'other')).kind, 'failure');
      // Unknown users are shown the same iteration count as real ones.
      const first = text(begin(method).step(b('n,,n=hashed,r=abc')));
      assert.match(first, new RegExp(`,i=${FAST}$`));
    });
  });

  describe('ScramClient', () => {
    const serverFirst = (nonce: string, iterations = 4096) =>
      b(`r=${nonce},s=${RFC.salt.toString('base64')},i=${iterations}`);

    function started(options: Partial<ConstructorParameters<typeof ScramClient>[0]> = {}): ScramClient {
      const client = new ScramClient({ username: 'u', password: 'p', nonce: () => 'cn', ...options });
      client.start();
      return client;
    }

    it('refuses a server nonce that does not extend its own', () => {
      assert.throws(() => started().respond(serverFirst('xx123')), /does not extend/);
      assert.throws(() => started().respond(serverFirst('cn')), /does not extend/);
    });

    it('refuses iteration counts outside its bounds', () => {
      assert.throws(() => started().respond(serverFirst('cn1', 4095)), /outside 4096\.\.1000000/);
      assert.throws(() => started({ maxIterations: 5000 }).respond(serverFirst('cn1', 5001)), /outside/);
    });

    it('refuses a wrong server signature and a server error', () => {
      const wrong = started();
      wrong.respond(serverFirst('cn1'));
      assert.throws(
        () => wrong.finish(b(`v=${Buffer.alloc(32).toString('base64')}`)),
        /wrong server signature/,
      );
      const refused = started();
      refused.respond(serverFirst('cn1'));
      assert.throws(() => refused.finish(b('e=invalid-proof')), /the server refused: invalid-proof/);
      const none = started();
      none.respond(serverFirst('cn1'));
      assert.throws(() => none.finish(undefined), /no server-final message/);
    });

    it('refuses malformed server-first messages', () => {
      for (const message of [
        's=abc,i=1',
        'r=cn1,s=,i=4096',
        'r=cn1,s=!!,i=4096',
        'r=cn1,s=AAAA,i=0',
        'm=x,r=cn1',
      ]) {
        assert.throws(() => started().respond(b(message)), ScramError, message);
      }
    });

    it('refuses to be used out of order', () => {
      const client = new ScramClient({ username: 'u', password: 'p' });
      assert.throws(() => client.respond(serverFirst('x')), /not waiting/);
      assert.throws(() => client.finish(b('v=')), /not waiting/);
      client.start();
      assert.throws(() => client.start(), /already started/);
      assert.throws(() => new ScramClient({ username: '', password: 'p' }).start(), /empty user name/);
      assert.throws(
        () => new ScramClient({ username: 'u', password: 'p', nonce: () => '' }).start(),
        /nonce/,
      );
    });
  });

  describe('user name escaping', () => {
    it('round-trips , and =', () => {
      for (const name of ['plain', 'a,b', 'a=b', '=,=2C', 'ünï']) {
        assert.equal(unescapeUsername(escapeUsername(name)), name);
      }
      assert.equal(escapeUsername('a=2C,'), 'a=3D2C=2C');
    });
  });
});
