import { isUtf8 } from 'node:buffer';
import { packetLength } from '../protocol/encode';
import { isMqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';
import type { PublishPacket, QoS, UserProperty } from '../protocol/types';
import { countLevels, isValidTopicName } from '../topic';
import type { BrokerContext } from './context';
import { retain, routeMessage } from './routing';
import type { Message, MessageProperties } from './types';

/**
 * What the broker's host (the Node-RED node, an operator) may do besides serving clients: inject
 * a message here, disconnect a client in `admin-disconnect.ts`. Like the packet handlers these are plain functions over the
 * context: they change state and leave packets, events and store ops for the driver, which must
 * flush after calling them as it does after input (`BrokerServer.runAdmin`).
 */

/** Why an admin request was refused; each is an i18n key the host translates. */
export type AdminProblem =
  | 'topic-invalid'
  | 'topic-reserved'
  | 'topic-levels'
  | 'response-topic-invalid'
  | 'qos-not-supported'
  | 'retain-not-supported'
  | 'payload-not-text'
  | 'message-invalid'
  | 'client-unknown'
  | 'reason-code-invalid'
  | 'reason-string-invalid'
  | 'filter-invalid';

export interface AdminFailure {
  problem: AdminProblem;
  /** The MQTT reason code that names the refusal, when one does. */
  reasonCode?: number;
  /** Values for the problem's message. */
  params: Record<string, string | number>;
  /** The refusal in English, for logs and hosts without a catalog. */
  message: string;
}

export type AdminResult<T> = { ok: true; value: T } | { ok: false; failure: AdminFailure };

export function adminOk<T>(value: T): AdminResult<T> {
  return { ok: true, value };
}

export function adminFailure<T>(
  problem: AdminProblem,
  message: string,
  params: Record<string, string | number> = {},
  reasonCode?: number,
): AdminResult<T> {
  const failure: AdminFailure = { problem, params, message };
  if (reasonCode !== undefined) failure.reasonCode = reasonCode;
  return { ok: false, failure };
}

/** An Application Message the broker publishes itself. */
export interface AdminMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  /** 5.0 properties; Topic Alias and Subscription Identifiers belong to a connection and are ignored. */
  properties?: MessageProperties;
}

export interface AdminPublished {
  topic: string;
  qos: QoS;
  retain: boolean;
  /** How many sessions it was routed to (shared groups count once each). */
  delivered: number;
}

/**
 * Publishes a message as the broker itself (as `$SYS` is): routed to every matching subscription
 * and retained when asked. No ACL applies, as the operator asks for it; but the topic must be a
 * valid Topic Name [MQTT-4.7.0-1], outside `$SYS`, which only the broker writes, and within the
 * limits the broker announces to clients (Maximum QoS, Retain Available, topic levels).
 */
export function adminPublish(ctx: BrokerContext, request: AdminMessage): AdminResult<AdminPublished> {
  const checked = checkMessage(ctx, request);
  if (!checked.ok) return checked;
  const message = checked.value;
  if (message.retain) retain(ctx, message);
  const delivered = routeMessage(ctx, message);
  return adminOk({ topic: message.topic, qos: message.qos, retain: message.retain, delivered });
}

/** The message to route, or why the broker refuses it. */
function checkMessage(ctx: BrokerContext, request: AdminMessage): AdminResult<Message> {
  const { topic, payload, qos, retain: retained } = request;
  const cfg = ctx.config;
  if (typeof topic !== 'string' || !isValidTopicName(topic)) {
    return adminFailure(
      'topic-invalid',
      `invalid topic ${JSON.stringify(topic)}`,
      { topic: String(topic) },
      ReasonCode.TopicNameInvalid,
    );
  }
  if (topic.startsWith('$SYS')) {
    return adminFailure(
      'topic-reserved',
      `${topic} is the broker's own`,
      { topic },
      ReasonCode.NotAuthorized,
    );
  }
  const levels = countLevels(topic);
  if (cfg.maxTopicLevels > 0 && levels > cfg.maxTopicLevels) {
    return adminFailure(
      'topic-levels',
      `${levels} topic levels, more than ${cfg.maxTopicLevels}`,
      { topic, levels, maximum: cfg.maxTopicLevels },
      ReasonCode.TopicNameInvalid,
    );
  }
  if (qos > cfg.maximumQoS) {
    return adminFailure(
      'qos-not-supported',
      `QoS ${qos} is above the maximum QoS ${cfg.maximumQoS}`,
      { qos, maximum: cfg.maximumQoS },
      ReasonCode.QoSNotSupported,
    );
  }
  if (retained && !cfg.retainAvailable) {
    return adminFailure(
      'retain-not-supported',
      'retained messages are not available',
      {},
      ReasonCode.RetainNotSupported,
    );
  }
  const properties = keptProperties(request.properties);
  // [MQTT-3.3.2-14] the Response Topic is a Topic Name.
  const responseTopic = properties?.responseTopic;
  if (
    responseTopic !== undefined &&
    (typeof responseTopic !== 'string' || !isValidTopicName(responseTopic))
  ) {
    return adminFailure(
      'response-topic-invalid',
      `invalid response topic ${JSON.stringify(responseTopic)}`,
      { topic: String(responseTopic) },
      ReasonCode.TopicNameInvalid,
    );
  }
  // Spec 3.3.2.3.2: a payload declared UTF-8 must be.
  if (properties?.payloadFormatIndicator === true && !isUtf8(payload)) {
    return adminFailure('payload-not-text', 'the payload is not UTF-8', {}, ReasonCode.PayloadFormatInvalid);
  }
  // Everything else a PUBLISH may carry is checked by the codec, as it would be on the wire.
  const problem = encodingProblem(topic, payload, qos, retained, properties);
  if (problem !== undefined) {
    return adminFailure('message-invalid', problem.message, { reason: problem.message }, problem.reasonCode);
  }
  // Copies: the caller may reuse its buffers, and the broker keeps the message for a while.
  const message: Message = { topic, payload: Buffer.from(payload), qos, retain: retained, senderId: '' };
  if (properties !== undefined) {
    message.properties = properties;
    // [MQTT-3.3.2-5] the expiry clock starts now.
    const interval = properties.messageExpiryInterval;
    if (interval !== undefined) message.expiresAt = ctx.clock.now() + interval * 1000;
  }
  return adminOk(message);
}

const PROPERTY_KEYS = [
  'payloadFormatIndicator',
  'messageExpiryInterval',
  'responseTopic',
  'correlationData',
  'userProperties',
  'contentType',
] as const;

/** The properties a message keeps from broker to subscriber, without undefined values. */
function keptProperties(props: MessageProperties | undefined): MessageProperties | undefined {
  if (props === undefined) return undefined;
  const kept: MessageProperties = {};
  let any = false;
  for (const key of PROPERTY_KEYS) {
    if (props[key] === undefined) continue;
    copy(kept, props, key);
    any = true;
  }
  if (kept.correlationData !== undefined && Buffer.isBuffer(kept.correlationData)) {
    kept.correlationData = Buffer.from(kept.correlationData);
  }
  if (Array.isArray(kept.userProperties)) {
    // The subscriber's copy must not change when the caller's array does.
    kept.userProperties = kept.userProperties.map((p): UserProperty => [p[0], p[1]]);
  }
  return any ? kept : undefined;
}

function copy<K extends keyof MessageProperties>(
  to: MessageProperties,
  from: MessageProperties,
  key: K,
): void {
  to[key] = from[key];
}

/** Why the codec would refuse this message as a PUBLISH, or undefined when it would send it. */
function encodingProblem(
  topic: string,
  payload: Buffer,
  qos: QoS,
  retained: boolean,
  properties: MessageProperties | undefined,
): { message: string; reasonCode: number } | undefined {
  if (!Buffer.isBuffer(payload))
    return { message: 'the payload is not a Buffer', reasonCode: ReasonCode.MalformedPacket };
  if (qos !== 0 && qos !== 1 && qos !== 2)
    return { message: `invalid QoS ${String(qos)}`, reasonCode: ReasonCode.MalformedPacket };
  if (typeof retained !== 'boolean')
    return { message: 'retain is not a boolean', reasonCode: ReasonCode.MalformedPacket };
  const packet: PublishPacket = { type: 'publish', topic, payload, qos, retain: retained, dup: false };
  if (qos > 0) packet.packetId = 1;
  if (properties !== undefined) packet.properties = properties;
  try {
    packetLength(packet, 5);
    return undefined;
  } catch (error) {
    if (!isMqttError(error)) throw error;
    return { message: error.message, reasonCode: error.reasonCode };
  }
}
