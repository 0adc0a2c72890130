export { topicMatches } from './match';
export {
  isSharedSubscription,
  parseSharedSubscription,
  SHARE_PREFIX,
  type SharedSubscription,
} from './shared';
export { MAX_TOPIC_BYTES } from './topic-length';
export { SubscriptionTrie } from './trie';
export {
  countLevels,
  hasWildcard,
  isValidTopicFilter,
  isValidTopicName,
  validateTopicFilter,
  validateTopicName,
} from './validate';
