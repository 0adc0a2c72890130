import type { OutgoingMessage } from '../../src/client/types';
import type { PublishPacket, PublishProperties, QoS, UserProperty } from '../../src/protocol/types';
import { isValidTopicName } from '../../src/topic';
import { readBoolean, readInteger } from './fields';
import type { NodeMessage } from './node-red-types';
import { decodePayload, encodePayload, type OutputFormat } from './payload';
import { fail, ok, type Result } from './problems';
import { mergeUserProperties, objectToUserProperties, userPropertiesToObject } from './user-properties';

/**
 * The mapping between MQTT messages and Node-RED msgs. The field names are those of Node-RED's
 * core MQTT nodes: `topic`, `payload`, `qos`, `retain`, `userProperties`, `responseTopic`,
 * `correlationData`, `contentType`, `payloadFormatIndicator`, `messageExpiryInterval`, plus
 * `subscriptionIdentifiers` (in) and `topicAlias` (out).
 */

/**
 * The v5 fields a received message may carry, in the order they are copied onto the msg. (A type
 * rather than an interface, so that it is a `NodeMessage` as it stands.)
 */
export type ReceivedFields = {
  topic: string;
  payload: unknown;
  qos: QoS;
  retain: boolean;
  userProperties?: Record<string, string | string[]>;
  responseTopic?: string;
  correlationData?: Buffer;
  contentType?: string;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  subscriptionIdentifiers?: number[];
};

/**
 * Makes the fields with `new` rather than as a literal: the msgs of a burst wait together for
 * Node-RED to deliver them, which would make V8 allocate a literal's later objects straight in
 * the old generation (see src/protocol/plain-objects.ts). The prototype is `Object.prototype`,
 * so the result is a plain object, equal to the literal it replaces.
 */
const FieldsObject = function FieldsObject(
  this: ReceivedFields,
  topic: string,
  payload: unknown,
  qos: QoS,
  retain: boolean,
): void {
  this.topic = topic;
  this.payload = payload;
  this.qos = qos;
  this.retain = retain;
} as unknown as {
  new (topic: string, payload: unknown, qos: QoS, retain: boolean): ReceivedFields;
  prototype: object;
};
FieldsObject.prototype = Object.prototype;

/**
 * A received PUBLISH as msg fields, a new object each time (a node may send it as its msg);
 * `jsonError` when JSON was wanted and the text is not JSON.
 */
export function receivedFields(
  packet: PublishPacket,
  format: OutputFormat,
): { fields: ReceivedFields; jsonError?: string } {
  const p = packet.properties;
  const decoded = decodePayload(packet.payload, format, {
    payloadFormatIndicator: p?.payloadFormatIndicator,
    contentType: p?.contentType,
  });
  const fields = new FieldsObject(packet.topic, decoded.payload, packet.qos, packet.retain);
  if (p !== undefined) {
    if (p.userProperties !== undefined) fields.userProperties = userPropertiesToObject(p.userProperties);
    if (p.responseTopic !== undefined) fields.responseTopic = p.responseTopic;
    if (p.correlationData !== undefined) fields.correlationData = p.correlationData;
    if (p.contentType !== undefined) fields.contentType = p.contentType;
    if (p.payloadFormatIndicator !== undefined) fields.payloadFormatIndicator = p.payloadFormatIndicator;
    if (p.messageExpiryInterval !== undefined) fields.messageExpiryInterval = p.messageExpiryInterval;
    if (p.subscriptionIdentifiers !== undefined) fields.subscriptionIdentifiers = p.subscriptionIdentifiers;
  }
  return decoded.jsonError === undefined ? { fields } : { fields, jsonError: decoded.jsonError };
}

/** Every msg field `receivedFields` may set, to clear before copying a reply onto a request msg. */
export const RECEIVED_FIELD_NAMES = [
  'topic',
  'payload',
  'qos',
  'retain',
  'userProperties',
  'responseTopic',
  'correlationData',
  'contentType',
  'payloadFormatIndicator',
  'messageExpiryInterval',
  'subscriptionIdentifiers',
] as const;

/** Copies the fields onto `msg`, removing the v5 ones the message did not carry. */
export function applyReceivedFields(msg: NodeMessage, fields: ReceivedFields): NodeMessage {
  for (const name of RECEIVED_FIELD_NAMES) delete msg[name];
  return Object.assign(msg, fields);
}

/** The publish settings of an `mqtt5 out` or `mqtt5 request` node: defaults for each msg. */
export interface PublishDefaults {
  /** Blank: the topic comes from the msg. When set, it wins over `msg.topic` (as in core). */
  topic: string;
  /** Undefined: `msg.qos`, else 0. When set, it wins over `msg.qos` (as in core). */
  qos: QoS | undefined;
  /** Undefined: `msg.retain`, else false. When set, it wins over `msg.retain` (as in core). */
  retain: boolean | undefined;
  /** The v5 properties below are defaults: a msg field overrides each one. */
  userProperties: UserProperty[];
  responseTopic?: string;
  correlationData?: Buffer;
  contentType?: string;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  topicAlias?: number;
  /**
   * A msg carrying `responseTopic` (as one from `mqtt5 in` does) is a reply when the node has no
   * topic: it goes to that topic, with the msg's `correlationData`.
   */
  replyShortcut: boolean;
}

export const NO_DEFAULTS: PublishDefaults = {
  topic: '',
  qos: undefined,
  retain: undefined,
  userProperties: [],
  replyShortcut: false,
};

const MAX_U32 = 4_294_967_295;

function readQoS(value: unknown): QoS | undefined | false {
  const n = readInteger(value, 0, 2);
  if (!n.ok) return false;
  const v = n.value;
  return v === 0 || v === 1 || v === 2 ? v : undefined;
}

/** A topic name a PUBLISH may carry: not empty, no wildcards [MQTT-3.3.2-2]. */
function readTopic(value: unknown, key: string): Result<string | undefined> {
  if (value === undefined || value === null || value === '') return ok(undefined);
  if (value === lastValidTopic) return ok(lastValidTopic);
  if (typeof value !== 'string' || !isValidTopicName(value)) return fail(key, { topic: String(value) });
  lastValidTopic = value;
  return ok(value);
}

/** The last topic `readTopic` found valid: a node mostly publishes to one topic. */
let lastValidTopic: string | undefined;

function readBinary(value: unknown): Buffer | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return false;
}

/**
 * The message a msg asks to publish, given the node's defaults; or the problem with the msg,
 * as a key under `mqtt5-connection.errors`.
 */
export function outgoingMessage(msg: NodeMessage, defaults: PublishDefaults): Result<OutgoingMessage> {
  const msgResponseTopic = readTopic(msg['responseTopic'], 'response-topic-invalid');
  if (!msgResponseTopic.ok) return msgResponseTopic;
  const isReply = defaults.replyShortcut && defaults.topic === '' && msgResponseTopic.value !== undefined;

  const topic = isReply ? msgResponseTopic.value : defaults.topic !== '' ? defaults.topic : msg.topic;
  if (topic === undefined || topic === null || topic === '') return fail('topic-missing');
  const checkedTopic = readTopic(topic, 'topic-invalid');
  if (!checkedTopic.ok || checkedTopic.value === undefined)
    return fail('topic-invalid', { topic: String(topic) });

  let qos = defaults.qos;
  if (qos === undefined) {
    const fromMsg = readQoS(msg['qos']);
    if (fromMsg === false) return fail('qos-invalid', { value: String(msg['qos']) });
    qos = fromMsg ?? 0;
  }
  let retain = defaults.retain;
  if (retain === undefined) {
    const fromMsg = readBoolean(msg['retain'], false);
    if (!fromMsg.ok) return fail('retain-invalid', { value: String(msg['retain']) });
    retain = fromMsg.value;
  }

  const payload = encodePayload(msg.payload);
  if (!payload.ok) return payload;
  const properties = publishProperties(msg, defaults, isReply, msgResponseTopic.value);
  if (!properties.ok) return properties;
  return ok(new MessageObject(checkedTopic.value, payload.value, qos, retain, properties.value));
}

type MessageProperties = Omit<PublishProperties, 'subscriptionIdentifiers'>;

/**
 * The message and its properties, made with `new` rather than as literals: they stay alive while
 * the publish is in flight, with thousands of others in a burst (see `FieldsObject`).
 */
const MessageObject = function MessageObject(
  this: OutgoingMessage,
  topic: string,
  payload: Buffer,
  qos: QoS,
  retain: boolean,
  properties: MessageProperties,
): void {
  this.topic = topic;
  this.payload = payload;
  this.qos = qos;
  this.retain = retain;
  this.properties = properties;
} as unknown as {
  new (
    topic: string,
    payload: Buffer,
    qos: QoS,
    retain: boolean,
    properties: MessageProperties,
  ): OutgoingMessage;
  prototype: object;
};
MessageObject.prototype = Object.prototype;

const PropertiesObject = function PropertiesObject(): void {} as unknown as {
  new (): MessageProperties;
  prototype: object;
};
PropertiesObject.prototype = Object.prototype;

function publishProperties(
  msg: NodeMessage,
  d: PublishDefaults,
  isReply: boolean,
  msgResponseTopic: string | undefined,
): Result<MessageProperties> {
  const out = new PropertiesObject();

  let userProperties = d.userProperties;
  if (msg['userProperties'] !== undefined && msg['userProperties'] !== null) {
    const fromMsg = objectToUserProperties(msg['userProperties']);
    if (!fromMsg.ok) return fromMsg;
    userProperties = mergeUserProperties(d.userProperties, fromMsg.value);
  }
  if (userProperties.length > 0) out.userProperties = userProperties;

  // A reply goes to the request's response topic and carries no response topic of its own.
  const responseTopic = isReply ? undefined : (msgResponseTopic ?? d.responseTopic);
  if (responseTopic !== undefined) out.responseTopic = responseTopic;

  const correlation = readBinary(msg['correlationData']);
  if (correlation === false) return fail('correlation-data-invalid');
  const correlationData = correlation ?? (isReply ? undefined : d.correlationData);
  if (correlationData !== undefined) out.correlationData = correlationData;

  const contentType = msg['contentType'] ?? d.contentType;
  if (contentType !== undefined && contentType !== '') {
    if (typeof contentType !== 'string') return fail('content-type-invalid');
    out.contentType = contentType;
  }

  const format = msg['payloadFormatIndicator'];
  if (format !== undefined && format !== null) {
    if (format === true || format === 1 || format === '1') out.payloadFormatIndicator = true;
    else if (format === false || format === 0 || format === '0') out.payloadFormatIndicator = false;
    else return fail('payload-format-invalid', { value: String(format) });
  } else if (d.payloadFormatIndicator !== undefined) {
    out.payloadFormatIndicator = d.payloadFormatIndicator;
  }

  const expiry = readInteger(msg['messageExpiryInterval'], 0, MAX_U32);
  if (!expiry.ok) return fail('expiry-invalid', { value: String(msg['messageExpiryInterval']) });
  const messageExpiryInterval = expiry.value ?? d.messageExpiryInterval;
  if (messageExpiryInterval !== undefined) out.messageExpiryInterval = messageExpiryInterval;

  const alias = readInteger(msg['topicAlias'], 1, 65_535);
  if (!alias.ok) return fail('topic-alias-invalid', { value: String(msg['topicAlias']) });
  const topicAlias = alias.value ?? d.topicAlias;
  if (topicAlias !== undefined) out.topicAlias = topicAlias;
  return ok(out);
}
