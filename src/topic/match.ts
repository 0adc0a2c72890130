import { DOLLAR, HASH, PLUS, SLASH } from './chars';

/**
 * Does the Topic Filter `filter` match the Topic Name `topic`? Walks both strings once, without regular
 * expressions or splitting. Both are expected to be valid (see `validate.ts`); a `+` or `#` that does not
 * occupy a whole level is compared as an ordinary character. Callers strip `$share/<group>/` first.
 *
 * - `+` matches exactly one level, which may be empty: `a/+/b` matches `a//b`, `+/+` matches `/x`.
 * - `#` matches the parent level and any number of levels below it: `a/#` matches `a`, `a/`, `a/b/c`.
 * - Empty levels are levels like any other: `a//b` does not match `a/b`.
 * - A filter starting with a wildcard never matches a topic starting with `$` [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLength = filter.length;
  const topicLength = topic.length;
  let f = 0; // start of the current filter level
  let t = 0; // start of the current topic level
  // [MQTT-4.7.2-1]
  if (topic.charCodeAt(0) === DOLLAR && (isHashLevel(filter, 0) || isPlusLevel(filter, 0))) return false;
  for (;;) {
    if (isHashLevel(filter, f)) return true; // '#' takes this level and all below it
    if (isPlusLevel(filter, f)) {
      f++;
      while (t < topicLength && topic.charCodeAt(t) !== SLASH) t++;
    } else {
      // A literal level: equal characters up to the end of the filter level, and the topic level ends too.
      while (f < filterLength) {
        const fc = filter.charCodeAt(f);
        if (fc === SLASH) break;
        if (t >= topicLength || topic.charCodeAt(t) !== fc) return false;
        f++;
        t++;
      }
      if (t < topicLength && topic.charCodeAt(t) !== SLASH) return false;
    }
    // Both now sit on a '/' or at their end.
    if (f >= filterLength) return t >= topicLength;
    if (t >= topicLength) {
      // The topic has no more levels: only a trailing '/#' still matches (the parent rule).
      return isHashLevel(filter, f + 1);
    }
    f++;
    t++;
  }
}

/** Is the level starting at `start` a `+` on its own? */
function isPlusLevel(filter: string, start: number): boolean {
  if (filter.charCodeAt(start) !== PLUS) return false;
  const next = start + 1;
  return next === filter.length || filter.charCodeAt(next) === SLASH;
}

/** Is the level starting at `start` a `#` that ends the filter? */
function isHashLevel(filter: string, start: number): boolean {
  return filter.charCodeAt(start) === HASH && start + 1 === filter.length;
}
