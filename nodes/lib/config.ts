import type { AclRule } from '../../src/broker/acl';
import type { BrokerConfig } from '../../src/broker/config';
import { parseAclRules } from './acl';
import { readChoice, readList, readText } from './fields';
import { parseLimits } from './limits';
import { duplicateListener, type ListenerSpec, parseListener } from './listeners';
import type { NodeDefinition } from './node-red-types';
import { fail, ok, type Result } from './problems';
import { parseUsernames } from './users';

/** The broker node's settings, checked. Passwords are not here: they come from the credentials. */
export interface BrokerNodeSettings {
  listeners: ListenerSpec[];
  /** The `tls-config` node that TLS and WSS listeners use. */
  tlsConfigId: string | undefined;
  usernames: string[];
  allowAnonymous: 'auto' | boolean;
  acl: AclRule[];
  /** Limits, shared subscription strategy, $SYS interval, published events. */
  config: Partial<BrokerConfig>;
  /** 'file': a crash-safe store under the Node-RED user directory; 'memory': survives redeploys only. */
  persistence: 'file' | 'memory';
  durability: 'sync' | 'periodic';
}

const ANONYMOUS = ['auto', 'allow', 'deny'] as const;
const PERSISTENCE = ['file', 'memory'] as const;
const DURABILITY = ['sync', 'periodic'] as const;

/**
 * Checks the node's properties as the editor (or an imported flow) left them. The first problem
 * found is returned, as an i18n key: the node then reports it and does not start a broker.
 */
export function parseBrokerNode(raw: NodeDefinition): Result<BrokerNodeSettings> {
  const listenerList = readList(raw['listeners']);
  if (!listenerList.ok) return fail('listeners-invalid');
  const listeners: ListenerSpec[] = [];
  for (const [index, item] of listenerList.value.entries()) {
    const parsed = parseListener(item, index);
    if (!parsed.ok) return parsed;
    listeners.push(parsed.value);
  }
  const duplicate = duplicateListener(listeners);
  if (duplicate !== undefined) return { ok: false, problem: duplicate };
  const tls = readText(raw['tls']);
  if (!tls.ok) return fail('tls-missing');
  const tlsConfigId = tls.value === '' ? undefined : tls.value;
  if (tlsConfigId === undefined && listeners.some((l) => l.secure)) return fail('tls-required');

  // `accounts`: the editor may not use `users`, a name Node-RED keeps for itself (an early
  // hand-written flow may still say `users`).
  const userList = readList(raw['accounts'] ?? raw['users']);
  if (!userList.ok) return fail('users-invalid');
  const usernames = parseUsernames(userList.value);
  if (!usernames.ok) return usernames;
  const anonymous = readChoice(raw['anonymous'], ANONYMOUS, 'auto');
  if (!anonymous.ok) return fail('anonymous-invalid');
  const aclList = readList(raw['acl']);
  if (!aclList.ok) return fail('acl-list-invalid');
  const acl = parseAclRules(aclList.value);
  if (!acl.ok) return acl;

  const config = parseLimits(raw);
  if (!config.ok) return config;
  const persistence = readChoice(raw['persistence'], PERSISTENCE, 'file');
  if (!persistence.ok) return fail('persistence-invalid');
  const durability = readChoice(raw['durability'], DURABILITY, 'sync');
  if (!durability.ok) return fail('durability-invalid');
  return ok({
    listeners,
    tlsConfigId,
    usernames: usernames.value,
    allowAnonymous: anonymous.value === 'auto' ? 'auto' : anonymous.value === 'allow',
    acl: acl.value,
    config: config.value,
    persistence: persistence.value,
    durability: durability.value,
  });
}
