import assert from 'node:assert/strict';
import {
  AclAuthorizer,
  type AclRule,
  aclRuleProblem,
  filterCovers,
  filtersOverlap,
  isSysTopic,
} from '../../src/broker/acl';
import type { AccessKind, ClientIdentity } from '../../src/broker/types';
import { topicMatches } from '../../src/topic/match';

function identity(username?: string, clientId = 'client-1'): ClientIdentity {
  return {
    clientId,
    ...(username === undefined ? {} : { username }),
    protocolLevel: 5,
    remoteAddress: '127.0.0.1:50000',
    listener: 'tcp',
  };
}

const ANONYMOUS = identity();
const ALICE = identity('alice', 'alice-laptop');
const BOB = identity('bob', 'bob-phone');
const CAROL = identity('carol', 'carol-1');

function expectAccess(
  acl: AclAuthorizer,
  who: ClientIdentity,
  kind: AccessKind,
  allowed: readonly string[],
  denied: readonly string[],
): void {
  const name = who.username ?? '(anonymous)';
  for (const topic of allowed)
    assert.equal(acl.allows(who, kind, topic), true, `${name} may ${kind} ${topic}`);
  for (const topic of denied)
    assert.equal(acl.allows(who, kind, topic), false, `${name} may not ${kind} ${topic}`);
}

describe('AclAuthorizer', () => {
  describe('without rules', () => {
    const acl = new AclAuthorizer([]);

    it('allows every publish and subscribe except publishing to $SYS', () => {
      expectAccess(
        acl,
        ANONYMOUS,
        'publish',
        ['a', 'a/b/c', '$other/x', '/'],
        ['$SYS', '$SYS/broker/uptime'],
      );
      expectAccess(acl, ALICE, 'subscribe', ['#', 'a/+/c', '$SYS/#', '$SYS'], []);
      assert.equal(acl.ruleCount, 0);
    });

    it('treats every topic whose name starts with $SYS as read-only', () => {
      expectAccess(acl, ALICE, 'publish', ['SYS/x', 'a/$SYS'], ['$SYS/', '$SYSTEM/x', '$SYS-x']);
    });
  });

  describe('per-user rules', () => {
    const acl = new AclAuthorizer([
      { username: 'alice', access: 'readwrite', topic: 'home/alice/#' },
      { username: 'bob', access: 'read', topic: 'home/#' },
      { username: 'bob', access: 'write', topic: 'home/bob/out' },
    ]);

    it('grants a user what their rules grant and nothing else', () => {
      expectAccess(
        acl,
        ALICE,
        'publish',
        ['home/alice', 'home/alice/lamp'],
        ['home/bob/lamp', 'home', 'other'],
      );
      expectAccess(acl, ALICE, 'subscribe', ['home/alice/#', 'home/alice/+'], ['home/#', 'home/+/lamp']);
    });

    it('lets read govern subscribe and write govern publish', () => {
      expectAccess(
        acl,
        BOB,
        'subscribe',
        ['home/#', 'home/alice/lamp', 'home/bob/out/x'],
        ['house/x', 'other/#'],
      );
      expectAccess(acl, BOB, 'publish', ['home/bob/out'], ['home/alice/lamp', 'home/bob']);
      assert.equal(acl.allows(BOB, 'subscribe', 'home/bob/out'), true);
      assert.equal(acl.allows(BOB, 'subscribe', 'elsewhere/bob/out'), false);
    });

    it('denies users without rules and anonymous clients', () => {
      for (const who of [CAROL, ANONYMOUS]) {
        expectAccess(acl, who, 'publish', [], ['home/alice/lamp', 'home/x']);
        expectAccess(acl, who, 'subscribe', [], ['home/#', '#']);
      }
    });

    it('counts its rules', () => {
      assert.equal(acl.ruleCount, 3);
    });
  });

  describe('pattern rules with %u and %c', () => {
    const acl = new AclAuthorizer([
      { access: 'readwrite', topic: 'users/%u/#' },
      { access: 'write', topic: 'clients/%c/status' },
      { access: 'read', topic: 'mixed/%u-%c' },
    ]);

    it('substitutes the username for %u', () => {
      expectAccess(acl, ALICE, 'publish', ['users/alice', 'users/alice/x/y'], ['users/bob/x', 'users/%u/x']);
      expectAccess(acl, ALICE, 'subscribe', ['users/alice/#'], ['users/#', 'users/+/x']);
      expectAccess(acl, BOB, 'publish', ['users/bob/x'], ['users/alice/x']);
    });

    it('substitutes the client id for %c', () => {
      expectAccess(acl, ALICE, 'publish', ['clients/alice-laptop/status'], ['clients/bob-phone/status']);
      expectAccess(acl, ANONYMOUS, 'publish', ['clients/client-1/status'], ['clients/%c/status']);
    });

    it('substitutes both inside one level', () => {
      expectAccess(acl, ALICE, 'subscribe', ['mixed/alice-alice-laptop'], ['mixed/alice-bob-phone']);
    });

    it('never applies a %u rule to a client without a username', () => {
      expectAccess(acl, ANONYMOUS, 'publish', [], ['users/', 'users/undefined/x', 'users//x']);
      expectAccess(acl, ANONYMOUS, 'subscribe', [], ['mixed/-client-1', 'mixed/undefined-client-1']);
    });

    it('leaves a grant out when a value holds +, #, / or is empty, so it cannot widen the rule', () => {
      for (const username of ['+', '#', 'a+b', 'x/y', 'a#', '']) {
        const who = identity(username);
        const substituted = `users/${username}/t`;
        assert.equal(acl.allows(who, 'publish', 'users/zzz/t'), false, username);
        assert.equal(acl.allows(who, 'publish', substituted), false, username);
        assert.equal(acl.allows(who, 'subscribe', 'users/#'), false, username);
      }
      expectAccess(
        acl,
        identity('alice', 'c/+'),
        'publish',
        [],
        ['clients/c/+/status', 'clients/c/x/status'],
      );
    });

    it('leaves a grant out when a value would start the filter with $', () => {
      const starts = new AclAuthorizer([{ access: 'readwrite', topic: '%u/#' }]);
      expectAccess(starts, identity('alice'), 'subscribe', ['alice/#'], []);
      expectAccess(starts, identity('$SYS'), 'subscribe', [], ['$SYS/#', '$SYS/broker/load']);
      expectAccess(starts, identity('$share'), 'publish', [], ['$share/x']);
      const dollar = new AclAuthorizer([{ access: 'read', topic: '$%u/#' }]);
      expectAccess(dollar, identity('SYS'), 'subscribe', ['$SYS/#'], []);
    });

    it('substitutes in one pass, so a username holding %c stays literal', () => {
      const who = identity('%c', 'victim');
      expectAccess(acl, who, 'publish', ['users/%c/t'], ['users/victim/t']);
    });
  });

  describe('client id rules', () => {
    const acl = new AclAuthorizer([
      { clientId: 'sensor-1', access: 'write', topic: 'sensors/1/#' },
      { username: 'alice', clientId: 'alice-laptop', access: 'read', topic: 'laptop/#' },
    ]);

    it('applies a clientId rule to that client only, with or without a username', () => {
      expectAccess(acl, identity(undefined, 'sensor-1'), 'publish', ['sensors/1/t'], ['sensors/2/t']);
      expectAccess(acl, identity('bob', 'sensor-1'), 'publish', ['sensors/1/t'], []);
      expectAccess(acl, identity(undefined, 'sensor-2'), 'publish', [], ['sensors/1/t']);
    });

    it('needs both the username and the client id when a rule names both', () => {
      expectAccess(acl, ALICE, 'subscribe', ['laptop/#'], []);
      expectAccess(acl, identity('alice', 'alice-phone'), 'subscribe', [], ['laptop/#']);
      expectAccess(acl, identity('bob', 'alice-laptop'), 'subscribe', [], ['laptop/#']);
    });
  });

  describe('deny rules', () => {
    const rules: AclRule[] = [
      { access: 'readwrite', topic: '#' },
      { access: 'deny', topic: 'secret/#' },
      { username: 'alice', access: 'deny', topic: 'alice-banned' },
      { username: 'bob', access: 'readwrite', topic: 'secret/bob' },
    ];

    it('wins over grants, whatever the order of the rules', () => {
      for (const ordered of [rules, [...rules].reverse()]) {
        const acl = new AclAuthorizer(ordered);
        expectAccess(acl, ALICE, 'publish', ['public/x', 'secrets'], ['secret', 'secret/x', 'alice-banned']);
        expectAccess(acl, BOB, 'publish', ['alice-banned'], ['secret/bob']);
        expectAccess(acl, ANONYMOUS, 'publish', ['public'], ['secret/x']);
      }
    });

    it('refuses a subscription whose filter can reach a denied topic', () => {
      const acl = new AclAuthorizer(rules);
      expectAccess(
        acl,
        CAROL,
        'subscribe',
        ['public/#', 'secrets/#', 'a/+'],
        ['#', 'secret/+', '+/x', '+', '+/public'],
      );
      expectAccess(acl, ALICE, 'subscribe', ['alice-banned/x'], ['alice-banned', '+', 'alice-banned/#']);
    });

    it('lets a user deny win over a pattern grant and a pattern deny win over a user grant', () => {
      const acl = new AclAuthorizer([
        { access: 'readwrite', topic: 'shared/#' },
        { access: 'deny', topic: 'shared/locked' },
        { username: 'alice', access: 'deny', topic: 'shared/alice-off' },
        { username: 'alice', access: 'readwrite', topic: 'shared/locked' },
      ]);
      expectAccess(acl, ALICE, 'publish', ['shared/x'], ['shared/alice-off', 'shared/locked']);
      expectAccess(acl, BOB, 'publish', ['shared/alice-off'], ['shared/locked']);
    });

    it('applies a denying %u rule with the value as it is, refusing at least what it names', () => {
      const acl = new AclAuthorizer([
        { access: 'readwrite', topic: '#' },
        { access: 'deny', topic: 'private/%u' },
      ]);
      expectAccess(
        acl,
        identity('org/alice'),
        'publish',
        ['private/org', 'private/alice'],
        ['private/org/alice'],
      );
      expectAccess(acl, identity('+'), 'publish', [], ['private/anything', 'private/+']);
      expectAccess(acl, identity(''), 'publish', ['private/x'], ['private/']);
      expectAccess(acl, identity('alice'), 'publish', ['private/bob'], ['private/alice']);
      expectAccess(acl, identity('+'), 'subscribe', ['public/#'], ['private/#', '#']);
    });

    it('does not apply a denying %u rule to a client without a username', () => {
      const acl = new AclAuthorizer([
        { access: 'readwrite', topic: '#' },
        { access: 'deny', topic: 'private/%u' },
      ]);
      expectAccess(acl, ANONYMOUS, 'publish', ['private/x', 'private/undefined'], []);
    });
  });

  describe('$SYS', () => {
    it('stays read-only even for a rule that grants writing there', () => {
      const acl = new AclAuthorizer([{ access: 'readwrite', topic: '$SYS/#' }]);
      expectAccess(acl, ALICE, 'publish', [], ['$SYS', '$SYS/x', '$SYS/broker/clients/connected']);
      expectAccess(acl, ALICE, 'subscribe', ['$SYS/#', '$SYS/broker/+', '$SYS'], ['#']);
    });

    it('is not reached by rules that start with a wildcard', () => {
      const acl = new AclAuthorizer([{ access: 'readwrite', topic: '#' }]);
      expectAccess(acl, ALICE, 'subscribe', ['#', 'a/#', '+/+'], ['$SYS/#', '$SYS/broker/uptime']);
      expectAccess(acl, ALICE, 'publish', ['a/b'], ['$other/x']);
    });
  });

  describe('wildcard subscriptions', () => {
    const acl = new AclAuthorizer([
      { access: 'read', topic: 'sensors/+/temp' },
      { access: 'read', topic: 'logs/#' },
    ]);

    it('allows a filter only when a granted rule covers every topic it can match', () => {
      expectAccess(
        acl,
        ALICE,
        'subscribe',
        ['sensors/+/temp', 'sensors/kitchen/temp', 'logs/#', 'logs', 'logs/+/x/#', 'logs/+'],
        ['sensors/#', 'sensors/+/+', '+/+/temp', 'sensors/+', 'sensors/+/temp/#', '#', 'log/#'],
      );
    });

    it('checks the delivery of one topic when given a topic name', () => {
      expectAccess(acl, ALICE, 'subscribe', ['sensors/a/temp', 'logs/a/b'], ['sensors/a/humidity', 'log']);
    });
  });

  describe('rule validation', () => {
    it('accepts well-formed rules', () => {
      assert.equal(aclRuleProblem({ access: 'deny', topic: 'a/+/%u/#' }), undefined);
      assert.equal(aclRuleProblem({ username: 'u', clientId: 'c', access: 'read', topic: '#' }), undefined);
    });

    it('names the first unusable rule, counting from 1', () => {
      const bad: Array<[AclRule, RegExp]> = [
        [
          JSON.parse('{"access":"all","topic":"a"}') as AclRule,
          /access must be read, write, readwrite or deny/,
        ],
        [{ access: 'read', topic: 'a/#/b' }, /not a valid topic filter/],
        [{ access: 'read', topic: 'a+' }, /not a valid topic filter/],
        [{ access: 'read', topic: '' }, /not a valid topic filter/],
        [JSON.parse('{"access":"read"}') as AclRule, /not a valid topic filter/],
        [{ username: '', access: 'read', topic: 'a' }, /username is empty/],
        [{ clientId: '', access: 'read', topic: 'a' }, /clientId is empty/],
      ];
      for (const [rule, message] of bad) {
        assert.match(aclRuleProblem(rule) ?? '', message);
        assert.throws(
          () => new AclAuthorizer([{ access: 'read', topic: 'ok' }, rule]),
          /^Error: ACL rule 2: /,
        );
      }
    });
  });
});

describe('isSysTopic', () => {
  it('is true for topics starting with $SYS', () => {
    assert.equal(isSysTopic('$SYS'), true);
    assert.equal(isSysTopic('$SYS/broker'), true);
    assert.equal(isSysTopic('$sys/broker'), false);
    assert.equal(isSysTopic('a/$SYS'), false);
  });
});

describe('filterCovers', () => {
  const covered: Array<[string, string]> = [
    ['#', '#'],
    ['#', 'a/b'],
    ['#', '+/+'],
    ['#', '/'],
    ['a/#', 'a'],
    ['a/#', 'a/#'],
    ['a/#', 'a/+/b/#'],
    ['a/+', 'a/b'],
    ['a/+', 'a/+'],
    ['a/+', 'a/'],
    ['+/+', 'a/+'],
    ['+', '+'],
    ['a//b', 'a//b'],
    ['$SYS/#', '$SYS/#'],
    ['$SYS/#', '$SYS'],
    ['$SYS/+', '$SYS/x'],
    ['+/#', '#'],
    ['+/#', 'a'],
    ['/+/#', '/#'],
    ['+/+/#', '/#'],
  ];
  const notCovered: Array<[string, string]> = [
    ['a/+', 'a/#'],
    ['a/+', 'a'],
    ['a/+', 'a/b/c'],
    ['a/b', 'a/+'],
    ['a/b', 'a/b/c'],
    ['a/b/#', 'a'],
    ['a/+/#', 'a/#'],
    ['a/b', 'a'],
    ['+', '#'],
    ['+', '/'],
    ['#', '$SYS/#'],
    ['#', '$SYS'],
    ['+/#', '$SYS/x'],
    ['+', '$'],
    ['a//b', 'a/+'],
    ['a/+/#', 'a/#'],
    ['+/+/#', '#'],
  ];

  it('is true when every topic of the requested filter matches the rule', () => {
    for (const [rule, requested] of covered)
      assert.equal(filterCovers(rule, requested), true, `${rule} ⊇ ${requested}`);
  });

  it('is false when some topic of the requested filter escapes the rule', () => {
    for (const [rule, requested] of notCovered) {
      assert.equal(filterCovers(rule, requested), false, `${rule} ⊉ ${requested}`);
    }
  });

  it('agrees with an exhaustive check over every topic that can tell filters apart', () => {
    for (const rule of SMALL_FILTERS) {
      for (const requested of SMALL_FILTERS) {
        const expected = matchSet(requested).every((hit, i) => !hit || matchSet(rule)[i] === true);
        assert.equal(filterCovers(rule, requested), expected, `covers(${rule}, ${requested})`);
      }
    }
  });
});

describe('filtersOverlap', () => {
  const overlapping: Array<[string, string]> = [
    ['#', 'a'],
    ['a/#', 'a'],
    ['a', 'a/#'],
    ['a/+', '+/b'],
    ['+/+', 'a/b'],
    ['a/#', '+/b/c'],
    ['$SYS/#', '$SYS/+'],
    ['a//b', 'a/+/b'],
    ['a/+/#', 'a/b'],
    ['/#', '/'],
    ['/#', '+/+'],
  ];
  const disjoint: Array<[string, string]> = [
    ['a', 'b'],
    ['a/+', 'a'],
    ['a/+', 'a/b/c'],
    ['a/b', 'a/c/#'],
    ['#', '$SYS/#'],
    ['$SYS/#', '+/x'],
    ['+', '$'],
    ['a//b', 'a/b'],
    ['a/+/#', 'a'],
    ['/#', '+'],
  ];

  it('is true when some topic matches both filters', () => {
    for (const [a, b] of overlapping) {
      assert.equal(filtersOverlap(a, b), true, `${a} ∩ ${b}`);
      assert.equal(filtersOverlap(b, a), true, `${b} ∩ ${a}`);
    }
  });

  it('is false when no topic matches both filters', () => {
    for (const [a, b] of disjoint) {
      assert.equal(filtersOverlap(a, b), false, `${a} ∩ ${b}`);
      assert.equal(filtersOverlap(b, a), false, `${b} ∩ ${a}`);
    }
  });

  it('agrees with an exhaustive check over every topic that can tell filters apart', () => {
    for (const a of SMALL_FILTERS) {
      for (const b of SMALL_FILTERS) {
        const inB = matchSet(b);
        const expected = matchSet(a).some((hit, i) => hit && inB[i] === true);
        assert.equal(filtersOverlap(a, b), expected, `overlap(${a}, ${b})`);
      }
    }
  });
});

/**
 * Every filter of up to 3 levels over the literals `a`, `$a` and the empty level, with `+` and a
 * trailing `#`. A topic's match against all of them depends only on its first 4 levels, on which
 * of those literals each level equals, and on whether its first level starts with `$`; so
 * `UNIVERSE` (levels from those literals plus `z` and `$z`, 1 to 4 of them) decides covering
 * and overlap exactly, by `topicMatches`.
 */
const LITERALS = ['a', '$a', ''];
const SMALL_FILTERS = filtersUpTo(3);
const UNIVERSE = topicsUpTo(4, [...LITERALS, 'z', '$z']);
const matchSets = new Map<string, boolean[]>();

function matchSet(filter: string): boolean[] {
  let set = matchSets.get(filter);
  if (set === undefined) {
    set = UNIVERSE.map((topic) => topicMatches(filter, topic));
    matchSets.set(filter, set);
  }
  return set;
}

function filtersUpTo(levels: number): string[] {
  const plain = sequencesUpTo(levels, [...LITERALS, '+']).map((parts) => parts.join('/'));
  const hashed = [[], ...sequencesUpTo(levels - 1, [...LITERALS, '+'])].map((parts) =>
    [...parts, '#'].join('/'),
  );
  return [...plain, ...hashed].filter((filter) => filter.length > 0);
}

function topicsUpTo(levels: number, alphabet: readonly string[]): string[] {
  return sequencesUpTo(levels, alphabet)
    .map((parts) => parts.join('/'))
    .filter((topic) => topic.length > 0);
}

/** Every sequence of 1 to `levels` items of `alphabet`. */
function sequencesUpTo(levels: number, alphabet: readonly string[]): string[][] {
  const all: string[][] = [];
  let current: string[][] = [[]];
  for (let n = 1; n <= levels; n++) {
    current = current.flatMap((prefix) => alphabet.map((level) => [...prefix, level]));
    all.push(...current);
  }
  return all;
}
