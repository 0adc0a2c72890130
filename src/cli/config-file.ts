import type { AclRule } from '../broker/acl';
import type { BrokerConfig } from '../broker/config';
import type { UserAccount } from '../broker/users';
import type { QoS } from '../protocol/types';
import type { ListenerType } from '../server/types';
import { PERSISTENCE_FORMS, type Persistence, parsePersistence } from './persistence';

/** A listener in the settings file. TLS files are paths, relative to the settings file. */
export interface FileListener {
  name?: string;
  type: ListenerType;
  host?: string;
  port?: number;
  path?: string;
  cert?: string;
  key?: string;
  ca?: string;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

/** The settings file: every `BrokerConfig` field at the top level, plus listeners, users and acl. */
export interface FileConfig {
  broker: Partial<BrokerConfig>;
  listeners?: FileListener[];
  users?: UserAccount[];
  acl?: AclRule[];
  /** `"memory"` or `"file:<dir>"`, the directory relative to the settings file. */
  persistence?: Persistence;
  durability?: 'sync' | 'periodic';
}

type Check<T> = (value: unknown) => value is T;

const isBoolean: Check<boolean> = (v): v is boolean => typeof v === 'boolean';
const isString: Check<string> = (v): v is string => typeof v === 'string';
const isCount: Check<number> = (v): v is number => Number.isSafeInteger(v) && typeof v === 'number' && v >= 0;
const isAnonymous: Check<'auto' | boolean> = (v): v is 'auto' | boolean =>
  v === 'auto' || typeof v === 'boolean';
const isQoS: Check<QoS> = (v): v is QoS => v === 0 || v === 1 || v === 2;
const isStrategy: Check<BrokerConfig['sharedSubscriptionStrategy']> = (
  v,
): v is BrokerConfig['sharedSubscriptionStrategy'] => v === 'round-robin' || v === 'random';

/** What each `BrokerConfig` field must hold, and how to say so. */
const FIELDS: { [K in keyof BrokerConfig]: [Check<BrokerConfig[K]>, string] } = {
  maximumPacketSize: [isCount, 'a whole number of bytes'],
  receiveMaximum: [isCount, 'a whole number'],
  topicAliasMaximum: [isCount, 'a whole number'],
  maximumQoS: [isQoS, '0, 1 or 2'],
  retainAvailable: [isBoolean, 'true or false'],
  wildcardSubscriptionAvailable: [isBoolean, 'true or false'],
  subscriptionIdentifiersAvailable: [isBoolean, 'true or false'],
  sharedSubscriptionAvailable: [isBoolean, 'true or false'],
  sharedSubscriptionStrategy: [isStrategy, '"round-robin" or "random"'],
  maxKeepAlive: [isCount, 'a whole number of seconds'],
  maxConnections: [isCount, 'a whole number'],
  maxQueuedMessages: [isCount, 'a whole number'],
  maxQueuedBytes: [isCount, 'a whole number of bytes'],
  maxTopicLevels: [isCount, 'a whole number'],
  connectTimeout: [isCount, 'a whole number of milliseconds'],
  maxSessionExpiryInterval: [isCount, 'a whole number of seconds'],
  allowAnonymous: [isAnonymous, 'true, false or "auto"'],
  responseTopicPrefix: [isString, 'a string'],
  sysInterval: [isCount, 'a whole number of seconds'],
  version: [isString, 'a string'],
  publishEvents: [isBoolean, 'true or false'],
};

function isConfigKey(key: string): key is keyof BrokerConfig {
  return Object.hasOwn(FIELDS, key);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setField<K extends keyof BrokerConfig>(target: Partial<BrokerConfig>, key: K, value: unknown): void {
  const [check, expected] = FIELDS[key];
  if (!check(value)) throw new Error(`"${key}" must be ${expected}, not ${JSON.stringify(value)}`);
  target[key] = value;
}

function optional<T>(
  where: string,
  record: Record<string, unknown>,
  key: string,
  check: Check<T>,
  expected: string,
): T | undefined {
  const value = record[key];
  if (value === undefined || check(value)) return value;
  throw new Error(`${where}: "${key}" must be ${expected}`);
}

const LISTENER_TYPES: readonly ListenerType[] = ['tcp', 'tls', 'ws'];
const isListenerType: Check<ListenerType> = (v): v is ListenerType => LISTENER_TYPES.some((t) => t === v);
const isPort: Check<number> = (v): v is number => isCount(v) && v <= 65535;
const LISTENER_KEYS = new Set([
  'name',
  'type',
  'host',
  'port',
  'path',
  'cert',
  'key',
  'ca',
  'requestCert',
  'rejectUnauthorized',
]);

function parseListener(value: unknown, index: number): FileListener {
  const where = `listener ${index + 1}`;
  if (!isRecord(value)) throw new Error(`${where} must be an object`);
  for (const key of Object.keys(value)) {
    if (!LISTENER_KEYS.has(key)) throw new Error(`${where}: unknown setting "${key}"`);
  }
  const type = value['type'];
  if (!isListenerType(type)) throw new Error(`${where}: "type" must be "tcp", "tls" or "ws"`);
  return {
    type,
    name: optional(where, value, 'name', isString, 'a string'),
    host: optional(where, value, 'host', isString, 'a string'),
    port: optional(where, value, 'port', isPort, 'a port number from 0 to 65535'),
    path: optional(where, value, 'path', isString, 'a string'),
    cert: optional(where, value, 'cert', isString, 'a file name'),
    key: optional(where, value, 'key', isString, 'a file name'),
    ca: optional(where, value, 'ca', isString, 'a file name'),
    requestCert: optional(where, value, 'requestCert', isBoolean, 'true or false'),
    rejectUnauthorized: optional(where, value, 'rejectUnauthorized', isBoolean, 'true or false'),
  };
}

function parseUser(value: unknown, index: number): UserAccount {
  const where = `user ${index + 1}`;
  if (
    !isRecord(value) ||
    !isString(value['username']) ||
    value['username'] === '' ||
    !isString(value['password'])
  ) {
    throw new Error(`${where} must be an object with a "username" and a "password"`);
  }
  return { username: value['username'], password: value['password'] };
}

const ACCESS = new Set(['read', 'write', 'readwrite', 'deny']);
const isAccess: Check<AclRule['access']> = (v): v is AclRule['access'] =>
  typeof v === 'string' && ACCESS.has(v);

function parseRule(value: unknown, index: number): AclRule {
  const where = `acl rule ${index + 1}`;
  if (!isRecord(value)) throw new Error(`${where} must be an object`);
  const access = value['access'];
  const topic = value['topic'];
  if (!isAccess(access)) throw new Error(`${where}: "access" must be "read", "write", "readwrite" or "deny"`);
  if (!isString(topic)) throw new Error(`${where}: "topic" must be a topic filter`);
  const rule: AclRule = { access, topic };
  const username = optional(where, value, 'username', isString, 'a string');
  const clientId = optional(where, value, 'clientId', isString, 'a string');
  if (username !== undefined) rule.username = username;
  if (clientId !== undefined) rule.clientId = clientId;
  return rule;
}

function parseList<T>(name: string, value: unknown, parse: (item: unknown, index: number) => T): T[] {
  if (!Array.isArray(value)) throw new Error(`"${name}" must be a list`);
  return value.map(parse);
}

function parsePersistenceSetting(value: unknown): Persistence {
  const parsed = typeof value === 'string' ? parsePersistence(value) : undefined;
  if (parsed === undefined) {
    throw new Error(`"persistence" must be ${PERSISTENCE_FORMS}, not ${JSON.stringify(value)}`);
  }
  return parsed;
}

function parseDurability(value: unknown): 'sync' | 'periodic' {
  if (value === 'sync' || value === 'periodic') return value;
  throw new Error(`"durability" must be "sync" or "periodic", not ${JSON.stringify(value)}`);
}

/** Reads the settings file's JSON text. Throws an Error saying what is wrong, in plain English. */
export function parseConfigText(text: string): FileConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(json)) throw new Error('the settings must be a JSON object');
  const config: FileConfig = { broker: {} };
  for (const [key, value] of Object.entries(json)) {
    if (key === 'listeners') config.listeners = parseList(key, value, parseListener);
    else if (key === 'users') config.users = parseList(key, value, parseUser);
    else if (key === 'acl') config.acl = parseList(key, value, parseRule);
    else if (key === 'persistence') config.persistence = parsePersistenceSetting(value);
    else if (key === 'durability') config.durability = parseDurability(value);
    else if (isConfigKey(key)) setField(config.broker, key, value);
    else throw new Error(`unknown setting "${key}"`);
  }
  return config;
}
