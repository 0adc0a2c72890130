import type { QoS } from '../../src/protocol/types';
import { isValidTopicName } from '../../src/topic';
import { readUserPropertyRows } from './connection-settings';
import { readBoolean, readInteger, readText } from './fields';
import type { PublishDefaults } from './msg-fields';
import type { NodeDefinition } from './node-red-types';
import { fail, ok, type Result } from './problems';

/**
 * The publish settings of an `mqtt5 out` or `mqtt5 request` node, read from its definition as
 * the editor (or an imported flow) left them. Problems are keys under the node's own
 * `<file>.errors`, with a `field` naming the setting by its `<file>.label` key.
 */

const MAX_U32 = 4_294_967_295;

function settingInvalid<T>(field: string): Result<T> {
  return fail('setting-invalid', { field });
}

/** `''` (from the msg), or 0, 1, 2 as a number or text. */
export function readQosSetting(value: unknown): Result<QoS | undefined> {
  if (value === undefined || value === null || value === '') return ok(undefined);
  if (value === 0 || value === '0') return ok(0);
  if (value === 1 || value === '1') return ok(1);
  if (value === 2 || value === '2') return ok(2);
  return settingInvalid('qos');
}

/** `''` (from the msg), or true / false as a boolean or text. */
function readRetainSetting(value: unknown): Result<boolean | undefined> {
  if (value === undefined || value === null || value === '') return ok(undefined);
  const read = readBoolean(value, false);
  return read.ok ? ok(read.value) : settingInvalid('retain');
}

/** A topic a PUBLISH may carry (no wildcards), or blank. */
export function readTopicSetting(value: unknown, field: string): Result<string> {
  const text = readText(value);
  if (!text.ok) return settingInvalid(field);
  if (text.value !== '' && !isValidTopicName(text.value)) {
    return fail('topic-invalid', { field, topic: text.value });
  }
  return ok(text.value);
}

function readNumberSetting(raw: NodeDefinition, field: string, min: number, max: number) {
  const read = readInteger(raw[field], min, max);
  return read.ok ? ok(read.value) : settingInvalid<number | undefined>(field);
}

/** The payload-format checkbox: UTF-8 text when ticked, no property otherwise. */
function readFormatSetting(value: unknown): Result<true | undefined> {
  if (value === 1 || value === '1') return ok(true);
  if (value === 0 || value === '0') return ok(undefined);
  const read = readBoolean(value, false);
  if (!read.ok) return settingInvalid('payloadFormatIndicator');
  return ok(read.value ? true : undefined);
}

/**
 * The node's `PublishDefaults`: `topic`, `qos` and `retain` win over the msg when set; the v5
 * properties (`userProperties` rows, `responseTopic`, `correlationData` as text, `contentType`,
 * `payloadFormatIndicator`, `messageExpiryInterval`, `topicAlias`) are defaults for each msg.
 * `replyShortcut` is on unless the node says otherwise.
 */
export function readPublishDefaults(raw: NodeDefinition): Result<PublishDefaults> {
  const topic = readTopicSetting(raw['topic'], 'topic');
  if (!topic.ok) return topic;
  const qos = readQosSetting(raw['qos']);
  if (!qos.ok) return qos;
  const retain = readRetainSetting(raw['retain']);
  if (!retain.ok) return retain;
  const userProperties = readUserPropertyRows(raw['userProperties'], 'userProperties');
  if (!userProperties.ok) return userProperties;
  const responseTopic = readTopicSetting(raw['responseTopic'], 'responseTopic');
  if (!responseTopic.ok) return responseTopic;
  const correlation = readText(raw['correlationData']);
  if (!correlation.ok) return settingInvalid('correlationData');
  const contentType = readText(raw['contentType']);
  if (!contentType.ok) return settingInvalid('contentType');
  const format = readFormatSetting(raw['payloadFormatIndicator']);
  if (!format.ok) return format;
  const expiry = readNumberSetting(raw, 'messageExpiryInterval', 0, MAX_U32);
  if (!expiry.ok) return expiry;
  const alias = readNumberSetting(raw, 'topicAlias', 1, 65_535);
  if (!alias.ok) return alias;
  const replyShortcut = readBoolean(raw['replyShortcut'], true);
  if (!replyShortcut.ok) return settingInvalid('replyShortcut');

  const defaults: PublishDefaults = {
    topic: topic.value,
    qos: qos.value,
    retain: retain.value,
    userProperties: userProperties.value,
    replyShortcut: replyShortcut.value,
  };
  if (responseTopic.value !== '') defaults.responseTopic = responseTopic.value;
  if (correlation.value !== '') defaults.correlationData = Buffer.from(correlation.value, 'utf8');
  if (contentType.value !== '') defaults.contentType = contentType.value;
  if (format.value !== undefined) defaults.payloadFormatIndicator = format.value;
  if (expiry.value !== undefined) defaults.messageExpiryInterval = expiry.value;
  if (alias.value !== undefined) defaults.topicAlias = alias.value;
  return ok(defaults);
}
