import { MqttError } from '../protocol/errors';
import { isFailure, ReasonCode } from '../protocol/reason-codes';

/**
 * A failed client request or a lost connection. `reasonCode` is the MQTT 5.0 reason code: the one
 * the server sent (PUBACK, PUBREC, SUBACK, CONNACK, DISCONNECT), or the one the client chose when
 * it refused a request locally (0x95 packet too large, 0x9B QoS not supported, ...).
 * `reasonString` is the server's Reason String, when it sent one.
 */
export class ClientError extends MqttError {
  readonly reasonString: string | undefined;

  constructor(reasonCode: number, message: string, reasonString?: string) {
    super(reasonCode, reasonString === undefined ? message : `${message}: ${reasonString}`);
    this.reasonString = reasonString;
  }
}

/** Wraps any thrown value as a `ClientError`, keeping an `MqttError`'s reason code. */
export function toClientError(
  error: unknown,
  fallbackCode: number = ReasonCode.UnspecifiedError,
): ClientError {
  if (error instanceof ClientError) return error;
  if (error instanceof MqttError) return new ClientError(error.reasonCode, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new ClientError(fallbackCode, message);
}

/** A request made while there is no connection to carry it. */
export function notConnected(what: string): ClientError {
  return new ClientError(ReasonCode.ImplementationSpecificError, `cannot ${what}: not connected`);
}

export { isFailure };
