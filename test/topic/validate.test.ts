import assert from 'node:assert/strict';
import { MqttError } from '../../src/protocol/errors';
import { ReasonCode } from '../../src/protocol/reason-codes';
import {
  countLevels,
  hasWildcard,
  isValidTopicFilter,
  isValidTopicName,
  validateTopicFilter,
  validateTopicName,
} from '../../src/topic/validate';

function assertRejected(run: () => void, reasonCode: number, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MqttError);
    assert.equal(error.reasonCode, reasonCode);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('topic validation', () => {
  describe('topic names', () => {
    it('accepts ordinary names, empty levels, leading and trailing slashes and $ names', () => {
      for (const name of [
        'a',
        'sport/tennis/player1',
        '/',
        '/finance',
        'a/',
        'a//b',
        '$SYS/x',
        ' ',
        'é/日本',
      ]) {
        assert.doesNotThrow(() => validateTopicName(name), name);
        assert.equal(isValidTopicName(name), true, name);
      }
    });

    it('rejects an empty name with TopicNameInvalid', () => {
      assertRejected(() => validateTopicName(''), ReasonCode.TopicNameInvalid, /at least one character/);
      assert.equal(isValidTopicName(''), false);
    });

    it('rejects names that contain a wildcard anywhere', () => {
      for (const name of ['+', '#', 'a/+', 'a/#', 'a+b', 'sport/tennis#', '+/x']) {
        assertRejected(() => validateTopicName(name), ReasonCode.TopicNameInvalid, /wildcard/);
        assert.equal(isValidTopicName(name), false, name);
      }
    });

    it('rejects names that contain U+0000', () => {
      assertRejected(() => validateTopicName('a\u0000b'), ReasonCode.TopicNameInvalid, /U\+0000/);
      assert.equal(isValidTopicName('\u0000'), false);
    });

    it('accepts a name of exactly 65535 UTF-8 bytes and rejects one byte more', () => {
      assert.equal(isValidTopicName('a'.repeat(65535)), true);
      assertRejected(() => validateTopicName('a'.repeat(65536)), ReasonCode.TopicNameInvalid, /65535 bytes/);
    });

    it('counts the limit in UTF-8 bytes, not characters', () => {
      // 'é' is two bytes: 32767 of them plus one 'a' is 65535 bytes, 32768 of them is 65536.
      assert.equal(isValidTopicName(`${'é'.repeat(32767)}a`), true);
      assert.equal(isValidTopicName('é'.repeat(32768)), false);
      assert.equal(isValidTopicName('日'.repeat(21845)), true); // 3 bytes each: 65535
      assert.equal(isValidTopicName('日'.repeat(21846)), false);
    });

    it('shortens a very long name in the error message', () => {
      assert.throws(
        () => validateTopicName('a'.repeat(70000)),
        (error: unknown) =>
          error instanceof Error && error.message.length < 200 && error.message.includes('...'),
      );
    });
  });

  describe('topic filters', () => {
    it('accepts wildcards that occupy whole levels', () => {
      const filters = ['#', '+', 'sport/#', 'sport/tennis/+', '+/+', '/+', '+/', '/#', 'a/+/b', '+/tennis/#'];
      for (const filter of [...filters, '$SYS/#', '$share/g/x', 'a//b', '/', 'a/b/c']) {
        assert.doesNotThrow(() => validateTopicFilter(filter), filter);
        assert.equal(isValidTopicFilter(filter), true, filter);
      }
    });

    it('rejects an empty filter with TopicFilterInvalid', () => {
      assertRejected(() => validateTopicFilter(''), ReasonCode.TopicFilterInvalid, /at least one character/);
      assert.equal(isValidTopicFilter(''), false);
    });

    it('rejects # that is not the last level', () => {
      for (const filter of ['#/a', 'a/#/b', 'sport/tennis/#/ranking', '#/']) {
        assertRejected(() => validateTopicFilter(filter), ReasonCode.TopicFilterInvalid, /last character/);
        assert.equal(isValidTopicFilter(filter), false, filter);
      }
    });

    it('rejects # that does not occupy a whole level', () => {
      for (const filter of ['a#', 'sport/tennis#', '/a#', 'a/b#']) {
        assertRejected(() => validateTopicFilter(filter), ReasonCode.TopicFilterInvalid, /'#'.*entire level/);
      }
    });

    it('rejects + that does not occupy a whole level', () => {
      for (const filter of ['a+', '+a', 'sport+', 'sport/+tennis', 'a/b+/c', '++', '+/ten+']) {
        assertRejected(
          () => validateTopicFilter(filter),
          ReasonCode.TopicFilterInvalid,
          /'\+'.*entire level/,
        );
        assert.equal(isValidTopicFilter(filter), false, filter);
      }
    });

    it('rejects filters that contain U+0000', () => {
      assertRejected(() => validateTopicFilter('a/\u0000'), ReasonCode.TopicFilterInvalid, /U\+0000/);
    });

    it('rejects filters longer than 65535 UTF-8 bytes', () => {
      assert.equal(isValidTopicFilter(`${'a/'.repeat(32767)}#`), true); // 65535 bytes
      assertRejected(
        () => validateTopicFilter(`${'é'.repeat(32768)}/#`),
        ReasonCode.TopicFilterInvalid,
        /65535 bytes/,
      );
    });
  });

  it('hasWildcard finds + and # and nothing else', () => {
    assert.equal(hasWildcard('a/+/b'), true);
    assert.equal(hasWildcard('a/#'), true);
    assert.equal(hasWildcard('#'), true);
    assert.equal(hasWildcard('a/b'), false);
    assert.equal(hasWildcard('$SYS/x'), false);
  });

  it('countLevels counts empty levels too', () => {
    assert.equal(countLevels('a'), 1);
    assert.equal(countLevels('a/b/c'), 3);
    assert.equal(countLevels('/'), 2);
    assert.equal(countLevels('/finance'), 2);
    assert.equal(countLevels('a//b/'), 4);
    assert.equal(countLevels('sport/#'), 2);
  });
});
