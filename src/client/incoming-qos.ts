import { MqttError } from '../protocol/errors';
import { ReasonCode } from '../protocol/reason-codes';

/**
 * Incoming QoS 2 publishes between PUBREC and PUBREL (spec 4.3.3). A PUBLISH whose packet id is
 * still here is a duplicate and is not delivered again [MQTT-4.3.3-10]. The client's Receive
 * Maximum bounds how many the server may have unacknowledged: one more is a protocol error, 0x93
 * [MQTT-3.3.4-9]. (QoS 1 publishes are acknowledged as they arrive, so they never pile up.)
 */
export class IncomingQos2 {
  private readonly awaitingRelease = new Set<number>();

  constructor(private readonly receiveMaximum: number) {}

  get size(): number {
    return this.awaitingRelease.size;
  }

  /** True for a new message (deliver it), false for a duplicate. Throws 0x93 past the maximum. */
  receive(packetId: number): boolean {
    if (this.awaitingRelease.has(packetId)) return false;
    if (this.awaitingRelease.size >= this.receiveMaximum) {
      throw new MqttError(
        ReasonCode.ReceiveMaximumExceeded,
        `the server sent more than ${this.receiveMaximum} unacknowledged QoS 2 publishes (Receive Maximum)`,
      );
    }
    this.awaitingRelease.add(packetId);
    return true;
  }

  /** A PUBREL: returns whether the packet id was known. */
  release(packetId: number): boolean {
    return this.awaitingRelease.delete(packetId);
  }

  clear(): void {
    this.awaitingRelease.clear();
  }
}
