import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';
import { exceedsMaxTopicBytes, MAX_TOPIC_BYTES } from './topic-length';
import { quoteTopic, topicFilterProblem } from './validate';

/** Shared subscriptions (spec section 4.8.2): `$share/<ShareName>/<Topic Filter>`. */
export const SHARE_PREFIX = '$share/';

export interface SharedSubscription {
  /** The ShareName. */
  readonly group: string;
  /** The Topic Filter after the ShareName, as the router and the trie see it. */
  readonly filter: string;
}

function invalid(filter: string, problem: string): MqttError {
  return new MqttError(
    ReasonCode.TopicFilterInvalid,
    `Invalid shared subscription ${quoteTopic(filter)}: ${problem}`,
  );
}

/** True when `filter` starts with `$share/`. Says nothing about whether the rest is valid. */
export function isSharedSubscription(filter: string): boolean {
  return filter.startsWith(SHARE_PREFIX);
}

/**
 * Splits `$share/<group>/<filter>`. Returns undefined for a filter that does not start with `$share/`
 * (validate that one with `validateTopicFilter`), and throws `MqttError(TopicFilterInvalid)` (0x8F)
 * for a malformed shared subscription.
 */
export function parseSharedSubscription(filter: string): SharedSubscription | undefined {
  if (!isSharedSubscription(filter)) return undefined;
  if (exceedsMaxTopicBytes(filter)) {
    throw invalid(filter, `must not be longer than ${MAX_TOPIC_BYTES} bytes`); // [MQTT-4.7.3-3]
  }
  const groupStart = SHARE_PREFIX.length;
  const groupEnd = filter.indexOf('/', groupStart);
  // [MQTT-4.8.2-2] The ShareName MUST be followed by a '/' and a Topic Filter.
  if (groupEnd < 0) throw invalid(filter, 'the share name must be followed by "/" and a topic filter');
  const group = filter.slice(groupStart, groupEnd);
  // [MQTT-4.8.2-1] The ShareName MUST be at least one character long.
  if (group.length === 0) throw invalid(filter, 'the share name must be at least one character long');
  // [MQTT-4.8.2-2] The ShareName MUST NOT contain '/', '+' or '#' ('/' ends it, so only the wildcards remain).
  if (group.includes('+') || group.includes('#')) {
    throw invalid(filter, "the share name must not contain '+' or '#'");
  }
  if (group.includes('\u0000')) throw invalid(filter, 'the share name must not contain U+0000'); // [MQTT-4.7.3-2]
  const inner = filter.slice(groupEnd + 1);
  // [MQTT-4.8.2-2] ... and that '/' MUST be followed by a Topic Filter.
  if (inner.length === 0) throw invalid(filter, 'the share name must be followed by a topic filter');
  const problem = topicFilterProblem(inner);
  if (problem !== undefined) throw invalid(filter, `the topic filter ${problem}`);
  return { group, filter: inner };
}
