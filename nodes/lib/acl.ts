import type { AclRule } from '../../src/broker/acl';
import { isRecord, readChoice, readText } from './fields';
import { fail, ok, type Result } from './problems';

const WHO = ['everyone', 'user'] as const;
const ACCESS = ['read', 'write', 'readwrite', 'deny'] as const;

/**
 * Reads the editor's ACL rows: `{who: 'everyone' | 'user', username, access, topic}`. Only the
 * shape is checked here; whether a topic filter is usable is the `AclAuthorizer`'s call, and
 * its error (naming the rule) goes to the node's status.
 */
export function parseAclRules(list: readonly unknown[]): Result<AclRule[]> {
  const rules: AclRule[] = [];
  for (const [index, raw] of list.entries()) {
    const n = index + 1;
    if (!isRecord(raw)) return fail('acl-invalid', { n });
    const who = readChoice(raw['who'], WHO, 'everyone');
    const access = readChoice(raw['access'], ACCESS, 'readwrite');
    const topic = readText(raw['topic']);
    const username = readText(raw['username']);
    if (!who.ok || !access.ok || !topic.ok || !username.ok) return fail('acl-invalid', { n });
    if (topic.value === '') return fail('acl-topic', { n });
    if (who.value === 'user' && username.value === '') return fail('acl-username', { n });
    const rule: AclRule = { access: access.value, topic: topic.value };
    if (who.value === 'user') rule.username = username.value;
    rules.push(rule);
  }
  return ok(rules);
}
