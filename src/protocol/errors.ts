import { ReasonCode, reasonCodeName } from './reason-codes';

/**
 * Every protocol violation is an `MqttError` carrying the reason code that belongs on the wire:
 * 0x81 malformed packet, 0x82 protocol error, 0x95 packet too large, and so on. The broker and the
 * client turn it into a DISCONNECT (v5) or a closed socket (3.1.x) in one place.
 */
export class MqttError extends Error {
  override readonly name = 'MqttError';
  readonly reasonCode: number;

  constructor(reasonCode: number, message: string) {
    super(message);
    this.reasonCode = reasonCode;
  }

  /** e.g. `MalformedPacket (0x81)` */
  get reasonName(): string {
    return `${reasonCodeName(this.reasonCode)} (0x${this.reasonCode.toString(16).padStart(2, '0')})`;
  }
}

export function malformed(message: string): MqttError {
  return new MqttError(ReasonCode.MalformedPacket, message);
}

export function protocolError(message: string): MqttError {
  return new MqttError(ReasonCode.ProtocolError, message);
}

export function isMqttError(value: unknown): value is MqttError {
  return value instanceof MqttError;
}
