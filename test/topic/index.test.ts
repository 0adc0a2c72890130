import assert from 'node:assert/strict';
import * as topic from '../../src/topic';

describe('topic index', () => {
  it('exports the public topic API', () => {
    assert.deepEqual(Object.keys(topic).sort(), [
      'MAX_TOPIC_BYTES',
      'SHARE_PREFIX',
      'SubscriptionTrie',
      'countLevels',
      'hasWildcard',
      'isSharedSubscription',
      'isValidTopicFilter',
      'isValidTopicName',
      'parseSharedSubscription',
      'topicMatches',
      'validateTopicFilter',
      'validateTopicName',
    ]);
    for (const [name, value] of Object.entries(topic)) assert.notEqual(value, undefined, name);
  });
});
