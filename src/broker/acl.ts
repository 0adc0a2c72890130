import { topicMatches } from '../topic/match';
import { isValidTopicFilter } from '../topic/validate';
import type { Authorizer } from './security';
import type { AccessKind, ClientIdentity } from './types';

export type AclAccess = 'read' | 'write' | 'readwrite' | 'deny';

/**
 * One access rule. `read` governs SUBSCRIBE (and so delivery), `write` governs PUBLISH, `deny`
 * takes away both wherever it applies.
 */
export interface AclRule {
  /** The rule applies to this user only; absent: to every client (a pattern rule). Not empty. */
  username?: string;
  /** The rule applies to this client id only; absent: to every client id. Not empty. */
  clientId?: string;
  access: AclAccess;
  /** A topic filter with `+` and `#`; `%u` stands for the username and `%c` for the client id. */
  topic: string;
}

const ACCESS: ReadonlySet<string> = new Set<AclAccess>(['read', 'write', 'readwrite', 'deny']);
const PLACEHOLDER = /%[uc]/g;

/** Why `rule` cannot be used, or undefined when it can. Placeholders count as ordinary characters. */
export function aclRuleProblem(rule: AclRule): string | undefined {
  if (!ACCESS.has(rule.access))
    return `access must be read, write, readwrite or deny, not ${String(rule.access)}`;
  if (typeof rule.topic !== 'string' || !isValidTopicFilter(rule.topic)) {
    return `${JSON.stringify(rule.topic)} is not a valid topic filter`;
  }
  if (rule.username === '') return 'username is empty: leave it out for a rule that applies to everyone';
  if (rule.clientId === '') return 'clientId is empty: leave it out for a rule that applies to every client';
  return undefined;
}

/**
 * Topic access rules in the spirit of mosquitto's ACL file.
 *
 * - `$SYS` is read-only for clients: publishing to any topic starting with `$SYS` is refused.
 * - Without rules everything else is allowed.
 * - With rules, access needs a rule that applies to the client and grants it, and no applicable
 *   `deny` rule may touch the topic: deny wins over any grant, whatever the order.
 * - SUBSCRIBE to a filter needs a grant whose filter covers every topic the requested filter can
 *   match (`filterCovers`), and is refused when a deny rule can match any of those topics
 *   (`filtersOverlap`). Callers pass the filter without its `$share/<group>/` prefix, after
 *   validating it. `allows(identity, 'subscribe', topicName)` checks delivery of one topic.
 * - `%u` and `%c` in a rule are replaced by the username and the client id. A rule using `%u` never
 *   applies to a client without a username. A value that is empty or holds `+`, `#`, `/` or
 *   U+0000, or that would put a `$` at the start of the filter, leaves a granting rule out rather
 *   than widen it; a deny rule takes the value as it is, so it refuses at least what it names.
 *
 * Every filter comparison follows [MQTT-4.7.2-1]: a rule starting with a wildcard does not reach
 * topics starting with `$`.
 */
export class AclAuthorizer implements Authorizer {
  readonly ruleCount: number;
  /** Rules without a username, for everyone. */
  private readonly patternRules: AclRule[] = [];
  private readonly userRules = new Map<string, AclRule[]>();

  /** Throws an Error naming the first unusable rule (1-based), for the host to report. */
  constructor(rules: readonly AclRule[]) {
    rules.forEach((rule, index) => {
      const problem = aclRuleProblem(rule);
      if (problem !== undefined) throw new Error(`ACL rule ${index + 1}: ${problem}`);
      const copy: AclRule = { ...rule };
      if (rule.username === undefined) {
        this.patternRules.push(copy);
        return;
      }
      const list = this.userRules.get(rule.username);
      if (list === undefined) this.userRules.set(rule.username, [copy]);
      else list.push(copy);
    });
    this.ruleCount = rules.length;
  }

  allows(identity: ClientIdentity, kind: AccessKind, topicOrFilter: string): boolean {
    // $SYS is the broker's: clients only read it.
    if (kind === 'publish' && isSysTopic(topicOrFilter)) return false;
    if (this.ruleCount === 0) return true;
    const forUser = identity.username === undefined ? undefined : this.userRules.get(identity.username);
    const fromPatterns = this.check(this.patternRules, identity, kind, topicOrFilter);
    if (fromPatterns === 'deny') return false;
    const fromUser = forUser === undefined ? 'none' : this.check(forUser, identity, kind, topicOrFilter);
    if (fromUser === 'deny') return false;
    return fromPatterns === 'grant' || fromUser === 'grant';
  }

  private check(
    rules: readonly AclRule[],
    identity: ClientIdentity,
    kind: AccessKind,
    topicOrFilter: string,
  ): 'deny' | 'grant' | 'none' {
    let granted = false;
    for (const rule of rules) {
      if (rule.clientId !== undefined && rule.clientId !== identity.clientId) continue;
      if (rule.access !== 'deny' && (granted || !grantsKind(rule.access, kind))) continue;
      const filter = substitute(rule.topic, identity, rule.access !== 'deny');
      if (filter === undefined) continue;
      if (rule.access === 'deny') {
        if (reaches(kind, filter, topicOrFilter)) return 'deny';
      } else if (covers(kind, filter, topicOrFilter)) {
        granted = true;
      }
    }
    return granted ? 'grant' : 'none';
  }
}

/** A topic in the broker's `$SYS` tree (and, conservatively, any topic whose name starts `$SYS`). */
export function isSysTopic(topic: string): boolean {
  return topic.startsWith('$SYS');
}

/** Does a deny rule's filter reach any topic the request names? */
function reaches(kind: AccessKind, filter: string, topicOrFilter: string): boolean {
  return kind === 'publish' ? topicMatches(filter, topicOrFilter) : filtersOverlap(filter, topicOrFilter);
}

/** Does a grant's filter take in every topic the request names? */
function covers(kind: AccessKind, filter: string, topicOrFilter: string): boolean {
  return kind === 'publish' ? topicMatches(filter, topicOrFilter) : filterCovers(filter, topicOrFilter);
}

function grantsKind(access: Exclude<AclAccess, 'deny'>, kind: AccessKind): boolean {
  if (access === 'readwrite') return true;
  return kind === 'publish' ? access === 'write' : access === 'read';
}

/**
 * `template` with `%u` and `%c` filled in, in one pass (a username holding `%c` stays as it is);
 * undefined when the rule does not apply. A grant (`strict`) is left out when a value could widen
 * it; a deny takes the value as it comes, so it still refuses at least the topics the value
 * literally names (a `+` or `#` in it can only make it refuse more).
 */
function substitute(template: string, identity: ClientIdentity, strict: boolean): string | undefined {
  if (!template.includes('%')) return template;
  let usable = true;
  const filter = template.replace(PLACEHOLDER, (placeholder) => {
    const value = placeholder === '%u' ? identity.username : identity.clientId;
    if (value === undefined || (strict && !safeLevelValue(value))) usable = false;
    return value ?? '';
  });
  if (!usable) return undefined;
  // A value must not turn a grant into one for the `$` topics ([MQTT-4.7.2-1] keeps those apart).
  if (strict && filter.startsWith('$') && !template.startsWith('$')) return undefined;
  return filter;
}

/** A substitution value stays inside one level and cannot act as a wildcard. */
function safeLevelValue(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2b || c === 0x23 || c === 0x2f || c === 0x00) return false; // + # / NUL
  }
  return true;
}

function isWildcard(level: string | undefined): boolean {
  return level === '+' || level === '#';
}

function startsWithDollar(level: string | undefined): boolean {
  return level?.startsWith('$') === true;
}

/**
 * Can the topics a filter matches stop at its level `i`? A topic has at least one level and is
 * not empty, so not before the first level, nor after a first level that can only be empty.
 */
function canEndAt(levels: readonly string[], i: number): boolean {
  return i > 1 || (i === 1 && levels[0] !== '');
}

/**
 * Does every topic that `requestedFilter` matches also match `ruleFilter`? Both must be valid
 * filters (a topic name is a filter that matches only itself). `+` covers one level, `#` covers
 * its parent level and everything below it, and a rule starting with a wildcard does not cover a
 * filter whose first level starts with `$` [MQTT-4.7.2-1].
 */
export function filterCovers(ruleFilter: string, requestedFilter: string): boolean {
  const rule = ruleFilter.split('/');
  const requested = requestedFilter.split('/');
  if (isWildcard(rule[0]) && startsWithDollar(requested[0])) return false;
  for (let i = 0; i < requested.length; i++) {
    const r = rule[i];
    const f = requested[i];
    if (r === '#') return true;
    if (r === undefined) return false; // the requested filter has topics longer than the rule
    if (f === '#') {
      // Topics of any depth from here. Only '#' covers them, or '+/#' when none can end here
      // ('+/#' equals '#' at the start of a filter, and '/+/#' equals '/#').
      return r === '+' && rule[i + 1] === '#' && rule.length === i + 2 && !canEndAt(requested, i);
    }
    if (r !== '+' && r !== f) return false; // a literal covers only the same literal
  }
  // The requested filter's topics end here: the rule must end too, or go on with just '#',
  // which covers its parent level.
  const rest = rule.length - requested.length;
  return rest === 0 || (rest === 1 && rule[requested.length] === '#');
}

/**
 * Is there a topic that both filters match? Both must be valid filters. A filter starting with a
 * wildcard shares no topic with one whose first level starts with `$` [MQTT-4.7.2-1].
 */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  if ((isWildcard(x[0]) && startsWithDollar(y[0])) || (isWildcard(y[0]) && startsWithDollar(x[0])))
    return false;
  const shorter = Math.min(x.length, y.length);
  for (let i = 0; i < shorter; i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') return true; // both go on from here, and '#' takes the rest
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
  if (x.length === y.length) return true;
  // One filter ends here. The other meets it only by going on with just '#', which matches its
  // parent level, and not when the only topic they share would be empty (`/#` and `+` share none).
  const longer = x.length > y.length ? x : y;
  return (
    longer.length === shorter + 1 && longer[shorter] === '#' && (shorter > 1 || (x[0] !== '' && y[0] !== ''))
  );
}
