import { MqttError } from '../../src/protocol/errors';
import { reasonText } from './client-status';
import type { NodeMessage } from './node-red-types';
import { errorMessage } from './problems';

/** Why a publish failed: the reason code (the server's, or the client's local refusal) and text. */
export interface PublishFailure {
  reasonCode: number | undefined;
  /** The server's Reason String, else the client's description of a local refusal. */
  reasonString: string;
  /** `0x87 NotAuthorized`, with the server's reason string; the error's message without a code. */
  reason: string;
}

function serverReasonString(error: unknown): string | undefined {
  if (!(error instanceof MqttError)) return undefined;
  const text: unknown = Reflect.get(error, 'reasonString');
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** What a rejected `connection.publish` says: a `ClientError` carries its reason code. */
export function publishFailure(error: unknown): PublishFailure {
  if (error instanceof MqttError) {
    const server = serverReasonString(error);
    return {
      reasonCode: error.reasonCode,
      reasonString: server ?? error.message,
      reason: reasonText(error.reasonCode, server),
    };
  }
  const message = errorMessage(error);
  return { reasonCode: undefined, reasonString: message, reason: message };
}

/**
 * Puts the failure on the msg as `msg.reasonCode` and `msg.reasonString`, so that a Catch node,
 * which gets the msg with the error, can tell a refusal (0x87) from a full queue (0x97).
 */
export function markFailure(msg: NodeMessage, failure: PublishFailure): void {
  if (failure.reasonCode !== undefined) msg['reasonCode'] = failure.reasonCode;
  msg['reasonString'] = failure.reasonString;
}
