/**
 * 100,000 subscriptions shaped like a fleet of sites and devices: mostly exact filters
 * (`site/<s>/dev/<d>/<metric>`), a tenth `+` filters, a tenth `#` filters, and a few fleet-wide
 * ones. A device topic matches only a handful of them (4 to 6 for the topics below).
 */

const SITES = 1000;
const DEVICES = 20;
const METRICS = ['temp', 'humidity', 'pressure', 'power'] as const;
/** Devices 0..4 have a `+` metric filter; devices 5..14 a `#` filter. */
const PLUS_DEVICES = 5;
const HASH_DEVICES = 10;
const FLEET_FILTERS = ['site/+/dev/+/temp', 'site/+/dev/7/#', '+/+/dev/+/power', '$SYS/#'] as const;

export const SUBSCRIPTION_COUNT = 100_000;

export function buildFilters(): string[] {
  const filters: string[] = [];
  for (let s = 0; s < SITES; s++) {
    for (let d = 0; d < DEVICES; d++) for (const m of METRICS) filters.push(`site/${s}/dev/${d}/${m}`);
    for (const m of METRICS) filters.push(`site/${s}/dev/+/${m}`);
    for (let d = 0; d < PLUS_DEVICES; d++) filters.push(`site/${s}/dev/${d}/+`);
    for (let d = PLUS_DEVICES; d < PLUS_DEVICES + HASH_DEVICES; d++) filters.push(`site/${s}/dev/${d}/#`);
  }
  filters.push(...FLEET_FILTERS);
  // Whole-site filters top the set up to exactly SUBSCRIPTION_COUNT.
  for (let s = 0; filters.length < SUBSCRIPTION_COUNT && s < SITES; s++) filters.push(`site/${s}/#`);
  if (filters.length !== SUBSCRIPTION_COUNT) {
    throw new Error(`built ${filters.length} filters, expected ${SUBSCRIPTION_COUNT}`);
  }
  return filters;
}

/** The published topics, matched in turn. */
export const TRIE_TOPICS: readonly string[] = [
  'site/500/dev/7/temp',
  'site/17/dev/3/temp',
  'site/998/dev/12/temp',
  'site/250/dev/19/power',
];
