import assert from 'node:assert/strict';
import { MqttError } from '../../src/protocol/errors';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { isSharedSubscription, parseSharedSubscription } from '../../src/topic/shared';

function assertInvalid(filter: string, pattern: RegExp): void {
  assert.throws(
    () => parseSharedSubscription(filter),
    (error: unknown) => {
      assert.ok(error instanceof MqttError, filter);
      assert.equal(error.reasonCode, ReasonCode.TopicFilterInvalid, filter);
      assert.match(error.message, pattern, filter);
      return true;
    },
  );
}

describe('shared subscriptions', () => {
  it('splits $share/<group>/<filter> into the group and the filter', () => {
    assert.deepEqual(parseSharedSubscription('$share/consumer1/sport/tennis/+'), {
      group: 'consumer1',
      filter: 'sport/tennis/+',
    });
    assert.deepEqual(parseSharedSubscription('$share/g/#'), { group: 'g', filter: '#' });
    assert.deepEqual(parseSharedSubscription('$share/g/$SYS/#'), { group: 'g', filter: '$SYS/#' });
  });

  it('ends the share name at the first slash', () => {
    assert.deepEqual(parseSharedSubscription('$share/a/b/c'), { group: 'a', filter: 'b/c' });
  });

  it('keeps a leading empty level of the inner filter', () => {
    assert.deepEqual(parseSharedSubscription('$share/g//finance'), { group: 'g', filter: '/finance' });
    assert.deepEqual(parseSharedSubscription('$share/g//'), { group: 'g', filter: '/' });
  });

  it('returns undefined for filters that are not shared subscriptions', () => {
    for (const filter of ['a/b', '#', '$share', '$SHARE/g/a', '$sharex/g/a', '$SYS/#', 'x/$share/g/a']) {
      assert.equal(parseSharedSubscription(filter), undefined, filter);
      assert.equal(isSharedSubscription(filter), false, filter);
    }
  });

  it('isSharedSubscription looks only at the $share/ prefix', () => {
    assert.equal(isSharedSubscription('$share/g/a'), true);
    assert.equal(isSharedSubscription('$share/'), true);
  });

  it('rejects an empty share name', () => {
    assertInvalid('$share//a', /at least one character/);
    assertInvalid('$share/', /followed by "\/"/);
  });

  it('rejects a share name without a following slash and filter', () => {
    assertInvalid('$share/group', /followed by "\/" and a topic filter/);
  });

  it('rejects a share name followed by an empty filter', () => {
    assertInvalid('$share/group/', /followed by a topic filter/);
  });

  it('rejects share names that contain + or #', () => {
    for (const filter of ['$share/+/a', '$share/#/a', '$share/g+/a', '$share/a#b/x']) {
      assertInvalid(filter, /must not contain '\+' or '#'/);
    }
  });

  it('rejects a share name that contains U+0000', () => {
    assertInvalid('$share/g\u0000/a', /U\+0000/);
  });

  it('rejects an invalid inner filter', () => {
    assertInvalid('$share/g/a#', /topic filter '#' must occupy an entire level/);
    assertInvalid('$share/g/#/a', /last character/);
    assertInvalid('$share/g/a+', /'\+' must occupy an entire level/);
    assertInvalid('$share/g/a\u0000', /U\+0000/);
  });

  it('rejects a shared subscription longer than 65535 UTF-8 bytes', () => {
    assertInvalid(`$share/g/${'a'.repeat(65535 - 9 + 1)}`, /65535 bytes/);
    assert.ok(parseSharedSubscription(`$share/g/${'a'.repeat(65535 - 9)}`));
  });
});
