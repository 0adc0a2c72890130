import type { AdminFailure, AdminResult, BrokerAdmin, RetainedInfo } from '../../src/broker/broker-admin';
import type { MessageProperties } from '../../src/broker/types';
import { readBoolean, readInteger } from './fields';
import { NO_DEFAULTS, outgoingMessage } from './msg-fields';
import type { NodeMessage } from './node-red-types';
import { fail, ok, type Problem, problem, type Result } from './problems';
import { type UserPropertiesObject, userPropertiesToObject } from './user-properties';

/**
 * The `mqtt5 broker` node's input: `msg.action` and its fields → an admin call on the engine →
 * the result as the msg's payload. Problems are keys under `mqtt5-broker.errors`.
 */

export const BROKER_ACTIONS = [
  'getStats',
  'publish',
  'disconnect',
  'getClients',
  'getSubscriptions',
  'getRetained',
] as const;
export type BrokerAction = (typeof BROKER_ACTIONS)[number];

/** What an action needs from the node: the engine's admin calls, the driver's flush, the stats. */
export interface ActionTarget {
  readonly admin: BrokerAdmin;
  /** Runs an admin call and flushes what it queued (`BrokerServer.runAdmin`). */
  run<T>(call: () => T): T;
  stats(): unknown;
}

/** The msg topic and payload an action answers with, or why it failed (with its reason code). */
export type ActionOutcome =
  | { ok: true; topic: string; payload: unknown }
  | { ok: false; problem: Problem; reasonCode?: number };

/** Carries out the action `msg` asks for; a msg without `action` asks for the stats. */
export function runBrokerAction(msg: NodeMessage, target: ActionTarget): ActionOutcome {
  const action = readAction(msg['action']);
  if (!action.ok) return { ok: false, problem: action.problem };
  switch (action.value) {
    case 'getStats':
      // The topic the broker node has always answered any msg with.
      return { ok: true, topic: 'stats', payload: target.stats() };
    case 'publish':
      return publish(msg, target);
    case 'disconnect':
      return disconnect(msg, target);
    case 'getClients': {
      const includeOffline = readBoolean(msg['includeOffline'], false);
      if (!includeOffline.ok)
        return refused(problem('include-offline-invalid', { value: String(msg['includeOffline']) }));
      return answer('getClients', {
        ok: true,
        value: target.admin.clients({ includeOffline: includeOffline.value }),
      });
    }
    case 'getSubscriptions': {
      const clientId = readOptionalText(msg['clientId']);
      if (clientId === false)
        return refused(problem('client-id-invalid', { value: String(msg['clientId']) }));
      const topic = readOptionalText(msg.topic);
      if (topic === false) return refused(problem('filter-invalid', { filter: String(msg.topic) }));
      const query = {
        ...(clientId === undefined ? {} : { clientId }),
        ...(topic === undefined ? {} : { topic }),
      };
      return answer('getSubscriptions', target.admin.subscriptions(query));
    }
    case 'getRetained': {
      const filter = readOptionalText(msg.topic);
      if (filter === false) return refused(problem('filter-invalid', { filter: String(msg.topic) }));
      const result = target.admin.retained(filter ?? '#');
      return answer(
        'getRetained',
        result.ok ? { ok: true, value: result.value.map(retainedForMsg) } : result,
      );
    }
    default:
      return assertNever(action.value);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled broker action ${String(value)}`);
}

function readAction(value: unknown): Result<BrokerAction> {
  if (value === undefined || value === null || value === '') return ok('getStats');
  const found = BROKER_ACTIONS.find((a) => a === value);
  return found === undefined ? fail('action-invalid', { action: String(value) }) : ok(found);
}

/** Text, or undefined when absent or blank; false for anything but a string. */
function readOptionalText(value: unknown): string | undefined | false {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : false;
}

function refused(p: Problem): ActionOutcome {
  return { ok: false, problem: p };
}

/** An engine result as the action's outcome: the engine's problems are catalog keys too. */
function answer<T>(topic: BrokerAction, result: AdminResult<T>): ActionOutcome {
  if (result.ok) return { ok: true, topic, payload: result.value };
  const { failure } = result;
  const outcome: ActionOutcome = { ok: false, problem: engineProblem(failure) };
  if (failure.reasonCode !== undefined) outcome.reasonCode = failure.reasonCode;
  return outcome;
}

/** Each refusal of the engine, by its key under `mqtt5-broker.errors`. */
function engineProblem(failure: AdminFailure): Problem {
  const p = failure.params;
  switch (failure.problem) {
    case 'topic-invalid':
      return problem('topic-invalid', p);
    case 'topic-reserved':
      return problem('topic-reserved', p);
    case 'topic-levels':
      return problem('topic-levels', p);
    case 'response-topic-invalid':
      return problem('response-topic-invalid', p);
    case 'qos-not-supported':
      return problem('qos-not-supported', p);
    case 'retain-not-supported':
      return problem('retain-not-supported', p);
    case 'payload-not-text':
      return problem('payload-not-text', p);
    case 'message-invalid':
      return problem('message-invalid', p);
    case 'client-unknown':
      return problem('client-unknown', p);
    case 'reason-code-invalid':
      return problem('reason-code-invalid', p);
    case 'reason-string-invalid':
      return problem('reason-string-invalid', p);
    case 'filter-invalid':
      return problem('filter-invalid', p);
    default:
      return assertNever(failure.problem);
  }
}

/**
 * `msg.topic`, `msg.payload`, `msg.qos`, `msg.retain` and the 5.0 fields, read as the `mqtt5 out`
 * node reads them (the problem keys of `outgoingMessage` have twins in this node's catalog).
 */
function publish(msg: NodeMessage, target: ActionTarget): ActionOutcome {
  const read = outgoingMessage(msg, NO_DEFAULTS);
  if (!read.ok) return { ok: false, problem: read.problem };
  const { topic, payload, qos, retain, properties } = read.value;
  const request = {
    topic,
    payload,
    qos,
    retain: retain ?? false,
    ...(properties === undefined ? {} : { properties }),
  };
  return answer(
    'publish',
    target.run(() => target.admin.publish(request)),
  );
}

/** `msg.clientId`, `msg.reasonCode` (0x98 when absent) and `msg.reasonString`. */
function disconnect(msg: NodeMessage, target: ActionTarget): ActionOutcome {
  const clientId = msg['clientId'];
  if (typeof clientId !== 'string' || clientId === '') return refused(problem('client-id-missing'));
  const code = readInteger(msg['reasonCode'], 0, 255);
  if (!code.ok) return refused(problem('reason-code-invalid', { value: String(msg['reasonCode']) }));
  const reasonString = msg['reasonString'];
  if (reasonString !== undefined && reasonString !== null && typeof reasonString !== 'string')
    return refused(problem('reason-string-invalid', { reason: typeof reasonString }));
  const request = {
    clientId,
    ...(code.value === undefined ? {} : { reasonCode: code.value }),
    ...(typeof reasonString === 'string' && reasonString !== '' ? { reasonString } : {}),
  };
  return answer(
    'disconnect',
    target.run(() => target.admin.disconnect(request)),
  );
}

/** A retained message's 5.0 properties under the msg field names (`userProperties` an object). */
export interface RetainedForMsg {
  topic: string;
  payload: Buffer;
  qos: number;
  properties?: Omit<MessageProperties, 'userProperties'> & { userProperties?: UserPropertiesObject };
  expiresAt?: number;
}

function retainedForMsg(info: RetainedInfo): RetainedForMsg {
  const out: RetainedForMsg = { topic: info.topic, payload: info.payload, qos: info.qos };
  const props = info.properties;
  if (props !== undefined) {
    const { userProperties, ...rest } = props;
    out.properties =
      userProperties === undefined
        ? rest
        : { ...rest, userProperties: userPropertiesToObject(userProperties) };
  }
  if (info.expiresAt !== undefined) out.expiresAt = info.expiresAt;
  return out;
}
