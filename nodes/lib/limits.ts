import type { BrokerConfig } from '../../src/broker/config';
import type { QoS } from '../../src/protocol/types';
import { readBoolean, readChoice, readInteger } from './fields';
import { fail, ok, type Result } from './problems';

const U16 = 65535;
const U31 = 2 ** 31 - 1;
/** The largest packet MQTT can express (a Remaining Length of 268,435,455 plus the fixed header). */
const MAX_PACKET = 268435460;

type NumericKey =
  | 'maxConnections'
  | 'maximumPacketSize'
  | 'maxQueuedMessages'
  | 'maxQueuedBytes'
  | 'receiveMaximum'
  | 'topicAliasMaximum'
  | 'maxKeepAlive'
  | 'maxTopicLevels'
  | 'sysInterval';

/** Each number field of the editor that maps straight onto the engine's, with its range. */
const NUMBERS: readonly [NumericKey, number, number][] = [
  ['maxConnections', 0, U31],
  ['maximumPacketSize', 128, MAX_PACKET],
  ['maxQueuedMessages', 0, U31],
  ['maxQueuedBytes', 0, Number.MAX_SAFE_INTEGER],
  ['receiveMaximum', 1, U16],
  ['topicAliasMaximum', 0, U16],
  ['maxKeepAlive', 0, U16],
  ['maxTopicLevels', 0, U16],
  ['sysInterval', 0, 86400],
];

const QOS_LEVELS = ['0', '1', '2'] as const;
const STRATEGIES = ['round-robin', 'random'] as const;

function toQoS(text: (typeof QOS_LEVELS)[number]): QoS {
  return text === '0' ? 0 : text === '1' ? 1 : 2;
}

/**
 * The limits and options of the editor's Limits and Advanced tabs as engine settings. A blank
 * number keeps the engine's default; a value out of range is an error naming the field.
 */
export function parseLimits(raw: Record<string, unknown>): Result<Partial<BrokerConfig>> {
  const config: Partial<BrokerConfig> = {};
  for (const [key, min, max] of NUMBERS) {
    const read = readInteger(raw[key], min, max);
    if (!read.ok) return fail('limit-range', { field: key, min, max });
    if (read.value !== undefined) config[key] = read.value;
  }
  // The editor asks for seconds; the engine counts the connect timeout in milliseconds.
  const connectTimeout = readInteger(raw['connectTimeout'], 1, 3600);
  if (!connectTimeout.ok) return fail('limit-range', { field: 'connectTimeout', min: 1, max: 3600 });
  if (connectTimeout.value !== undefined) config.connectTimeout = connectTimeout.value * 1000;
  const qos = readChoice(
    raw['maximumQoS'] === undefined ? undefined : String(raw['maximumQoS']),
    QOS_LEVELS,
    '2',
  );
  if (!qos.ok) return fail('limit-range', { field: 'maximumQoS', min: 0, max: 2 });
  config.maximumQoS = toQoS(qos.value);
  const retain = readBoolean(raw['retainAvailable'], true);
  if (!retain.ok) return fail('limit-boolean', { field: 'retainAvailable' });
  config.retainAvailable = retain.value;
  const strategy = readChoice(raw['sharedSubscriptionStrategy'], STRATEGIES, 'round-robin');
  if (!strategy.ok) return fail('limit-strategy');
  config.sharedSubscriptionStrategy = strategy.value;
  const publishEvents = readBoolean(raw['publishEvents'], false);
  if (!publishEvents.ok) return fail('limit-boolean', { field: 'publishEvents' });
  config.publishEvents = publishEvents.value;
  return ok(config);
}
