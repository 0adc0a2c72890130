import type { ClientSessionOptions } from '../../src/client';
import { parseConnectUrl } from '../../src/client/connect-url';
import type { OutgoingMessage } from '../../src/client/types';
import type { ConnectProperties, UserProperty, Will } from '../../src/protocol/types';
import { isRecord, readBoolean, readChoice, readInteger, readList, readText } from './fields';
import { NO_DEFAULTS, outgoingMessage } from './msg-fields';
import type { NodeDefinition } from './node-red-types';
import { fail, ok, type Result } from './problems';

/** The `mqtt5-connection` node's settings, checked. Username and password come from credentials. */
export interface ConnectionSettings {
  target: { kind: 'url'; url: string } | { kind: 'broker'; brokerId: string };
  /** The `tls-config` node for `mqtts://` and `wss://` (optional: the system CAs otherwise). */
  tlsConfigId: string | undefined;
  autoConnect: boolean;
  /** Enhanced authentication with SCRAM-SHA-256 instead of a password in the CONNECT. */
  scram: boolean;
  session: ClientSessionOptions;
  /** Published on each connection, and before a clean close. */
  birth: OutgoingMessage | undefined;
  close: OutgoingMessage | undefined;
}

const MAX_U32 = 4_294_967_295;
const MAX_PACKET = 268_435_460;

function numberField(
  raw: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): Result<number | undefined> {
  const read = readInteger(raw[name], min, max);
  return read.ok ? ok(read.value) : fail('setting-invalid', { field: name, min, max });
}

/**
 * One user property row of an editor: `type` is how its value is read, as a Node-RED typed input
 * (`str`, the text itself, when the row has none; `msg`, `flow`, `global`, `env`, … per msg).
 */
export interface UserPropertyRow {
  key: string;
  value: string;
  type: string;
}

/** `[{ key, value, type? }]` rows of the editor, checked; a row with a blank key is left out. */
export function readUserPropertyRowList(value: unknown, field: string): Result<UserPropertyRow[]> {
  const rows = readList(value);
  if (!rows.ok) return fail('user-properties-rows-invalid', { field });
  const out: UserPropertyRow[] = [];
  for (const row of rows.value) {
    if (!isRecord(row)) return fail('user-properties-rows-invalid', { field });
    const key = row['key'];
    const val = row['value'] ?? '';
    const type = row['type'] ?? '';
    if (typeof key !== 'string' || typeof val !== 'string' || typeof type !== 'string')
      return fail('user-properties-rows-invalid', { field });
    if (key !== '') out.push({ key, value: val, type: type === '' ? 'str' : type });
  }
  return ok(out);
}

/** `[{ key, value }]` rows of the editor as user property pairs, each value as its text. */
export function readUserPropertyRows(value: unknown, field: string): Result<UserProperty[]> {
  const rows = readUserPropertyRowList(value, field);
  return rows.ok ? ok(rows.value.map((row): UserProperty => [row.key, row.value])) : rows;
}

/**
 * A birth, close or will message from its editor group `{ topic, payload, qos, retain,
 * contentType, payloadFormatIndicator, messageExpiryInterval, userProperties }`. A blank topic
 * means no message.
 */
export function readLifecycleMessage(value: unknown, field: string): Result<OutgoingMessage | undefined> {
  if (value === undefined || value === null || value === '') return ok(undefined);
  if (!isRecord(value)) return fail('lifecycle-invalid', { field });
  const topic = readText(value['topic']);
  if (!topic.ok) return fail('lifecycle-invalid', { field });
  if (topic.value === '') return ok(undefined);
  const userProperties = readUserPropertyRows(value['userProperties'], field);
  if (!userProperties.ok) return userProperties;
  const message = outgoingMessage(
    {
      topic: topic.value,
      payload: value['payload'] ?? '',
      qos: value['qos'],
      retain: value['retain'],
      contentType: value['contentType'] === '' ? undefined : value['contentType'],
      payloadFormatIndicator: value['payloadFormatIndicator'],
      messageExpiryInterval: value['messageExpiryInterval'],
    },
    { ...NO_DEFAULTS, userProperties: userProperties.value },
  );
  if (!message.ok) return fail('lifecycle-invalid', { field });
  return message;
}

function readWill(value: unknown): Result<Will | undefined> {
  const message = readLifecycleMessage(value, 'will');
  if (!message.ok || message.value === undefined) return message.ok ? ok(undefined) : message;
  const delay = isRecord(value) ? readInteger(value['delay'], 0, MAX_U32) : ok(undefined);
  if (!delay.ok) return fail('lifecycle-invalid', { field: 'will' });
  const { topic, payload, qos, retain, properties } = message.value;
  const { topicAlias: _alias, ...carried } = properties ?? {};
  const will: Will = { topic, payload, qos, retain: retain ?? false };
  const willProperties = delay.value === undefined ? carried : { ...carried, willDelayInterval: delay.value };
  if (Object.keys(willProperties).length > 0) will.properties = willProperties;
  return ok(will);
}

function readTarget(raw: NodeDefinition): Result<ConnectionSettings['target']> {
  const kind = readChoice(raw['target'], ['url', 'broker'] as const, 'url');
  if (!kind.ok) return fail('target-invalid');
  if (kind.value === 'broker') {
    const broker = readText(raw['broker']);
    if (!broker.ok || broker.value === '') return fail('broker-missing');
    return ok({ kind: 'broker', brokerId: broker.value });
  }
  const url = readText(raw['url']);
  if (!url.ok || url.value === '') return fail('url-missing');
  try {
    parseConnectUrl(url.value);
  } catch (error) {
    return fail('url-invalid', { url: url.value, reason: error instanceof Error ? error.message : '' });
  }
  return ok({ kind: 'url', url: url.value });
}

/**
 * Checks the config node's properties as the editor (or an imported flow) left them. The first
 * problem found is returned as a key under `mqtt5-connection.errors`.
 */
export function parseConnectionNode(raw: NodeDefinition): Result<ConnectionSettings> {
  const target = readTarget(raw);
  if (!target.ok) return target;
  const tls = readText(raw['tls']);
  const version = readChoice(raw['protocolVersion'], ['5', '4'] as const, '5');
  if (!version.ok) return fail('setting-invalid', { field: 'protocolVersion', min: 4, max: 5 });
  const clientId = readText(raw['clientId']);
  if (!clientId.ok) return fail('client-id-invalid');
  const flags: Record<string, boolean> = {};
  for (const [name, fallback] of [
    ['cleanStart', true],
    ['autoConnect', true],
    ['autoTopicAlias', false],
    ['requestResponseInformation', false],
    ['requestProblemInformation', true],
    ['scram', false],
  ] as const) {
    const read = readBoolean(raw[name], fallback);
    if (!read.ok) return fail('setting-invalid', { field: name, min: 0, max: 1 });
    flags[name] = read.value;
  }
  const numbers: Record<string, number | undefined> = {};
  for (const [name, min, max] of [
    ['keepAlive', 0, 65_535],
    ['sessionExpiry', 0, MAX_U32],
    ['receiveMaximum', 1, 65_535],
    ['maximumPacketSize', 1, MAX_PACKET],
    ['topicAliasMaximum', 0, 65_535],
    ['queueLimit', 1, 1_000_000],
  ] as const) {
    const read = numberField(raw, name, min, max);
    if (!read.ok) return read;
    numbers[name] = read.value;
  }
  const userProperties = readUserPropertyRows(raw['userProperties'], 'userProperties');
  if (!userProperties.ok) return userProperties;
  const birth = readLifecycleMessage(raw['birth'], 'birth');
  if (!birth.ok) return birth;
  const close = readLifecycleMessage(raw['close'], 'close');
  if (!close.ok) return close;
  const will = readWill(raw['will']);
  if (!will.ok) return will;

  const protocolLevel = version.value === '4' ? 4 : 5;
  const cleanStart = flags['cleanStart'] ?? true;
  const properties: ConnectProperties = {};
  if (protocolLevel === 5) {
    const expiry = numbers['sessionExpiry'];
    if (expiry !== undefined && expiry > 0) properties.sessionExpiryInterval = expiry;
    if (numbers['receiveMaximum'] !== undefined) properties.receiveMaximum = numbers['receiveMaximum'];
    if (numbers['maximumPacketSize'] !== undefined)
      properties.maximumPacketSize = numbers['maximumPacketSize'];
    if (numbers['topicAliasMaximum'] !== undefined)
      properties.topicAliasMaximum = numbers['topicAliasMaximum'];
    if (flags['requestResponseInformation'] === true) properties.requestResponseInformation = true;
    if (flags['requestProblemInformation'] === false) properties.requestProblemInformation = false;
    if (userProperties.value.length > 0) properties.userProperties = userProperties.value;
  }
  const session: ClientSessionOptions = {
    protocolLevel,
    clientId: clientId.value,
    cleanStart,
    keepAlive: numbers['keepAlive'] ?? 60,
    properties,
    autoTopicAlias: protocolLevel === 5 && flags['autoTopicAlias'] === true,
    queue: { maxMessages: numbers['queueLimit'] ?? 1000 },
  };
  if (will.value !== undefined) session.will = will.value;
  if (protocolLevel === 4 && flags['scram'] === true) return fail('scram-needs-v5');
  return ok({
    target: target.value,
    tlsConfigId: tls.ok && tls.value !== '' ? tls.value : undefined,
    autoConnect: flags['autoConnect'] ?? true,
    scram: flags['scram'] ?? false,
    session,
    birth: birth.value,
    close: close.value,
  });
}
