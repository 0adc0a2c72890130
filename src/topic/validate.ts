import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';
import { HASH, NUL, PLUS, SLASH } from './chars';
import { exceedsMaxTopicBytes, MAX_TOPIC_BYTES } from './topic-length';

/**
 * Topic Name and Topic Filter rules (spec section 4.7). Shared subscriptions (`$share/...`) are checked
 * by `parseSharedSubscription`; here `$share/g/x` is just an ordinary filter.
 */

/** Why `name` is not a valid Topic Name, or undefined when it is. */
function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must be at least one character long'; // [MQTT-4.7.3-1]
  if (exceedsMaxTopicBytes(name)) return `must not be longer than ${MAX_TOPIC_BYTES} bytes`; // [MQTT-4.7.3-3]
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // [MQTT-4.7.0-1] wildcards may be used in Topic Filters but not in Topic Names.
    if (c === PLUS || c === HASH) return `must not contain the wildcard '${String.fromCharCode(c)}'`;
    if (c === NUL) return 'must not contain U+0000'; // [MQTT-4.7.3-2]
  }
  return undefined;
}

/** Why `filter` is not a valid Topic Filter, or undefined when it is. Internal to `src/topic`. */
export function topicFilterProblem(filter: string): string | undefined {
  const length = filter.length;
  if (length === 0) return 'must be at least one character long'; // [MQTT-4.7.3-1]
  if (exceedsMaxTopicBytes(filter)) return `must not be longer than ${MAX_TOPIC_BYTES} bytes`; // [MQTT-4.7.3-3]
  for (let i = 0; i < length; i++) {
    const c = filter.charCodeAt(i);
    if (c === NUL) return 'must not contain U+0000'; // [MQTT-4.7.3-2]
    const startsLevel = i === 0 || filter.charCodeAt(i - 1) === SLASH;
    if (c === PLUS) {
      // [MQTT-4.7.1-2] '+' must occupy an entire level.
      if (!startsLevel || (i + 1 < length && filter.charCodeAt(i + 1) !== SLASH)) {
        return "'+' must occupy an entire level";
      }
    } else if (c === HASH) {
      // [MQTT-4.7.1-1] '#' must stand on its own or follow '/', and must be the last character.
      if (!startsLevel) return "'#' must occupy an entire level";
      if (i + 1 < length) return "'#' must be the last character";
    }
  }
  return undefined;
}

/**
 * Quotes a topic for an error message, shortened so a 64 KiB topic does not end up in a log line.
 * Internal to `src/topic`.
 */
export function quoteTopic(topic: string): string {
  return JSON.stringify(topic.length > 80 ? `${topic.slice(0, 77)}...` : topic);
}

/** Throws `MqttError(TopicNameInvalid)` (0x90) unless `name` is a valid Topic Name. */
export function validateTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== undefined) {
    throw new MqttError(ReasonCode.TopicNameInvalid, `Invalid topic name ${quoteTopic(name)}: ${problem}`);
  }
}

/** Throws `MqttError(TopicFilterInvalid)` (0x8F) unless `filter` is a valid Topic Filter. */
export function validateTopicFilter(filter: string): void {
  const problem = topicFilterProblem(filter);
  if (problem !== undefined) {
    throw new MqttError(
      ReasonCode.TopicFilterInvalid,
      `Invalid topic filter ${quoteTopic(filter)}: ${problem}`,
    );
  }
}

export function isValidTopicName(name: string): boolean {
  return topicNameProblem(name) === undefined;
}

export function isValidTopicFilter(filter: string): boolean {
  return topicFilterProblem(filter) === undefined;
}

/** True when `filter` contains `+` or `#`. Meaningful for filters that passed validation. */
export function hasWildcard(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/** Number of topic levels: `a` has 1, `a/b` 2, `/` 2 (two empty levels), `a//b` 3. */
export function countLevels(topic: string): number {
  let levels = 1;
  for (let i = 0; i < topic.length; i++) {
    if (topic.charCodeAt(i) === SLASH) levels++;
  }
  return levels;
}
