import { readBoolean, readChoice, readInteger } from './fields';
import type { PublishDefaults } from './msg-fields';
import type { NodeDefinition } from './node-red-types';
import { readPublishDefaults, readTopicSetting } from './out-defaults';
import { OUTPUT_FORMATS, type OutputFormat } from './payload';
import { fail, ok, type Result } from './problems';

/** The settings of an `mqtt5 request` node, checked. */
export interface RequestSettings {
  /** How each request is published: topic, QoS and the v5 defaults (never retained). */
  publish: PublishDefaults;
  /** The response topic to ask for; blank picks one per connection (see `ReplyTopics`). */
  replyTopic: string;
  /** How long a request waits for its reply. */
  timeoutMs: number;
  /** Most requests waiting at once; past it a msg fails at once. */
  maxPending: number;
  /** A timed-out msg goes to a second output instead of raising an error. */
  timeoutOutput: boolean;
  /** How the reply's payload is given to the flow, as `mqtt5 in` offers. */
  output: OutputFormat;
}

export const DEFAULT_TIMEOUT_S = 10;
export const DEFAULT_MAX_PENDING = 1000;
/** The longest timer Node.js keeps (2^31 - 1 ms), in whole seconds. */
const MAX_TIMEOUT_S = 2_147_483;

/** Seconds, possibly with a fraction (`0.5`), above 0; blank is the default. */
function readTimeout(value: unknown): Result<number> {
  if (value === undefined || value === null || value === '') return ok(DEFAULT_TIMEOUT_S * 1000);
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (text === '') return ok(DEFAULT_TIMEOUT_S * 1000);
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_S)) return fail('setting-invalid', { field: 'timeout' });
  return ok(Math.round(seconds * 1000));
}

export function readRequestSettings(raw: NodeDefinition): Result<RequestSettings> {
  // The node has no retain, correlation data or reply-shortcut settings, whatever the flow holds.
  const publish = readPublishDefaults({
    ...raw,
    retain: 'false',
    responseTopic: '',
    correlationData: '',
    replyShortcut: false,
  });
  if (!publish.ok) return publish;
  const replyTopic = readTopicSetting(raw['responseTopic'], 'responseTopic');
  if (!replyTopic.ok) return replyTopic;
  const timeout = readTimeout(raw['timeout']);
  if (!timeout.ok) return timeout;
  const maxPending = readInteger(raw['maxPending'], 1, 1_000_000);
  if (!maxPending.ok) return fail('setting-invalid', { field: 'maxPending' });
  const timeoutOutput = readBoolean(raw['timeoutOutput'], false);
  if (!timeoutOutput.ok) return fail('setting-invalid', { field: 'timeoutOutput' });
  const output = readChoice(raw['output'], OUTPUT_FORMATS, 'auto-detect');
  if (!output.ok) return fail('setting-invalid', { field: 'output' });

  const defaults = publish.value;
  // The request expires at the broker when nobody could use its reply any more.
  if (defaults.messageExpiryInterval === undefined) {
    defaults.messageExpiryInterval = Math.ceil(timeout.value / 1000);
  }
  return ok({
    publish: defaults,
    replyTopic: replyTopic.value,
    timeoutMs: timeout.value,
    maxPending: maxPending.value ?? DEFAULT_MAX_PENDING,
    timeoutOutput: timeoutOutput.value,
    output: output.value,
  });
}
