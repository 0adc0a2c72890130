import type { SubscriberOptions } from '../../src/client';
import type { QoS, RetainHandling } from '../../src/protocol/types';
import { isSharedSubscription, parseSharedSubscription, validateTopicFilter } from '../../src/topic';
import { readBoolean, readChoice, readInteger } from './fields';
import { OUTPUT_FORMATS, type OutputFormat } from './payload';
import { errorMessage, fail, ok, type Result } from './problems';

/**
 * One subscription of an `mqtt5 in` node, as its settings or a dynamic `msg.action = "subscribe"`
 * give it: `{topic, qos, nl, rap, rh, datatype}`, the names of the core `mqtt in` node. Problems
 * are keys under `mqtt5-in.errors`.
 */
export interface WantedSubscription {
  topic: string;
  options: SubscriberOptions;
  /** The output type of this subscription's messages; absent: the node's. */
  datatype?: OutputFormat;
}

/** What a subscription is, as `getSubscriptions` and `msg.subscriptions` list it (core's form). */
export interface SubscriptionInfo {
  topic: string;
  qos: QoS;
  nl: boolean;
  rap: boolean;
  rh: RetainHandling;
  datatype?: OutputFormat;
}

/** The core node's defaults: QoS 2, retained messages sent, retain flag as published. */
export const DEFAULT_OPTIONS: SubscriberOptions = {
  qos: 2,
  noLocal: false,
  retainAsPublished: true,
  retainHandling: 0,
};

/** Why `filter` cannot be subscribed to, in the engine's words, or undefined when it can. */
export function filterProblem(filter: string): string | undefined {
  try {
    if (parseSharedSubscription(filter) === undefined) validateTopicFilter(filter);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

function asQoS(n: number): QoS {
  return n === 0 ? 0 : n === 1 ? 1 : 2;
}

/**
 * Reads `{topic, qos, nl, rap, rh, datatype}`; what is absent comes from `defaults`. The filter
 * must be valid, and No Local is refused on a shared subscription, where it is a Protocol Error
 * [MQTT-3.8.3-4].
 */
export function readSubscription(
  fields: Record<string, unknown>,
  defaults: SubscriberOptions = DEFAULT_OPTIONS,
): Result<WantedSubscription> {
  const topic = fields['topic'];
  if (topic === undefined || topic === null || topic === '') return fail('topic-missing');
  if (typeof topic !== 'string') return fail('action-topic-invalid');
  const reason = filterProblem(topic);
  if (reason !== undefined) return fail('topic-invalid', { reason });

  const qos = readInteger(fields['qos'], 0, 2);
  if (!qos.ok) return fail('option-invalid', { field: 'qos', topic, value: String(fields['qos']) });
  const rh = readInteger(fields['rh'], 0, 2);
  if (!rh.ok) return fail('option-invalid', { field: 'rh', topic, value: String(fields['rh']) });
  const nl = readBoolean(fields['nl'], defaults.noLocal);
  if (!nl.ok) return fail('option-invalid', { field: 'nl', topic, value: String(fields['nl']) });
  const rap = readBoolean(fields['rap'], defaults.retainAsPublished);
  if (!rap.ok) return fail('option-invalid', { field: 'rap', topic, value: String(fields['rap']) });
  if (nl.value && isSharedSubscription(topic)) return fail('nl-shared', { topic });

  const rhValue = rh.value ?? defaults.retainHandling;
  const wanted: WantedSubscription = {
    topic,
    options: {
      qos: qos.value === undefined ? defaults.qos : asQoS(qos.value),
      noLocal: nl.value,
      retainAsPublished: rap.value,
      retainHandling: rhValue === 0 ? 0 : rhValue === 1 ? 1 : 2,
    },
  };
  if (fields['datatype'] !== undefined && fields['datatype'] !== null && fields['datatype'] !== '') {
    const datatype = readChoice(fields['datatype'], OUTPUT_FORMATS, 'auto-detect');
    if (!datatype.ok) return fail('datatype-invalid', { value: String(fields['datatype']) });
    wanted.datatype = datatype.value;
  }
  return ok(wanted);
}

export function subscriptionInfo(wanted: WantedSubscription): SubscriptionInfo {
  const o = wanted.options;
  const info: SubscriptionInfo = {
    topic: wanted.topic,
    qos: o.qos,
    nl: o.noLocal,
    rap: o.retainAsPublished,
    rh: o.retainHandling,
  };
  if (wanted.datatype !== undefined) info.datatype = wanted.datatype;
  return info;
}

export function sameOptions(a: SubscriberOptions, b: SubscriberOptions): boolean {
  return (
    a.qos === b.qos &&
    a.noLocal === b.noLocal &&
    a.retainAsPublished === b.retainAsPublished &&
    a.retainHandling === b.retainHandling
  );
}
