import type { QoS } from '../../src/protocol/types';
import { isValidTopicName } from '../../src/topic';
import { readUserPropertyRowList, readUserPropertyRows, type UserPropertyRow } from './connection-settings';
import { readBoolean, readInteger, readText } from './fields';
import type { PublishDefaults } from './msg-fields';
import type { NodeDefinition } from './node-red-types';
import { errorMessage, fail, ok, type Result } from './problems';

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

/**
 * The settings the editor offers as typed inputs, each with a `<field>Type` companion: `str` (the
 * text itself, the default), or `msg`, `flow`, `global`, `env`, … evaluated for each msg. The
 * value of each `userProperties` row is one too, with the row's `type` (see `evaluatedRows`).
 */
export const TYPED_FIELDS = ['topic', 'responseTopic', 'correlationData', 'contentType'] as const;

/** A typed input's value for one msg (`RED.util.evaluateNodeProperty`). */
export type Evaluate = (value: unknown, type: string) => unknown;

function typeOf(raw: NodeDefinition, field: string): string {
  const type = raw[`${field}Type`];
  return typeof type === 'string' && type !== '' ? type : 'str';
}

function isTypedRow(row: UserPropertyRow): boolean {
  return row.type !== 'str';
}

/** The definition as read once, at deploy: a typed field evaluated per msg is blank there. */
export function staticDefinition(raw: NodeDefinition): NodeDefinition {
  const out: NodeDefinition = { ...raw };
  for (const field of TYPED_FIELDS) if (typeOf(raw, field) !== 'str') out[field] = '';
  // User property rows read per msg are left out; rows that do not read stay, to be reported.
  const rows = readUserPropertyRowList(raw['userProperties'], 'userProperties');
  if (rows.ok && rows.value.some(isTypedRow)) {
    out['userProperties'] = rows.value.filter((row) => !isTypedRow(row));
  }
  return out;
}

/** A value a user property may carry: text, or a number or boolean as its text. */
function propertyText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The texts a typed row sends under its key for one msg, by the rule `msg.userProperties` follows:
 * missing (undefined, null) sends nothing, a string itself, a number or boolean its text, an array
 * of them one property per element. An object or a Buffer is a setting problem naming the key.
 */
function rowTexts(row: UserPropertyRow, evaluate: Evaluate): Result<string[]> {
  const source = `${row.type}.${row.value}`;
  let value: unknown;
  try {
    value = evaluate(row.value, row.type);
  } catch (error) {
    return fail('user-property-unreadable', { key: row.key, source, reason: errorMessage(error) });
  }
  if (value === undefined || value === null) return ok([]);
  const texts: string[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    const text = propertyText(item);
    if (text === undefined) return fail('user-property-value-invalid', { key: row.key, source });
    texts.push(text);
  }
  return ok(texts);
}

/**
 * The `userProperties` rows for one msg, each typed row evaluated into plain text rows (none when
 * its value is missing), in order; undefined when every row is text, or when the rows do not read
 * (the deploy-time reading reports that, and the node takes no msgs then).
 */
function evaluatedRows(value: unknown, evaluate: Evaluate): Result<UserPropertyRow[]> | undefined {
  const rows = readUserPropertyRowList(value, 'userProperties');
  if (!rows.ok || !rows.value.some(isTypedRow)) return undefined;
  const out: UserPropertyRow[] = [];
  for (const row of rows.value) {
    if (!isTypedRow(row)) {
      out.push(row);
      continue;
    }
    const texts = rowTexts(row, evaluate);
    if (!texts.ok) return texts;
    for (const text of texts.value) out.push({ key: row.key, value: text, type: 'str' });
  }
  return ok(out);
}

/**
 * The definition with its typed fields and user property rows evaluated for one msg, or undefined
 * when all of them are plain text (then the settings read at deploy hold). A missing field is
 * blank, a number or boolean its text, a Buffer stays a Buffer; an expression that fails is a
 * setting problem.
 */
export function evaluatedDefinition(
  raw: NodeDefinition,
  evaluate: Evaluate,
): Result<NodeDefinition> | undefined {
  let out: NodeDefinition | undefined;
  for (const field of TYPED_FIELDS) {
    const type = typeOf(raw, field);
    if (type === 'str') continue;
    let value: unknown;
    try {
      value = evaluate(raw[field], type);
    } catch {
      return settingInvalid(field);
    }
    out ??= { ...raw };
    if (value === undefined || value === null) out[field] = '';
    else if (typeof value === 'number' || typeof value === 'boolean') out[field] = String(value);
    else out[field] = value;
  }
  const rows = evaluatedRows(raw['userProperties'], evaluate);
  if (rows !== undefined) {
    if (!rows.ok) return rows;
    out ??= { ...raw };
    out['userProperties'] = rows.value;
  }
  return out === undefined ? undefined : ok(out);
}

/**
 * `readPublishDefaults` for one msg when some field or user property value is a typed input
 * other than text; undefined when none is (so a caller can tell, once, whether msgs need it). Correlation data that evaluates to a Buffer is sent as those bytes.
 */
export function typedPublishDefaults(
  raw: NodeDefinition,
  evaluate: Evaluate,
): Result<PublishDefaults> | undefined {
  const evaluated = evaluatedDefinition(raw, evaluate);
  if (evaluated === undefined || !evaluated.ok) return evaluated;
  const correlation = evaluated.value['correlationData'];
  const bytes = Buffer.isBuffer(correlation) ? correlation : undefined;
  const read = readPublishDefaults(
    bytes === undefined ? evaluated.value : { ...evaluated.value, correlationData: '' },
  );
  if (read.ok && bytes !== undefined && bytes.length > 0) read.value.correlationData = bytes;
  return read;
}
