/**
 * Helpers for the randomized topic tests: a seeded PRNG, generators for small valid filters and topics
 * drawn from a tiny alphabet (so that matches are common), and a reference matcher written straight
 * from the spec text with `split`, independent of `src/topic/match.ts`.
 */

/** mulberry32: a small, fast, seeded PRNG returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const TOPIC_LEVELS = ['a', 'b', ''] as const;
const FIRST_TOPIC_LEVELS = ['a', 'b', '', '$SYS', '$'] as const;
const FILTER_LEVELS = ['a', 'b', '', '+'] as const;
const FIRST_FILTER_LEVELS = ['a', 'b', '', '+', '$SYS', '$'] as const;

/** A valid Topic Name of 1 to 4 levels. */
export function randomTopic(random: () => number): string {
  const levels: string[] = [pick(random, FIRST_TOPIC_LEVELS)];
  const count = 1 + Math.floor(random() * 4);
  while (levels.length < count) levels.push(pick(random, TOPIC_LEVELS));
  const topic = levels.join('/');
  return topic === '' ? 'a' : topic; // a Topic Name is at least one character long
}

/** A valid Topic Filter of 1 to 4 levels, a quarter of them ending in '#'. */
export function randomFilter(random: () => number): string {
  const levels: string[] = [pick(random, FIRST_FILTER_LEVELS)];
  const count = 1 + Math.floor(random() * 4);
  while (levels.length < count) levels.push(pick(random, FILTER_LEVELS));
  if (random() < 0.25) {
    if (count === 1 && random() < 0.5) return '#';
    levels.push('#');
  }
  const filter = levels.join('/');
  return filter === '' ? '+' : filter;
}

/** Spec section 4.7, level by level. */
export function referenceMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  const first = filterLevels[0];
  if (topic.startsWith('$') && (first === '+' || first === '#')) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true; // this level and any below, including none
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
